// `citygauge recompute INDICATOR --from T --to T`: a user-defined indicator's history recomputed with its
// current definition from the recorded device states, shown as a diff of stored and new values; --write
// replaces the stored values and records it in the change log and the audit trail (issue 14 item 6).
// `citygauge indicators changes ID`: the indicator's change log.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { type DiffRow, lookbackMs, notRecomputable, recompute } from '../engine/recompute.js';
import type { RecomputeSource } from '../engine/sinks/history-source.js';
import { InfluxQueryError } from '../engine/sinks/influx-reader.js';
import { InfluxRecomputeSource } from '../engine/sinks/influx-recompute.js';
import { InfluxV1Transport } from '../engine/sinks/influx-v1.js';
import { InfluxV2Transport } from '../engine/sinks/influx-v2.js';
import { SqliteRecomputeSource } from '../engine/sinks/sqlite-recompute.js';
import { formatTime, parseTime } from '../engine/time.js';
import { LIVE_CATALOGUE } from '../indicators/catalogue.js';
import { type ChangeEntry, definitionHash, recordDefinitions } from '../indicators/change-log.js';
import { openChangeLog } from '../indicators/change-log-stores.js';
import type { IndicatorDef } from '../indicators/definition.js';
import type { Inventory } from '../registry/inventory.js';
import type { MaintenanceWindow } from '../registry/maintenance-windows.js';
import { PgMaintenanceStore } from '../registry/pg-maintenance-store.js';
import { ControlPlaneError } from '../registry/postgres.js';
import { REGISTRY_FILE, RegistryStore } from '../registry/store.js';
import { CliError, UsageError } from './errors.js';
import { addHistoryOptions, type HistoryFlags } from './history-options.js';
import { loadCatalogue, loadInventoryStrictly } from './load-city.js';
import { auditCommand, cliActor } from './open-people.js';
import { addDbOption, type DbFlag, openRegistryBackend } from './open-registry.js';
import { progressBar } from './progress.js';
import { textTable } from './text-table.js';

interface RecomputeOptions extends HistoryFlags, DbFlag {
  from: string;
  to: string;
  inventory?: string;
  indicators?: string;
  write?: boolean;
  json?: boolean;
  all?: boolean;
}

const STANDARD = new Set(LIVE_CATALOGUE.map((d) => d.id));

function timeFlag(flag: string, text: string): number {
  const t = parseTime(/^\d+$/.test(text) ? Number(text) : text);
  if (Number.isNaN(t))
    throw new UsageError(`${flag} '${text}' is not an RFC 3339 time (e.g. 2026-01-05T08:00:00Z)`);
  return t;
}

/** The user-defined indicator `id` of the current definitions, or a refusal that says why not. */
export function userIndicator(catalogue: readonly IndicatorDef[], id: string): IndicatorDef {
  if (STANDARD.has(id))
    throw new UsageError(
      `'${id}' is a standard indicator: its definition never changes, so there is nothing to recompute`,
    );
  const def = catalogue.find((d) => d.id === id);
  if (!def)
    throw new UsageError(
      `no user-defined indicator '${id}': check the id in indicators.yaml (--inventory) or --indicators`,
    );
  return def;
}

/** The registry the engine runs on: the data dir's (or --db's), else the inventory folder's. */
async function registryInventory(opts: RecomputeOptions): Promise<Inventory> {
  if (opts.db || existsSync(join(opts.dataDir, REGISTRY_FILE))) {
    const registry = opts.db ? await openRegistryBackend(opts) : await RegistryStore.open(opts.dataDir);
    try {
      if (!registry.isEmpty()) return registry.load();
    } finally {
      await registry.close();
    }
  }
  if (!opts.inventory)
    throw new UsageError(`no registry in '${opts.dataDir}': give --inventory DIR or check --data-dir`);
  return loadInventoryStrictly(opts.inventory);
}

/** The maintenance windows live applied: beside the registry in the data dir, or in --db's PostgreSQL. */
async function maintenanceWindows(opts: RecomputeOptions): Promise<MaintenanceWindow[]> {
  if (opts.db) {
    const store = await PgMaintenanceStore.open(opts.db).catch((err: Error) => {
      throw new CliError(err.message);
    });
    try {
      return store.all();
    } finally {
      await store.close();
    }
  }
  if (!existsSync(join(opts.dataDir, REGISTRY_FILE))) return [];
  const registry = await RegistryStore.open(opts.dataDir);
  try {
    return registry.maintenance().all();
  } finally {
    await registry.close();
  }
}

/** InfluxDB with the flags the engine writes with, else the data dir's embedded store. */
function openSource(opts: RecomputeOptions): RecomputeSource {
  const url = opts.influxUrl;
  if (url) {
    const token = opts.influxToken ?? process.env.CITYGAUGE_INFLUX_TOKEN;
    if (opts.influxApi === 'v1') {
      if (!opts.influxDb) throw new UsageError('--influx-api v1 needs --influx-db');
      const t = new InfluxV1Transport({ url, db: opts.influxDb, rp: opts.influxRp, token });
      return new InfluxRecomputeSource(url, opts.influxDb, opts.influxRp, token, t);
    }
    if (opts.influxApi !== 'v2') throw new UsageError(`--influx-api '${opts.influxApi}': use v2 or v1`);
    if (!opts.influxOrg || !opts.influxBucket)
      throw new UsageError('--influx-url with the v2 API needs --influx-org and --influx-bucket');
    const t = new InfluxV2Transport({ url, org: opts.influxOrg, bucket: opts.influxBucket, token });
    return new InfluxRecomputeSource(url, opts.influxBucket, opts.influxRp, token, t);
  }
  try {
    return new SqliteRecomputeSource(opts.dataDir);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

const shown = (v: number | null | undefined) => (v === undefined ? '—' : v === null ? 'null' : String(v));

function diffTable(rows: readonly DiffRow[]): string {
  return textTable(
    ['time', 'scope', 'stored', 'new', ''],
    rows.map((r) => [formatTime(r.ts), r.scope, shown(r.old), shown(r.new), r.changed ? 'changed' : '']),
  );
}

async function withChangeLog<T>(
  opts: DbFlag,
  work: (log: Awaited<ReturnType<typeof openChangeLog>>) => Promise<T>,
) {
  let store: Awaited<ReturnType<typeof openChangeLog>>;
  try {
    store = await openChangeLog(opts);
  } catch (err) {
    throw err instanceof ControlPlaneError ? new CliError(err.message) : err;
  }
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function runRecompute(id: string, opts: RecomputeOptions): Promise<void> {
  const from = timeFlag('--from', opts.from);
  const to = timeFlag('--to', opts.to);
  if (to < from) throw new UsageError(`--to ${opts.to} is before --from ${opts.from}`);
  const catalogue = loadCatalogue(opts.inventory, opts.indicators);
  const def = userIndicator(catalogue, id);
  const why = notRecomputable(catalogue, id);
  if (why) throw new UsageError(`cannot recompute '${id}' from the history: ${why}`);
  const inventory = await registryInventory(opts);
  const maintenance = await maintenanceWindows(opts);
  const source = openSource(opts);
  try {
    const first = await source.firstState();
    if (first === undefined || first > to)
      throw new CliError(
        `no device states recorded in ${source.where} up to ${formatTime(to)}: nothing to recompute '${id}' from (the engine writes them as devices change; check --data-dir or the --influx-* flags, and the range)`,
      );
    const [instants, old] = await Promise.all([source.instants(from, to), source.points(id, from, to)]);
    // From the longest mean window before --from, so the window means are those the engine had too; not
    // before the history begins (the first state, or an instant written before any device changed).
    const origin = Math.max(from - lookbackMs(inventory), Math.min(first, instants[0] ?? first));
    const [initial, changes] = await Promise.all([source.statesAt(origin), source.statesBetween(origin, to)]);
    if (instants.length === 0)
      throw new CliError(
        `no history written between ${formatTime(from)} and ${formatTime(to)} in ${source.where}: check the range`,
      );
    const bar = progressBar('recompute', instants.length);
    const result = recompute({
      inventory,
      catalogue,
      id,
      from,
      to,
      origin,
      initial,
      changes,
      instants,
      old,
      maintenance,
      onProgress: (done) => bar.update(done),
    });
    bar.stop();
    const changed = result.rows.filter((r) => r.changed).length;
    const hash = definitionHash(def);
    let entry: ChangeEntry | undefined;
    let replaced = 0;
    if (opts.write) {
      // The store first: a write that fails leaves no entry claiming it happened.
      const at = Date.now();
      replaced = await source.replace(id, from, to, result.points, at);
      entry = await withChangeLog(opts, async (log) => {
        // A definition no start has loaded yet is recorded first, so the recompute names a known hash.
        await recordDefinitions(log, [def], at, cliActor().name);
        return log.append({
          indicator: id,
          at,
          kind: 'recompute',
          hash,
          previousHash: null,
          definition: def,
          detail: {
            from: formatTime(from),
            to: formatTime(to),
            instants: instants.length,
            changed,
            written: result.points.length,
            replaced,
          },
          actor: cliActor().name,
        });
      });
      await auditCommand(opts, {
        action: 'indicator.recompute',
        target: id,
        after: {
          hash,
          from: formatTime(from),
          to: formatTime(to),
          changed,
          replaced,
          written: result.points.length,
        },
      });
    }
    const summary = {
      indicator: id,
      hash,
      from: formatTime(from),
      to: formatTime(to),
      instants: instants.length,
      changed,
      written: opts.write ? result.points.length : 0,
      replaced,
      unknownDevices: result.unknownDevices,
      dryRun: !opts.write,
    };
    if (opts.json) {
      const rows = result.rows.map((r) => ({
        ...r,
        ts: formatTime(r.ts),
        old: r.old ?? null,
        stored: r.old !== undefined,
      }));
      process.stdout.write(`${JSON.stringify({ ...summary, rows })}\n`);
      return;
    }
    // A diff: the rows that differ, unless asked for all of them.
    const shownRows = opts.all ? result.rows : result.rows.filter((r) => r.changed);
    if (shownRows.length) process.stdout.write(`${diffTable(shownRows)}\n\n`);
    process.stdout.write(
      `${id}: ${changed} of ${result.rows.length} values differ over ${instants.length} instants (${source.where}, definition ${hash.slice(0, 19)}…)\n`,
    );
    if (result.unknownDevices > 0)
      process.stdout.write(
        `${result.unknownDevices} recorded device(s) are no longer in the registry: left out\n`,
      );
    process.stdout.write(
      opts.write
        ? `written: ${result.points.length} values replaced ${replaced} stored ones; change log entry ${entry?.seq}\n`
        : 'dry run: nothing written (add --write to replace the stored values)\n',
    );
  } finally {
    await source.close();
  }
}

function changesTable(entries: readonly ChangeEntry[]): string {
  return textTable(
    ['#', 'at', 'kind', 'hash', 'previous', 'by', 'detail'],
    entries.map((e) => [
      String(e.seq),
      formatTime(e.at),
      e.kind,
      e.hash.slice(0, 19),
      e.previousHash?.slice(0, 19) ?? '—',
      e.actor,
      e.detail
        ? Object.entries(e.detail)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')
        : '',
    ]),
  );
}

export function registerRecompute(program: Command): void {
  const cmd = program
    .command('recompute')
    .description(
      "recompute a user-defined indicator's history from the recorded device states with its current definition; prints old and new values (dry run unless --write)",
    )
    .argument('<indicator>', 'the id of a user-defined indicator')
    .requiredOption('--from <time>', 'RFC 3339 start of the range (inclusive)')
    .requiredOption('--to <time>', 'RFC 3339 end of the range (inclusive)')
    .option(
      '--inventory <dir>',
      'inventory folder with indicators.yaml (and the registry when the data dir has none)',
    )
    .option('--indicators <file>', "user-defined indicators (JSON or YAML) instead of the inventory folder's")
    .option('--data-dir <dir>', 'where the history, change log and audit trail live', './data')
    .option(
      '--write',
      'replace the stored values in the range and record it in the change log and audit trail',
    )
    .option('--all', 'list every value in the table, the unchanged ones too')
    .option('--json', 'one JSON object with every row, instead of a table');
  addDbOption(cmd);
  addHistoryOptions(cmd).action((id: string, opts: RecomputeOptions) =>
    runRecompute(id, opts).catch((err) => {
      throw err instanceof InfluxQueryError ? new CliError(err.message) : err;
    }),
  );

  program
    .command('indicators')
    .description('user-defined indicators')
    .command('changes')
    .description("an indicator's change log: each new definition loaded, and each recompute written")
    .argument('<indicator>', 'the id of a user-defined indicator')
    .option('--data-dir <dir>', 'where the change log lives', './data')
    .option('--db <url>', 'read the change log from this PostgreSQL instead of --data-dir')
    .option('--json', 'the entries as JSON, with each full definition')
    .action(async (id: string, opts: DbFlag & { json?: boolean }) => {
      const entries = await withChangeLog(opts, (log) => log.list(id));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(entries)}\n`);
        return;
      }
      process.stdout.write(
        entries.length
          ? `${changesTable(entries)}\n`
          : `no change recorded for '${id}' (a start with it in indicators.yaml records its definition)\n`,
      );
    });
}

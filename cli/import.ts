// `citygauge import DIR`: bulk import of an inventory folder into the registry (docs/contract.md §5).
// Exit 0 when every row was fine, 1 when rows were rejected, 2 for bad arguments (cli/main.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Inventory } from '../registry/inventory.js';
import {
  formatRowError,
  type LoadCounts,
  type LoadResult,
  loadInventoryDir,
} from '../registry/load-inventory.js';
import { redactUrl } from '../registry/postgres.js';
import type { RegistryBackend } from '../registry/registry-backend.js';
import { REGISTRY_FILE, RegistryStore } from '../registry/store.js';
import { CliError, UsageError } from './errors.js';
import { auditCommand } from './open-people.js';
import { addDbOption, type DbFlag, openRegistryBackend } from './open-registry.js';
import { type Progress, progressBar } from './progress.js';

interface ImportOptions extends DbFlag {
  strict?: boolean;
  dryRun?: boolean;
}

/** Below this the import is over before a bar would be worth drawing. */
const PROGRESS_MIN_BYTES = 1_000_000;

const n = (x: number) => x.toLocaleString('en');
const plural = (x: number, word: string) => `${n(x)} ${word}${x === 1 ? '' : 's'}`;

/** `areas 12, pipe segments 800, routes 60, sites 120, devices 2,981`: the rows each file contributed. */
export function summary(counts: LoadCounts): string {
  return [
    `areas ${n(counts.areas.accepted)}`,
    `pipe segments ${n(counts.pipeSegments.accepted)}`,
    `routes ${n(counts.routes.accepted)}`,
    `sites ${n(counts.sites.accepted)}`,
    `devices ${n(counts.devices.accepted)}`,
  ].join(', ');
}

/** What was left out, e.g. `4 bad rows, city.json not applied`; empty when nothing was. */
export function rejections(result: LoadResult): string {
  const rows = Object.values(result.counts).reduce((sum, c) => sum + c.rejected, 0);
  const parts = [
    ...(rows > 0 ? [plural(rows, 'bad row')] : []),
    ...(result.errors.some((e) => e.file === 'city.json') ? ['city.json not applied'] : []),
    ...result.skippedFiles.map((f) => `${f} skipped`),
  ];
  return parts.join(', ');
}

async function openStore(opts: DbFlag): Promise<RegistryBackend> {
  if (opts.db) return openRegistryBackend(opts);
  const { dataDir } = opts;
  try {
    return await RegistryStore.open(dataDir);
  } catch (err) {
    const e = err as Error & { code?: string };
    const message = `cannot open the registry in '${dataDir}' (${e.message}): check --data-dir`;
    // A path that cannot be a folder is a bad argument; a damaged database is not.
    throw e.code?.startsWith('SQLITE') ? new CliError(message) : new UsageError(message);
  }
}

async function validate(
  dir: string,
  opts: ImportOptions,
  existing: Inventory | undefined,
): Promise<LoadResult> {
  let bar: Progress | undefined;
  try {
    return await loadInventoryDir(dir, {
      strict: opts.strict,
      existing,
      onProgress: ({ bytes, totalBytes }) => {
        bar ??=
          totalBytes > PROGRESS_MIN_BYTES
            ? progressBar('import', totalBytes, 'bytes')
            : { update() {}, stop() {} };
        bar.update(bytes);
      },
    });
  } catch (err) {
    const e = err as Error & { code?: string };
    throw e.code === 'ERR_INVENTORY_DIR' ? new UsageError(e.message) : err;
  } finally {
    bar?.stop();
  }
}

export function registerImport(program: Command): void {
  const cmd = program.command('import');
  addDbOption(cmd);
  cmd
    .description(
      'import an inventory folder (areas, pipe segments, GTFS routes, sites, devices) into the registry',
    )
    .argument(
      '<dir>',
      `inventory folder holding city.json, areas.csv, pipe_segments.csv, routes.txt, sites.csv, devices.csv`,
    )
    .option('--data-dir <dir>', 'where the registry lives', './data')
    .option('--strict', 'all or nothing: apply no row when any row is rejected')
    .option('--dry-run', 'validate and report what would be imported; write nothing')
    .action(async (dir: string, opts: ImportOptions) => {
      // The registry holds credential digests: private to this user (cli/private-data.ts).
      process.umask(0o077);
      const registryPath = opts.db
        ? redactUrl(opts.db)
        : `${opts.dataDir.replace(/[\\/]+$/, '')}/${REGISTRY_FILE}`;
      // Rows may refer to what the registry already holds. A dry run, or a strict import that fails,
      // must not leave a new empty registry behind, so the database is created only to write to it.
      let store =
        opts.db || existsSync(join(opts.dataDir, REGISTRY_FILE)) ? await openStore(opts) : undefined;
      try {
        const existing = store?.load();
        const result = await validate(dir, opts, existing);
        for (const e of result.errors) process.stderr.write(`${formatRowError(e)}\n`);
        const rejected = rejections(result);
        const failed = result.errors.length > 0;

        const left = failed ? ` (${rejected})` : '';
        if (opts.dryRun) {
          const would =
            opts.strict && failed ? `nothing, --strict and ${rejected}` : `${summary(result.counts)}${left}`;
          process.stdout.write(`dry run, nothing written: would import ${would}\n`);
        } else if (opts.strict && failed) {
          process.stdout.write(`nothing imported: --strict and ${rejected}; fix them and run again\n`);
        } else {
          store ??= await openStore(opts);
          await store.upsert(result.inventory, existing);
          await auditCommand(opts, {
            action: 'inventory.import',
            target: dir,
            after: { counts: result.counts, errors: result.errors.length },
          });
          process.stdout.write(`imported into ${registryPath}: ${summary(result.counts)}${left}\n`);
          if (failed) process.stderr.write('the valid rows were imported; fix the bad ones and run again\n');
        }
        if (failed) process.exitCode = 1;
      } finally {
        await store?.close();
      }
    });
}

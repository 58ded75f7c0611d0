// `citygauge report --period P`: the ISO/IEC 30146 scorecard of a period as self-contained HTML and CSV
// (docs/contract.md §5), from the scorecard store and the history store in the data dir; no engine needs to run.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { HISTORY_FILE, SqliteHistory } from '../engine/sinks/sqlite-history.js';
import type { PeriodBudget } from '../indicators/error-budget.js';
import { readCityFile } from '../registry/city-file.js';
import { type CityConfig, cityTimeZone, type Objective } from '../registry/inventory.js';
import { REGISTRY_FILE, RegistryStore } from '../registry/store.js';
import { TIME_ZONE_EXAMPLE } from '../registry/time-zone.js';
import { SCORECARD_FILE, ScorecardStore } from '../scorecard/admin-inputs.js';
import { loadUserIndicators, ScorecardFileError, userIndicatorFile } from '../scorecard/inventory-files.js';
import { liveFromHistory } from '../scorecard/live-history.js';
import { isPeriod, type Period, parsePeriod } from '../scorecard/period.js';
import { periodBudgets } from '../scorecard/period-budgets.js';
import { renderReportCsv } from '../scorecard/report-csv.js';
import { historyPct, renderReportHtml } from '../scorecard/report-html.js';
import { scorecardFromStore } from '../scorecard/scorecard.js';
import { seedScorecard } from '../scorecard/seed.js';
import { CliError, UsageError } from './errors.js';
import { openRegistryBackend } from './open-registry.js';
import { openScorecard, scorecardWritten } from './open-scorecard.js';

interface ReportOptions {
  period: string;
  dataDir: string;
  db?: string;
  out?: string;
  csv?: string;
  inventory?: string;
  indicators?: string;
}

/**
 * The registry's city (name and time zone), else the inventory's city.json, else "City" in UTC. A city.json
 * the report cannot read is refused: its time zone decides where the period begins and ends.
 */
async function cityOf(
  dataDir: string,
  inventory: string | undefined,
  db: string | undefined,
): Promise<Pick<CityConfig, 'name' | 'timeZone' | 'objectives'>> {
  if (db) {
    const registry = await openRegistryBackend({ dataDir, db });
    try {
      if (!registry.isEmpty()) return registry.load().city;
    } finally {
      await registry.close();
    }
  } else if (existsSync(join(dataDir, REGISTRY_FILE))) {
    const registry = await RegistryStore.open(dataDir);
    try {
      return registry.load().city;
    } finally {
      registry.close();
    }
  }
  const file = inventory ? join(inventory, 'city.json') : undefined;
  if (file && existsSync(file)) {
    const r = readCityFile(file);
    if ('error' in r) throw new CliError(`${file}:1: ${r.error}`);
    return r.city;
  }
  return { name: 'City' };
}

/** The objectives' budgets over the period from the data dir's history store; none without one. */
async function budgetsFromHistory(
  dataDir: string,
  objectives: readonly Objective[],
  period: Period,
): Promise<PeriodBudget[]> {
  if (objectives.length === 0 || !existsSync(join(dataDir, HISTORY_FILE))) return [];
  const history = new SqliteHistory(dataDir);
  try {
    return await periodBudgets(history, objectives, period);
  } finally {
    await history.close();
  }
}

/** Warnings of the seed as plain lines on stderr (`file:line: reason`, `file: entry.field: reason`). */
const seedLog = {
  info() {},
  warn: (obj: object) => process.stderr.write(`${Object.values(obj).join(' ')}\n`),
};

/**
 * The data dir's scorecard store. With --inventory it is filled as `citygauge start` fills it
 * (seedScorecard): the inventory's `scorecard-indicators.*` every time, `scorecard-*.csv` when the store has
 * no entry and `self-assessments-*` when it has no self-assessment; --indicators FILE takes the place of
 * the inventory's indicator file. Without --inventory, a data dir lacking a store is read as empty and left
 * without one.
 */
async function openStore(opts: ReportOptions): Promise<ScorecardStore> {
  if (opts.indicators && !existsSync(opts.indicators))
    throw new UsageError(`indicators file '${opts.indicators}' does not exist`);
  const exists = opts.db !== undefined || existsSync(join(opts.dataDir, SCORECARD_FILE));
  const store = !exists && !opts.inventory ? ScorecardStore.inMemory() : await openScorecard(opts);
  try {
    if (!opts.inventory) {
      if (opts.indicators)
        loaded(
          loadUserIndicators(store, opts.indicators).map((d) => d.id),
          opts.indicators,
        );
      await scorecardWritten(store);
      return store;
    }
    const firstStart = store.isEmpty();
    const r = await seedScorecard(store, opts.inventory, seedLog, { indicatorsFile: opts.indicators });
    await scorecardWritten(store);
    const file = opts.indicators ?? userIndicatorFile(opts.inventory);
    if (file) loaded(r.indicators, file);
    if (firstStart && r.files.length === 0)
      process.stderr.write(
        `no scorecard-*.csv in ${opts.inventory}: the report has no administrative inputs\n`,
      );
    if (r.files.length > 0)
      process.stdout.write(
        `imported ${r.accepted} scorecard entries from ${r.files.join(', ')} into ${store.path}\n`,
      );
    if (r.selfAssessments > 0)
      process.stdout.write(
        `recorded ${r.selfAssessments} PAS 181 self-assessments from ${opts.inventory} into ${store.path}\n`,
      );
    return store;
  } catch (err) {
    await store.close();
    throw err instanceof ScorecardFileError ? new CliError(err.message) : err;
  }
}

function loaded(ids: readonly string[], file: string): void {
  process.stdout.write(
    `loaded ${ids.length} user-defined indicator${ids.length === 1 ? '' : 's'} from ${file}${ids.length > 0 ? `: ${ids.join(', ')}` : ''}\n`,
  );
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the ISO/IEC 30146 scorecard of a period as self-contained HTML and CSV')
    .requiredOption('--period <period>', 'a year or a quarter: 2026, 2026-Q3')
    .option('--data-dir <dir>', 'where the scorecard and history stores live', './data')
    .option(
      '--db <url>',
      'read the registry and the scorecard from this PostgreSQL (postgres://user:password@host:5432/db) instead of --data-dir',
    )
    .option('--out <file>', 'the HTML file (default report-<period>.html)')
    .option('--csv <file>', 'the CSV file (default: the HTML file with .csv)')
    .option(
      '--inventory <dir>',
      'load its scorecard-indicators.json|yaml, and import its scorecard-*.csv and self-assessments-*.json ' +
        'when the data dir has none yet',
    )
    .option(
      '--indicators <file>',
      "the city's own ISO/IEC 30146 indicators (JSON or YAML), remembered by the data dir's store",
    )
    .action(async (opts: ReportOptions) => {
      const city = await cityOf(opts.dataDir, opts.inventory, opts.db);
      // The city's own year or quarter (city.json timeZone), as `/report?period=` reads it.
      const period = parsePeriod(opts.period, cityTimeZone(city));
      if (!isPeriod(period)) throw new UsageError(`--period ${period.message}`);
      const out = opts.out ?? `report-${period.id}.html`;
      const csv = opts.csv ?? `${out.replace(/\.html?$/i, '')}.csv`;
      const store = await openStore(opts);
      try {
        const live = await liveFromHistory(opts.dataDir, period, store.catalogue);
        const card = scorecardFromStore(store, period.id, live.values, live.note, live.coverage);
        const budgets = await budgetsFromHistory(opts.dataDir, city.objectives ?? [], period);
        writeFileSync(
          out,
          renderReportHtml(card, {
            city: city.name,
            generatedAt: Date.now(),
            timeZone: period.timeZone,
            period,
            budgets,
          }),
        );
        writeFileSync(csv, renderReportCsv(card));
        const o = card.maturity.overall;
        const valued = card.indicators.filter((l) => l.value !== null).length;
        process.stdout.write(
          `wrote ${out} and ${csv}: ${city.name} ${period.id}, overall ${o.score === null ? 'no score' : o.score.toFixed(1)}` +
            `${o.level === null ? '' : ` (maturity ${o.level} ${o.levelName})`}, ${valued} of ${card.indicators.length} indicators with a value\n`,
        );
        if (city.timeZone === undefined)
          process.stdout.write(
            `  ${period.id} read in UTC: city.json names no timeZone; add "timeZone": "${TIME_ZONE_EXAMPLE}" (its IANA name)\n`,
          );
        for (const gap of card.missing) process.stdout.write(`  missing: ${gap}\n`);
        const liveLines = card.indicators.filter((l) => l.kind === 'live' && l.value !== null);
        if (liveLines.length > 0)
          process.stdout.write(
            `  live history behind each value, as a share of ${period.id}: ${liveLines.map((l) => `${l.id} ${historyPct(l.coverage)}`).join(', ')}\n`,
          );
        for (const b of budgets)
          process.stdout.write(
            `  error budget ${b.objective.indicator}@${b.objective.scope} ${b.objective.target} %: ${b.text}, history behind ${(b.coverage * 100).toFixed(1)} % of ${period.id}\n`,
          );
      } finally {
        await store.close();
      }
    });
}

// `citygauge report --period P`: the ISO/IEC 30146 scorecard of a period as self-contained HTML and CSV
// (CONTRACT §5), from the scorecard store and the history store in the data dir; no engine needs to run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { REGISTRY_FILE, RegistryStore } from '../registry/store.js';
import { SCORECARD_FILE, ScorecardStore } from '../scorecard/admin-inputs.js';
import { formatScorecardError, importScorecardCsv, scorecardFiles } from '../scorecard/import-csv.js';
import { liveFromHistory } from '../scorecard/live-history.js';
import { isPeriod, parsePeriod } from '../scorecard/period.js';
import { renderReportCsv } from '../scorecard/report-csv.js';
import { renderReportHtml } from '../scorecard/report-html.js';
import { scorecardFromStore } from '../scorecard/scorecard.js';
import { UsageError } from './errors.js';

interface ReportOptions {
  period: string;
  dataDir: string;
  out?: string;
  csv?: string;
  inventory?: string;
}

/** The registry's city name, else the inventory's city.json, else "City". */
function cityName(dataDir: string, inventory: string | undefined): string {
  if (existsSync(join(dataDir, REGISTRY_FILE))) {
    const registry = RegistryStore.open(dataDir);
    try {
      return registry.load().city.name;
    } finally {
      registry.close();
    }
  }
  if (inventory && existsSync(join(inventory, 'city.json'))) {
    try {
      const name = (JSON.parse(readFileSync(join(inventory, 'city.json'), 'utf8')) as { name?: unknown })
        .name;
      if (typeof name === 'string' && name !== '') return name;
    } catch {
      // A broken city.json is `citygauge import`'s to report; the report just goes without the name.
    }
  }
  return 'City';
}

/**
 * The data dir's scorecard store. With --inventory and no entries yet, `scorecard-*.csv` from the inventory
 * is imported into it first, as `citygauge start` does on first start; without, a data dir lacking a store
 * is read as empty and left without one.
 */
async function openStore(opts: ReportOptions): Promise<ScorecardStore> {
  const exists = existsSync(join(opts.dataDir, SCORECARD_FILE));
  if (!exists && !opts.inventory) return ScorecardStore.inMemory();
  const store = ScorecardStore.open(opts.dataDir);
  if (opts.inventory && store.isEmpty()) {
    const files = scorecardFiles(opts.inventory);
    if (files.length === 0)
      process.stderr.write(
        `no scorecard-*.csv in ${opts.inventory}: the report has no administrative inputs\n`,
      );
    for (const file of files) {
      const r = await importScorecardCsv(store, file);
      for (const e of r.errors) process.stderr.write(`${formatScorecardError(e)}\n`);
      process.stdout.write(`imported ${r.accepted} scorecard entries from ${file} into ${store.path}\n`);
    }
  }
  return store;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the ISO/IEC 30146 scorecard of a period as self-contained HTML and CSV')
    .requiredOption('--period <period>', 'a year or a quarter: 2026, 2026-Q3')
    .option('--data-dir <dir>', 'where the scorecard and history stores live', './data')
    .option('--out <file>', 'the HTML file (default report-<period>.html)')
    .option('--csv <file>', 'the CSV file (default: the HTML file with .csv)')
    .option(
      '--inventory <dir>',
      'import its scorecard-*.csv first when the data dir has no scorecard entries',
    )
    .action(async (opts: ReportOptions) => {
      const period = parsePeriod(opts.period);
      if (!isPeriod(period)) throw new UsageError(`--period ${period.message}`);
      const out = opts.out ?? `report-${period.id}.html`;
      const csv = opts.csv ?? `${out.replace(/\.html?$/i, '')}.csv`;
      const store = await openStore(opts);
      try {
        const live = await liveFromHistory(opts.dataDir, period, store.catalogue);
        const card = scorecardFromStore(store, period.id, live.values, live.note);
        const city = cityName(opts.dataDir, opts.inventory);
        writeFileSync(out, renderReportHtml(card, { city, generatedAt: new Date().toISOString() }));
        writeFileSync(csv, renderReportCsv(card));
        const o = card.maturity.overall;
        const valued = card.indicators.filter((l) => l.value !== null).length;
        process.stdout.write(
          `wrote ${out} and ${csv}: ${city} ${period.id}, overall ${o.score === null ? 'no score' : o.score.toFixed(1)}` +
            `${o.level === null ? '' : ` (maturity ${o.level} ${o.levelName})`}, ${valued} of ${card.indicators.length} indicators with a value\n`,
        );
        for (const gap of card.missing) process.stdout.write(`  missing: ${gap}\n`);
      } finally {
        store.close();
      }
    });
}

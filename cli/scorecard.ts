// `citygauge scorecard import FILE.csv`: administrative inputs of ISO/IEC 30146 indicators from a CSV file.
// Exit 0 when every row was fine, 1 when rows were rejected, 2 for bad arguments (cli/main.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SCORECARD_FILE, ScorecardStore } from '../scorecard/admin-inputs.js';
import { formatScorecardError, importScorecardCsv } from '../scorecard/import-csv.js';
import { loadUserIndicators, ScorecardFileError } from '../scorecard/inventory-files.js';
import { CliError, UsageError } from './errors.js';
import { auditCommand } from './open-people.js';
import { openScorecard, scorecardWritten } from './open-scorecard.js';

interface ScorecardImportOptions {
  dataDir: string;
  db?: string;
  strict?: boolean;
  dryRun?: boolean;
  replace?: boolean;
  indicators?: string;
}

const plural = (x: number, word: string) => `${x} ${word}${x === 1 ? '' : 's'}`;

export function registerScorecard(program: Command): void {
  const scorecard = program.command('scorecard').description('ISO/IEC 30146 administrative inputs');
  scorecard
    .command('import')
    .description('import administrative inputs: indicator,period,source,entered_by,<input columns…>')
    .argument('<file>', 'a CSV file; input columns are named as GET /api/scorecard/indicators lists them')
    .option('--data-dir <dir>', 'where the scorecard store lives', './data')
    .option(
      '--db <url>',
      'keep the scorecard in this PostgreSQL (postgres://user:password@host:5432/db), shared by every node, instead of --data-dir',
    )
    .option('--strict', 'all or nothing: apply no row when any row is rejected')
    .option('--dry-run', 'validate and report what would be imported; write nothing')
    .option('--replace', 'supersede values already entered for the same indicator and period')
    .option(
      '--indicators <file>',
      "the city's own ISO/IEC 30146 indicators (JSON or YAML): the store remembers them (not on a dry run)",
    )
    .action(async (file: string, opts: ScorecardImportOptions) => {
      if (!existsSync(file)) throw new UsageError(`no file '${file}'`);
      if (opts.indicators && !existsSync(opts.indicators))
        throw new UsageError(`indicators file '${opts.indicators}' does not exist`);
      // A dry run against a data dir without a store checks against an empty one and creates nothing.
      const store =
        !opts.db && opts.dryRun && !existsSync(join(opts.dataDir, SCORECARD_FILE))
          ? ScorecardStore.inMemory()
          : await openScorecard(opts);
      try {
        if (opts.indicators) {
          try {
            loadUserIndicators(store, opts.indicators, { remember: !opts.dryRun });
          } catch (err) {
            throw err instanceof ScorecardFileError ? new CliError(err.message) : err;
          }
        }
        const r = await importScorecardCsv(store, file, opts);
        await scorecardWritten(store);
        for (const e of r.errors) process.stderr.write(`${formatScorecardError(e)}\n`);
        const failed = r.errors.length > 0;
        const left = r.rejected > 0 ? ` (${plural(r.rejected, 'bad row')})` : '';
        if (opts.dryRun)
          process.stdout.write(
            `dry run, nothing written: would import ${
              opts.strict && failed
                ? `nothing, --strict and ${plural(r.errors.length, 'error')}`
                : `${plural(r.accepted, 'entry').replace('entrys', 'entries')}${left}`
            }\n`,
          );
        else if (!r.applied)
          process.stdout.write(
            `nothing imported: --strict and ${plural(r.errors.length, 'error')}; fix them and run again\n`,
          );
        else {
          await auditCommand(opts, {
            action: 'scorecard.import',
            target: file,
            after: { accepted: r.accepted, rejected: r.rejected },
          });
          process.stdout.write(
            `imported into ${store.path}: ${plural(r.accepted, 'entry').replace('entrys', 'entries')}${left}\n`,
          );
          if (failed) process.stderr.write('the valid rows were imported; fix the bad ones and run again\n');
        }
        if (failed) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}

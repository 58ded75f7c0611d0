// `citygauge import DIR`: bulk import of an inventory folder into the registry (CONTRACT §5).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { formatRowError, type LoadCounts, loadInventoryDir } from '../registry/load-inventory.js';
import { RegistryStore } from '../registry/store.js';
import { UsageError } from './errors.js';
import { type Progress, progressBar } from './progress.js';

interface ImportOptions {
  dataDir: string;
  strict?: boolean;
  dryRun?: boolean;
}

const n = (x: number) => x.toLocaleString('en');

export function summary(counts: LoadCounts): string {
  return [
    `areas ${n(counts.areas.accepted)}`,
    `pipe segments ${n(counts.pipeSegments.accepted)}`,
    `routes ${n(counts.routes.accepted)}`,
    `sites ${n(counts.sites.accepted)}`,
    `devices ${n(counts.devices.accepted)}`,
  ].join(', ');
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'import an inventory folder (areas, pipe segments, GTFS routes, sites, devices) into the registry',
    )
    .argument('<dir>', 'inventory folder')
    .option('--data-dir <dir>', 'where the registry lives', './data')
    .option('--strict', 'all or nothing: apply no row when any row is bad')
    .option('--dry-run', 'validate and report, write nothing')
    .action(async (dir: string, opts: ImportOptions) => {
      if (!existsSync(dir)) throw new UsageError(`inventory folder '${dir}' does not exist`);
      // A dry run must not create the database, so it only reads one that already exists.
      const exists = existsSync(join(opts.dataDir, 'registry.sqlite'));
      const store = opts.dryRun && !exists ? undefined : RegistryStore.open(opts.dataDir);
      try {
        let bar: Progress | undefined;
        const result = await loadInventoryDir(dir, {
          strict: opts.strict,
          existing: store?.load(),
          onProgress: ({ bytes, totalBytes }) => {
            bar ??=
              totalBytes > 1e6 ? progressBar('import', totalBytes, 'bytes') : { update() {}, stop() {} };
            bar.update(bytes);
          },
        }).catch((err: Error & { code?: string }) => {
          throw err.code === 'ERR_INVENTORY_DIR' ? new UsageError(err.message) : err;
        });
        bar?.stop();
        for (const e of result.errors) process.stderr.write(`${formatRowError(e)}\n`);
        const bad = result.errors.length;
        const rejected = bad ? ` (${n(bad)} bad row${bad === 1 ? '' : 's'})` : '';

        if (opts.strict && bad) {
          process.stdout.write(
            `nothing imported: --strict and ${n(bad)} bad row(s); fix them and run again\n`,
          );
        } else if (opts.dryRun) {
          process.stdout.write(
            `dry run, nothing written: would import ${summary(result.counts)}${rejected}\n`,
          );
        } else {
          store!.upsert(result.inventory);
          process.stdout.write(`imported into ${store!.path}: ${summary(result.counts)}${rejected}\n`);
        }
        if (bad) process.exitCode = 1;
      } finally {
        store?.close();
      }
    });
}

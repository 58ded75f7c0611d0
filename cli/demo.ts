// `citygauge demo`: replays a recorded day-part of the sample city (recorded on first use, seeded) as fast
// as the CPU allows and prints its indicators per district: the whole engine at a glance, no servers.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CityEngine } from '../engine/city-engine.js';
import { replayRecording } from '../engine/replay.js';
import { formatTime } from '../engine/time.js';
import { recordSampleTraffic } from '../examples/record.js';
import { RegistryStore } from '../registry/store.js';
import { positiveFlag, SEED_MAX, wholeFlag } from './flags.js';
import { indicatorTable } from './indicator-table.js';
import type { City } from './load-city.js';
import { loadCatalogue, loadInventoryStrictly } from './load-city.js';
import { fileSize, progressBar } from './progress.js';

export const SAMPLE_CITY_DIR = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));

interface StartOptions {
  dataDir: string;
  inventory: string;
  hours: number;
  seed: number;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('replay hours of the sample city in seconds and print its indicators per district')
    .option('--data-dir <dir>', 'where recordings and the registry live', './data')
    .option('--inventory <dir>', 'inventory folder', SAMPLE_CITY_DIR)
    .option('--hours <n>', 'hours of sample traffic to record and replay', positiveFlag(24 * 366), 3)
    .option('--seed <n>', 'seed of the sample recording', wholeFlag(0, SEED_MAX), 42)
    .action(async (opts: StartOptions) => {
      const { hours, seed } = opts;
      const city = await registryCity(opts.dataDir, opts.inventory);
      mkdirSync(opts.dataDir, { recursive: true });
      const recording = resolve(join(opts.dataDir, `sample-${seed}-${hours}h.jsonl`));

      if (!existsSync(recording)) {
        process.stderr.write(`recording ${hours} h of sample traffic (seed ${seed}) to ${recording}\n`);
        const bar = progressBar('record', 1000);
        const made = await recordSampleTraffic({
          inventoryDir: opts.inventory,
          out: recording,
          hours,
          seed,
          onProgress: (f) => bar.update(Math.round(f * 1000)),
        });
        bar.stop();
        process.stderr.write(
          `recorded ${made.lines.toLocaleString('en')} messages, ${(made.bytes / 1e6).toFixed(0)} MB\n`,
        );
      }

      const engine = new CityEngine(city.inventory, city.catalogue);
      const bar = progressBar('replay', fileSize(recording), 'bytes');
      const started = performance.now();
      // No --at here: replay everything, then report at the last receive time.
      await replayRecording(engine, recording, [], {
        onProgress: (b) => bar.update(b),
      });
      bar.stop();
      const seconds = (performance.now() - started) / 1000;
      const total = engine.accepted + Object.values(engine.rejected).reduce((a, b) => a + b, 0);
      const final = engine.snapshot(engine.now);

      const names = new Map(city.catalogue.map((d) => [d.id, d.name]));
      process.stdout.write(
        `\n${city.inventory.city.name} at ${formatTime(final.at)} (end of the sample recording)\n\n`,
      );
      process.stdout.write(`${indicatorTable(final, names)}\n\n`);
      const rejected = Object.entries(final.rejected)
        .filter(([, n]) => n > 0)
        .map(([r, n]) => `${r} ${n}`)
        .join(', ');
      process.stdout.write(
        `replayed ${total.toLocaleString('en')} messages in ${seconds.toFixed(1)} s ` +
          `(${Math.round(total / seconds).toLocaleString('en')} msg/s); accepted ${engine.accepted.toLocaleString('en')}, ` +
          `rejected: ${rejected || 'none'}\n`,
      );
    });
}

/** docs/contract.md §5: the inventory is imported into the registry on first start; later starts read the registry. */
async function registryCity(dataDir: string, inventoryDir: string): Promise<City> {
  const store = await RegistryStore.open(dataDir);
  try {
    if (store.isEmpty()) {
      store.upsert(await loadInventoryStrictly(inventoryDir));
      process.stderr.write(`first start: imported ${inventoryDir} into ${store.path}\n`);
    }
    return { inventory: store.load(), catalogue: loadCatalogue(inventoryDir) };
  } finally {
    store.close();
  }
}

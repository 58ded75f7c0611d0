// `citygauge dashboards --out DIR`: the Grafana dashboards generated from the indicator catalogue, for
// Grafana's file provisioning (deploy/grafana/provisioning/). With --inventory, the city's own indicators
// get panels too and its city.json thresholds colour them. `citygauge dashboards --out
// deploy/grafana/dashboards` regenerates the committed ones (a test fails when they are stale).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { dashboardFiles } from '../indicators/grafana/generate.js';
import { readCityFile } from '../registry/city-file.js';
import type { Threshold } from '../registry/inventory.js';
import { CliError, UsageError } from './errors.js';
import { loadCatalogue } from './load-city.js';

function cityThresholds(inventory: string | undefined): Threshold[] {
  if (inventory === undefined) return [];
  if (!existsSync(inventory)) throw new UsageError(`inventory folder '${inventory}' does not exist`);
  const file = join(inventory, 'city.json');
  if (!existsSync(file)) return [];
  const read = readCityFile(file);
  if ('error' in read) throw new CliError(`${file}:1: ${read.error}`);
  return read.city.thresholds;
}

export function registerDashboards(program: Command): void {
  program
    .command('dashboards')
    .description(
      "write Grafana dashboards generated from the indicator catalogue: the city's indicators from InfluxDB (InfluxQL and Flux) and citygauge's own health from Prometheus",
    )
    .requiredOption('--out <dir>', 'the folder to write them to (created if missing)')
    .option(
      '--inventory <dir>',
      "the city's inventory folder: its indicators.yaml/.json get panels, its city.json thresholds colour them",
    )
    .option('--indicators <file>', "the city's own indicators (YAML or JSON), instead of the inventory's")
    .action((opts: { out: string; inventory?: string; indicators?: string }) => {
      const thresholds = cityThresholds(opts.inventory);
      const files = dashboardFiles(loadCatalogue(opts.inventory, opts.indicators), thresholds);
      const dir = resolve(opts.out);
      try {
        mkdirSync(dir, { recursive: true });
        for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      } catch (err) {
        throw new CliError(`cannot write the dashboards to ${dir}: ${(err as Error).message}`);
      }
      process.stdout.write(`wrote ${Object.keys(files).join(', ')} to ${dir}\n`);
    });
}

// The cities bench:cluster runs: the sample city and the generated metro, each with half an hour of recorded
// traffic (recorded once into bench/out and reused), and how one is imported into a data dir.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cityShape, generateSampleCity } from '../../examples/generate-city.js';
import { recordSampleTraffic } from '../../examples/record.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { CLI, outDir, root, say } from './settings.js';

const run = promisify(execFile);

export interface City {
  name: string;
  inventory: string;
  recording: string;
  /** Registered devices. */
  devices: number;
  /** Recorded messages per device per hour: what a device of this city sends. */
  perDevicePerHour: number;
}

export async function sampleCity(): Promise<City> {
  const inventory = join(root, 'examples', 'sample-city');
  const recording = join(outDir, 'cluster-sample-0.5h.jsonl');
  if (!existsSync(recording)) {
    say(`recording half an hour of sample city traffic to ${recording} ...`);
    await recordSampleTraffic({ inventoryDir: inventory, out: recording, hours: 0.5, seed: 7 });
  }
  return cityOf('sample city', inventory, recording, 0.5);
}

/** The same metro and recording bench:replay makes (and shares with it). */
export async function metroCity(): Promise<City> {
  const dir = join(outDir, 'metro-seed11');
  const inventory = join(dir, 'inventory');
  const recording = join(dir, 'traffic-0.5h.jsonl');
  if (!existsSync(join(dir, 'devices.json'))) {
    say(`generating the 25,000-device metro into ${inventory} ...`);
    const made = generateSampleCity(inventory, 11, { shape: cityShape('metro') });
    writeFileSync(join(dir, 'devices.json'), JSON.stringify({ devices: made.devices }));
  }
  if (!existsSync(recording)) {
    say(`recording half an hour of metro traffic to ${recording} ...`);
    await recordSampleTraffic({ inventoryDir: inventory, out: recording, hours: 0.5, seed: 12 });
  }
  return cityOf('metro (generated)', inventory, recording, 0.5);
}

async function cityOf(name: string, inventory: string, recording: string, hours: number): Promise<City> {
  const { inventory: inv } = await loadInventoryDir(inventory);
  const lines = readFileSync(recording).reduce((n, b) => (b === 10 ? n + 1 : n), 0);
  return {
    name,
    inventory,
    recording,
    devices: inv.devices.size,
    perDevicePerHour: lines / hours / inv.devices.size,
  };
}

export async function importCity(inventory: string, dataDir: string): Promise<void> {
  await run(process.execPath, [CLI, 'import', inventory, '--data-dir', dataDir], {
    maxBuffer: 1 << 24,
    env: { ...process.env, CITYGAUGE_ADMIN_TOKEN: 'bench-admin-token-0123456789' },
  });
}

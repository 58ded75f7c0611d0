// The generated 25,000-device city (examples/city/shape.ts `metro`) and 1M+ messages of its traffic, for
// tests that need a city larger than the sample: made once per seed, size and generator source, then
// reused by every test file (and every later run) from a folder under the system's temp directory.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CityShape } from '../../examples/city/shape.js';
import { cityShape, generateSampleCity } from '../../examples/generate-city.js';
import { recordSampleTraffic } from '../../examples/record.js';

export interface BigCityOptions {
  /** Generator seed (default 11); the recording's seed is this + 1. */
  seed?: number;
  /** About this many devices (default: the metro shape's own 25,134). */
  devices?: number;
  /** Simulated hours of traffic (default 0.5: ~1.28M messages at the metro's size). */
  hours?: number;
}

export interface BigCity {
  /** Inventory folder (city.json, devices.csv, ...), ready for `loadCity` or `--inventory`. */
  inventoryDir: string;
  /** Replay lines (docs/contract.md §5), for `replayRecording` or `--input`. */
  recording: string;
  devices: number;
  messages: number;
  bytes: number;
  /** The recording's first and last instants, RFC 3339. */
  start: string;
  end: string;
  /** Seconds it took to make, when this call made it (0 when it was already there). */
  madeInSeconds: number;
}

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const DEFAULT_SEED = 11;
const DEFAULT_HOURS = 0.5;
/** Far longer than making the city takes on a busy 2-core machine (~20 s): an older lock is a dead maker's. */
const MAKER_TIMEOUT_MS = 180_000;

/** A fingerprint of the generator and recorder: editing either makes a new city instead of reusing a stale one. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, name.name);
      if (name.isDirectory()) {
        if (name.name !== 'sample-city') walk(path);
      } else if (name.name.endsWith('.ts')) hash.update(name.name).update(readFileSync(path));
    }
  };
  walk(EXAMPLES);
  return hash.digest('hex').slice(0, 12);
}

/** The city for these options, made now if no earlier run (or a test file running alongside) made it. */
export async function bigCity(opts: BigCityOptions = {}): Promise<BigCity> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const hours = opts.hours ?? DEFAULT_HOURS;
  const shape = cityShape('metro', opts.devices); // a bad size is refused before anything waits or is made
  const root = join(tmpdir(), 'citygauge-big-city');
  const key = `metro-${opts.devices ?? 'default'}-seed${seed}-${hours}h-${sourceHash()}`;
  const dir = join(root, key);
  const manifest = join(dir, 'manifest.json');
  const ready = (): BigCity => ({
    ...JSON.parse(readFileSync(manifest, 'utf8')),
    ...paths(dir),
    madeInSeconds: 0,
  });
  if (existsSync(manifest)) return ready();

  mkdirSync(root, { recursive: true });
  forgetStale(root, key);
  // One maker at a time: a test file arriving while another makes the city waits for it rather than
  // making a second copy on a 2-core machine. A lock older than MAKER_TIMEOUT_MS is a maker that died.
  const lock = `${dir}.lock`;
  while (!takeLock(lock)) {
    if (existsSync(manifest)) return ready();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  try {
    if (existsSync(manifest)) return ready();
    return await make(dir, seed, hours, shape);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** mkdir is atomic: whoever creates the lock folder makes the city. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (Date.now() - since > MAKER_TIMEOUT_MS) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

/** Made in a private folder and renamed into place whole: a reader never sees half a city. */
async function make(dir: string, seed: number, hours: number, shape: CityShape): Promise<BigCity> {
  const work = mkdtempSync(`${dir}.making-`);
  try {
    const began = performance.now();
    const made = paths(work);
    const summary = generateSampleCity(made.inventoryDir, seed, { shape });
    const rec = await recordSampleTraffic({
      inventoryDir: made.inventoryDir,
      out: made.recording,
      hours,
      seed: seed + 1,
    });
    const city = {
      devices: summary.devices,
      messages: rec.lines,
      bytes: rec.bytes,
      start: rec.start,
      end: rec.end,
    };
    writeFileSync(join(work, 'manifest.json'), `${JSON.stringify(city, null, 2)}\n`);
    const madeInSeconds = (performance.now() - began) / 1000;
    renameSync(work, dir);
    return { ...city, ...paths(dir), madeInSeconds };
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

/** Cities made by older generator sources (~170 MB each), once a day has passed: another checkout may still use a newer one. */
function forgetStale(root: string, key: string): void {
  const family = key.slice(0, key.lastIndexOf('-') + 1);
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (name !== key && name.includes(family) && Date.now() - statSync(path).mtimeMs > 86_400_000)
      rmSync(path, { recursive: true, force: true });
  }
}

function paths(dir: string) {
  return { inventoryDir: join(dir, 'inventory'), recording: join(dir, 'traffic.jsonl') };
}

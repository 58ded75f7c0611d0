// `npm run bench:replay`: one-thread replay throughput as a share of the same run's read + JSON.parse
// baseline, on the sample city and on the generated 25,000-device metro. Runs alternate between the two
// cities and between baseline and replay, each in a fresh process; each figure is the median, the ratio
// the median of each run's replay ÷ the baseline measured just before it (load on a shared machine drifts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cityShape, generateSampleCity } from '../../examples/generate-city.js';
import { recordSampleTraffic } from '../../examples/record.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..', '..');
const outDir = join(root, 'bench', 'out');

export interface CityBench {
  city: string;
  devices: number;
  messages: number;
  bytes: number;
  baselineMessagesPerSecond: number;
  messagesPerSecond: number;
  /** Median over runs of replay ÷ baseline, each pair measured back to back. */
  ratio: number;
  /** The same from CPU seconds (all threads): steadier than wall time when the machine is shared. */
  cpuRatio: number;
  peakRssMiB: number;
  /** `replay --shards 2` (two worker threads and the merge), msg/s and its ratio to the same baseline. */
  shardedMessagesPerSecond: number;
  shardedRatio: number;
}

interface BenchCity {
  city: string;
  inventory: string;
  recording: string;
  devices: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number) => Math.round(x).toLocaleString('en');

function worker(args: string[]): Record<string, number> {
  const out = execFileSync(process.execPath, [join(here, '..', 'replay-worker.js'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

async function sampleCity(hours: number): Promise<BenchCity> {
  const inventory = join(root, 'examples', 'sample-city');
  const recording = join(outDir, `sample-${hours}h.jsonl`);
  if (!existsSync(recording)) {
    process.stderr.write(`recording ${hours} h of sample city traffic to ${recording} ...\n`);
    await recordSampleTraffic({ inventoryDir: inventory, out: recording, hours, seed: 7 });
  }
  return { city: 'sample city', inventory, recording, devices: 2970 };
}

/** The metro and half an hour of its traffic (~1.28M messages), made once into bench/out. */
async function metroCity(hours: number): Promise<BenchCity> {
  const dir = join(outDir, 'metro-seed11');
  const inventory = join(dir, 'inventory');
  const recording = join(dir, `traffic-${hours}h.jsonl`);
  const summary = join(dir, 'devices.json');
  if (!existsSync(summary)) {
    process.stderr.write(`generating the 25,000-device metro into ${inventory} ...\n`);
    const made = generateSampleCity(inventory, 11, { shape: cityShape('metro') });
    writeFileSync(summary, JSON.stringify({ devices: made.devices }));
  }
  if (!existsSync(recording)) {
    process.stderr.write(`recording ${hours} h of metro traffic to ${recording} ...\n`);
    await recordSampleTraffic({ inventoryDir: inventory, out: recording, hours, seed: 12 });
  }
  const { devices } = JSON.parse(readFileSync(summary, 'utf8'));
  return { city: 'metro (generated)', inventory, recording, devices };
}

export async function runReplayBench(
  opts: { runs?: number; sampleHours?: number; metroHours?: number } = {},
): Promise<CityBench[]> {
  const runs = opts.runs ?? Number(process.env.BENCH_RUNS ?? 3);
  mkdirSync(outDir, { recursive: true });
  const cities = [
    await sampleCity(opts.sampleHours ?? Number(process.env.BENCH_HOURS ?? 4)),
    await metroCity(opts.metroHours ?? Number(process.env.BENCH_METRO_HOURS ?? 0.5)),
  ];
  const rates = cities.map(() => ({
    baseline: [] as number[],
    replay: [] as number[],
    cpuRatio: [] as number[],
    sharded: [] as number[],
    messages: 0,
    rss: 0,
  }));
  for (let r = 0; r < runs; r++) {
    cities.forEach((c, i) => {
      const b = worker(['baseline', c.recording]);
      const p = worker(['replay', c.recording, c.inventory]);
      const two = worker(['sharded', c.recording, c.inventory, '2']);
      if (two.messages !== p.messages)
        throw new Error(`${c.city}: replay counted ${p.messages} messages, --shards 2 ${two.messages}`);
      if (b.messages !== p.messages)
        throw new Error(`${c.city}: baseline read ${b.messages} lines, replay ${p.messages}`);
      const s = rates[i];
      s.messages = p.messages;
      s.rss = Math.max(s.rss, p.maxRssBytes);
      s.baseline.push(b.messages / b.seconds);
      s.replay.push(p.messages / p.seconds);
      s.cpuRatio.push(b.cpuSeconds / p.cpuSeconds);
      s.sharded.push(two.messages / two.seconds);
      process.stderr.write(
        `run ${r + 1}/${runs} ${c.city}: baseline ${fmt(s.baseline[r])} msg/s, replay ${fmt(s.replay[r])} msg/s` +
          ` (${((100 * s.replay[r]) / s.baseline[r]).toFixed(1)} %; CPU time ${(100 * s.cpuRatio[r]).toFixed(1)} %),` +
          ` --shards 2 ${fmt(s.sharded[r])} msg/s (${((100 * s.sharded[r]) / s.baseline[r]).toFixed(1)} %)\n`,
      );
    });
  }
  return cities.map((c, i) => {
    const s = rates[i];
    const base = median(s.baseline);
    const ours = median(s.replay);
    return {
      city: c.city,
      devices: c.devices,
      messages: s.messages,
      bytes: statSync(c.recording).size,
      baselineMessagesPerSecond: Math.round(base),
      messagesPerSecond: Math.round(ours),
      ratio: median(s.replay.map((x, r) => x / s.baseline[r])),
      cpuRatio: median(s.cpuRatio),
      peakRssMiB: s.rss / 2 ** 20,
      shardedMessagesPerSecond: Math.round(median(s.sharded)),
      shardedRatio: median(s.sharded.map((x, r) => x / s.baseline[r])),
    };
  });
}

/** The lines `npm run bench` and `npm run bench:replay` print for each city. */
export function replayReport(results: readonly CityBench[], runs: number): string[] {
  return results.flatMap((r) => [
    `replay of ${fmt(r.messages)} recorded messages, ${r.city} (${fmt(r.devices)} devices; median of ${runs} runs, fresh process each):`,
    `  baseline (read + JSON.parse each line) ${fmt(r.baselineMessagesPerSecond)} msg/s`,
    `  citygauge replay                      ${fmt(r.messagesPerSecond)} msg/s`,
    `  ratio                                 ${(100 * r.ratio).toFixed(1)} % (by CPU time ${(100 * r.cpuRatio).toFixed(1)} %)`,
    `  replay --shards 2 (2 threads + merge)  ${fmt(r.shardedMessagesPerSecond)} msg/s, ${(100 * r.shardedRatio).toFixed(1)} % of the baseline (target on the metro: >= 50 %)`,
    `  peak RSS while replaying the ${(r.bytes / 2 ** 20).toFixed(0)} MiB recording: ${r.peakRssMiB.toFixed(0)} MiB (streamed)`,
  ]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const results = await runReplayBench({ runs });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'replay.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`,
  );
  process.stdout.write(`\n${replayReport(results, runs).join('\n')}\n`);
}

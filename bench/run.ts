// `npm run bench`: replay throughput against a same-run baseline, and memory at 1M devices.
// Each figure is the median of several runs, each run in a fresh process.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordSampleTraffic } from '../examples/record.js';
import { runHistoryBench } from './history/run.js';
import { runIngest } from './ingest/run.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const outDir = join(root, 'bench', 'out');
const inventory = join(root, 'examples', 'sample-city');
const HOURS = Number(process.env.BENCH_HOURS ?? 4);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 1_000_000);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number) => Math.round(x).toLocaleString('en');

function worker(script: string, args: string[], nodeArgs: string[] = []): Record<string, number> {
  const out = execFileSync(process.execPath, [...nodeArgs, join(here, script), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

mkdirSync(outDir, { recursive: true });
const recording = join(outDir, `sample-${HOURS}h.jsonl`);
if (!existsSync(recording)) {
  process.stderr.write(`recording ${HOURS} h of sample city traffic to ${recording} ...\n`);
  await recordSampleTraffic({ inventoryDir: inventory, out: recording, hours: HOURS, seed: 7 });
}

const baseline: number[] = [];
const replay: number[] = [];
let messages = 0;
let replayPeakRss = 0;
for (let r = 0; r < RUNS; r++) {
  const b = worker('replay-worker.js', ['baseline', recording]);
  const c = worker('replay-worker.js', ['replay', recording, inventory]);
  if (b.messages !== c.messages) throw new Error(`baseline read ${b.messages} lines, replay ${c.messages}`);
  messages = c.messages;
  replayPeakRss = Math.max(replayPeakRss, c.maxRssBytes);
  baseline.push(b.messages / b.seconds);
  replay.push(c.messages / c.seconds);
  process.stderr.write(
    `run ${r + 1}/${RUNS}: baseline ${fmt(baseline[r])} msg/s, replay ${fmt(replay[r])} msg/s\n`,
  );
}
const base = median(baseline);
const ours = median(replay);

const mem = worker('memory-worker.js', [String(DEVICES)], ['--expose-gc', '--max-old-space-size=4096']);
const ingest = await runIngest();
const history = await runHistoryBench();
const rate = (target: string, qos: 0 | 1) =>
  ingest.results.find((r) => r.target === target && r.qos === qos)?.messagesPerSecond ?? 0;

const results = {
  date: new Date().toISOString(),
  node: process.version,
  recording: { messages, hours: HOURS, bytes: statSync(recording).size },
  replay: {
    messagesPerSecond: Math.round(ours),
    baselineMessagesPerSecond: Math.round(base),
    ratio: ours / base,
    peakRssMiB: replayPeakRss / 2 ** 20,
  },
  memory: { devices: mem.devices, rssMiB: mem.rssBytes / 2 ** 20, heapUsedMiB: mem.heapUsedBytes / 2 ** 20 },
  liveness: {
    devices: mem.devices,
    stateMiB: mem.stateBytes / 2 ** 20,
    saveMs: mem.saveMs,
    rawWriteMs: mem.rawWriteMs,
    restoreMs: mem.restoreMs,
    rawReadMs: mem.rawReadMs,
  },
  ingest,
  history,
};
writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES target');
process.stdout.write(
  [
    '',
    `replay of ${fmt(messages)} recorded messages (median of ${RUNS} runs, fresh process each):`,
    `  baseline (read + JSON.parse each line) ${fmt(base)} msg/s`,
    `  citygauge replay                      ${fmt(ours)} msg/s`,
    `  ratio                                 ${(100 * results.replay.ratio).toFixed(1)} %`,
    `  target: >= 300,000 msg/s and >= 35 % of baseline: ${verdict(ours >= 300_000 && results.replay.ratio >= 0.35)}`,
    `  peak RSS while replaying the ${(results.recording.bytes / 2 ** 20).toFixed(0)} MiB recording: ${results.replay.peakRssMiB.toFixed(0)} MiB (streamed)`,
    `memory with ${fmt(mem.devices)} registered devices, each heard once:`,
    `  RSS ${results.memory.rssMiB.toFixed(0)} MiB (heap used ${results.memory.heapUsedMiB.toFixed(0)} MiB)`,
    `  target: <= 1 GiB: ${verdict(mem.rssBytes <= 2 ** 30)}`,
    `liveness across a restart, ${fmt(mem.devices)} devices (${results.liveness.stateMiB.toFixed(1)} MiB engine-state.bin):`,
    `  save ${fmt(mem.saveMs)} ms (raw write + fsync of the same bytes ${fmt(mem.rawWriteMs)} ms)`,
    `  restore into a new engine ${fmt(mem.restoreMs)} ms (raw read ${fmt(mem.rawReadMs)} ms)`,
    'live ingest, 4 publishing processes, messages/s into indicator state (citygauge) or to one raw subscriber:',
    ...([0, 1] as const).map(
      (q) =>
        `  QoS ${q}: citygauge ${fmt(rate('citygauge', q))}, bare aedes ${fmt(rate('aedes', q))}, Mosquitto ${fmt(rate('mosquitto', q))}` +
        ` — ${(100 * (rate('citygauge', q) / rate('aedes', q))).toFixed(0)} % of bare aedes (target >= 70 %): ${verdict(rate('citygauge', q) >= 0.7 * rate('aedes', q))}`,
    ),
    `connection storm: ${fmt(ingest.storm.connected)} of ${fmt(ingest.storm.devices)} devices authenticated in ${ingest.storm.seconds.toFixed(1)} s`,
    'history writers, points/s (raw line-protocol POST of the same points in the same run):',
    ...history.map(
      (h) =>
        `  ${h.writer}: ${fmt(h.pointsPerSecond)}` +
        (h.baselinePointsPerSecond
          ? ` (raw POST ${fmt(h.baselinePointsPerSecond)}, ${((100 * h.pointsPerSecond) / h.baselinePointsPerSecond).toFixed(0)} %)`
          : ''),
    ),
    '',
  ].join('\n'),
);

// `npm run bench`: replay throughput against a same-run baseline (sample city and the generated metro),
// and memory at 1M devices. Each figure is the median of several runs, each run in a fresh process.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runHistoryBench } from './history/run.js';
import { runIngest } from './ingest/run.js';
import { replayReport, runReplayBench } from './replay/run.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const outDir = join(root, 'bench', 'out');
const HOURS = Number(process.env.BENCH_HOURS ?? 4);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 1_000_000);

const fmt = (x: number) => Math.round(x).toLocaleString('en');

function worker(script: string, args: string[], nodeArgs: string[] = []): Record<string, number> {
  const out = execFileSync(process.execPath, [...nodeArgs, join(here, script), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

mkdirSync(outDir, { recursive: true });
const replays = await runReplayBench({ runs: RUNS, sampleHours: HOURS });
const [sample] = replays;

const mem = worker('memory-worker.js', [String(DEVICES)], ['--expose-gc', '--max-old-space-size=4096']);
const ingest = await runIngest();
const history = await runHistoryBench();
const rate = (target: string, qos: 0 | 1) =>
  ingest.results.find((r) => r.target === target && r.qos === qos)?.messagesPerSecond ?? 0;

const results = {
  date: new Date().toISOString(),
  node: process.version,
  recording: { messages: sample.messages, hours: HOURS, bytes: sample.bytes },
  replay: sample,
  replays,
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
    ...replayReport(replays, RUNS),
    `  target (sample city): >= 300,000 msg/s and >= 35 % of baseline: ${verdict(sample.messagesPerSecond >= 300_000 && sample.ratio >= 0.35)}`,
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

// One timed pass over a recording, in a fresh process so runs do not share a warmed heap:
//   baseline — read the file in the same chunks and JSON.parse every line, nothing else;
//   replay   — the full citygauge replay (admission, liveness, indicators, means).
import { createReadStream } from 'node:fs';
import { loadCity } from '../cli/load-city.js';
import { replaySharded } from '../cluster/sharded-replay.js';
import { CityEngine } from '../engine/city-engine.js';
import { replayRecording } from '../engine/replay.js';

const [mode, file, inventoryDir] = process.argv.slice(2);

async function baseline(): Promise<number> {
  let lines = 0;
  let sink = 0;
  let carry = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = carry + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const rec = JSON.parse(text.slice(start, nl));
      if (rec.topic) sink++;
      lines++;
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  if (sink !== lines) throw new Error('a line had no topic');
  return lines;
}

async function replay(): Promise<number> {
  const { inventory, catalogue } = await loadCity(inventoryDir);
  const engine = new CityEngine(inventory, catalogue);
  const started = performance.now();
  const cpu = process.cpuUsage();
  await replayRecording(engine, file, []);
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuTime(cpu);
  const messages = engine.accepted + Object.values(engine.rejected).reduce((a, b) => a + b, 0);
  // Peak RSS shows the recording is streamed: it stays far below the file's size.
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    `${JSON.stringify({ messages, seconds, cpuSeconds, accepted: engine.accepted, maxRssBytes })}\n`,
  );
  return messages;
}

/** `--shards N`: worker threads each reading the file for its own partition, merged here (cluster/). */
async function sharded(shards: number): Promise<void> {
  const { inventory, catalogue } = await loadCity(inventoryDir);
  const started = performance.now();
  const cpu = process.cpuUsage();
  // One --at past the end: the whole recording goes through every partition and the merge.
  const result = await replaySharded({ inventory, catalogue, input: file, ats: [8.64e15], shards });
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuTime(cpu);
  const last = result.snapshots[result.snapshots.length - 1];
  const messages = last.accepted + Object.values(last.rejected).reduce((a, b) => a + b, 0);
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    `${JSON.stringify({ messages, seconds, cpuSeconds, accepted: last.accepted, maxRssBytes })}\n`,
  );
}

/** CPU seconds (all threads, GC included) since `from`: steadier than wall time on a shared machine. */
function cpuTime(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
}

if (mode === 'baseline') {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const messages = await baseline();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ messages, seconds, cpuSeconds: cpuTime(cpu) })}\n`);
} else if (mode === 'sharded') {
  await sharded(Number(process.argv[5] ?? 2));
} else {
  await replay();
}

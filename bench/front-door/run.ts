// What the front door costs (issue 11): QoS 1 msg/s through bare aedes against the same aedes with a front
// door whose append resolves at once (a log with no latency), so the figure is the hook's own overhead;
// BENCH_FRONT_DOOR_APPEND_MS=n makes each append take n ms, to see what a log's latency costs.
// 4 publishing processes (bench/ingest/publisher.ts, 500 in flight each), the broker in this process;
// rounds alternate so both see the same machine. `npm run build && node dist/bench/front-door/run.js`.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';
import { pino } from 'pino';
import { installFrontDoor } from '../../broker/front-door.js';
import { freePort } from '../free-port.js';

const publisher = fileURLToPath(new URL('../ingest/publisher.js', import.meta.url));
const PUBLISHERS = 4;
const PER_PUBLISHER = Number(process.env.BENCH_FRONT_DOOR_MESSAGES ?? 25_000);
const ROUNDS = Number(process.env.BENCH_FRONT_DOOR_ROUNDS ?? 3);
/** An append latency to model a log's acknowledgement (JetStream on loopback: about a millisecond). */
const APPEND_MS = Number(process.env.BENCH_FRONT_DOOR_APPEND_MS ?? 0);
const settle = (): Promise<void> =>
  APPEND_MS > 0 ? new Promise((resolve) => setTimeout(resolve, APPEND_MS)) : Promise.resolve();

async function round(withFrontDoor: boolean): Promise<number> {
  const aedes = await Aedes.createBroker();
  let appended = 0;
  if (withFrontDoor) {
    installFrontDoor(aedes, {
      append: async () => {
        await settle();
        appended++;
      },
      logger: pino({ level: 'silent' }),
    });
  }
  const total = PUBLISHERS * PER_PUBLISHER;
  let routed = 0;
  let first = 0;
  let last = 0;
  aedes.on('publish', (_packet, client) => {
    if (!client) return;
    if (routed++ === 0) first = performance.now();
    last = performance.now();
  });
  const port = await freePort();
  const server = createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `mqtt://127.0.0.1:${port}`;
  const children = Array.from({ length: PUBLISHERS }, (_, i) =>
    spawn(process.execPath, [publisher, url, `bench-${i}`, String(PER_PUBLISHER), '1', '', ''], {
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
  await Promise.all(children.map((c) => new Promise((resolve) => c.once('exit', resolve))));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  if (routed !== total) throw new Error(`routed ${routed} of ${total} messages`);
  if (withFrontDoor && appended !== total) throw new Error(`appended ${appended} of ${total} messages`);
  return total / ((last - first) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const plain: number[] = [];
const door: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  plain.push(await round(false));
  door.push(await round(true));
}
const fmt = (x: number) => Math.round(x).toLocaleString('en');
process.stdout.write(
  `QoS 1, ${PUBLISHERS} publishers × ${PER_PUBLISHER.toLocaleString('en')} messages, median of ${ROUNDS} rounds\n` +
    `  bare aedes                      ${fmt(median(plain))} msg/s  (${plain.map(fmt).join(', ')})\n` +
    `  aedes + front door (append ${APPEND_MS} ms) ${fmt(median(door))} msg/s  (${door.map(fmt).join(', ')})\n` +
    `  ratio                           ${(median(door) / median(plain)).toFixed(2)}\n`,
);

// One publishing process of bench:cluster: its share of the devices, each on its own MQTT connection with
// its own token, connected first (CONNECTING at most CONNECT_WINDOW at a time); then, on "go" from stdin,
// its messages in recorded order at QoS 1, at most WINDOW awaiting their PUBACK. Reports JSON lines on
// stdout: connected, progress each second (PUBACKs per broker URL), published. "end" closes everything.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import type { FleetShare } from './traffic.js';

const [planFile, urlsArg] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as FleetShare;
const urls = urlsArg.split(',');
const WINDOW = Number(process.env.BENCH_CLUSTER_WINDOW ?? 100);
const CONNECT_WINDOW = 100;
const CONNECT_TRIES = 5;

const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
const commands = createInterface({ input: process.stdin });
const waitFor = (word: string) =>
  new Promise<void>((resolve) => {
    const on = (line: string) => {
      if (line.trim() !== word) return;
      commands.off('line', on);
      resolve();
    };
    commands.on('line', on);
  });

const clients: mqtt.MqttClient[] = new Array(plan.devices.length);
let dropped = 0;
let reconnects = 0;
/** Connections refused or cut before their CONNACK and tried again, as a device would. */
let retried = 0;
const began = Date.now();
const failures: string[] = [];
await new Promise<void>((resolve) => {
  let next = 0;
  let settled = 0;
  const open = (d: number, attempt: number) => {
    const [id, token, u] = plan.devices[d];
    const c = mqtt.connect(urls[u], {
      clientId: id,
      username: id,
      password: token,
      reconnectPeriod: 0,
      connectTimeout: 60_000,
      keepalive: 120,
    });
    clients[d] = c;
    let first = true;
    let up = false;
    const settle = (err?: Error) => {
      if (!first) return;
      first = false;
      up = !err;
      if (err && attempt < CONNECT_TRIES) {
        retried++;
        c.end(true);
        setTimeout(() => open(d, attempt + 1), 250 * attempt);
        return;
      }
      if (err) failures.push(`${id}: ${err.message} (${attempt} tries)`);
      if (++settled === plan.devices.length) resolve();
      else if (next < plan.devices.length) open(next++, 1);
    };
    c.once('connect', () => {
      // From now on a device cut off reconnects and resends what was not acknowledged, as the edge agent does
      // (a front door whose log did not take a message closes the connection instead of a PUBACK).
      c.options.reconnectPeriod = 1000;
      c.on('reconnect', () => reconnects++);
      settle();
    });
    c.on('error', (err) => settle(err));
    c.on('close', () => {
      if (up) dropped++;
      settle(new Error('closed before CONNACK'));
    });
  };
  if (plan.devices.length === 0) resolve();
  while (next < Math.min(CONNECT_WINDOW, plan.devices.length)) open(next++, 1);
});
say({
  type: 'connected',
  connected: plan.devices.length - failures.length,
  failed: failures.length,
  retried,
  firstFailures: failures.slice(0, 3),
  ms: Date.now() - began,
});

await waitFor('go');
const acked = urls.map(() => 0);
let errors = 0;
let inflight = 0;
let resume: (() => void) | undefined;
const startedAt = Date.now();
const progress = setInterval(() => say({ type: 'progress', acked, errors, dropped, reconnects }), 1000);
const done = (u: number) => (err?: Error) => {
  inflight--;
  if (err) errors++;
  else acked[u]++;
  if (resume && inflight < WINDOW / 2) {
    const r = resume;
    resume = undefined;
    r();
  }
};
const callbacks = urls.map((_, u) => done(u));
for (const [d, topic, payload] of plan.messages) {
  inflight++;
  clients[d].publish(topic, payload, { qos: 1 }, callbacks[plan.devices[d][2]]);
  if (inflight >= WINDOW) await new Promise<void>((r) => (resume = r));
}
while (inflight > 0) await new Promise<void>((r) => (resume = r));
clearInterval(progress);
say({ type: 'published', acked, errors, dropped, reconnects, startedAt, endedAt: Date.now() });

await waitFor('end');
for (const c of clients) c?.end(true);
process.exit(0);

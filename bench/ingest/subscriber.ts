// The baselines' raw subscriber: one mqtt.js client on `city/#`, counting until it has `expected`
// messages or the stream has been idle for a while; prints the count and the first-to-last time.
import mqtt from 'mqtt';

const [url, expectedArg, qosArg] = process.argv.slice(2);
const expected = Number(expectedArg);
const IDLE_MS = 3000;
let received = 0;
let first = 0;
let last = 0;
let idle: NodeJS.Timeout | undefined;

const finish = () => {
  process.stdout.write(`${JSON.stringify({ received, seconds: (last - first) / 1000 })}\n`);
  process.exit(0);
};
const client = mqtt.connect(url, { clientId: 'bench-subscriber', reconnectPeriod: 0 });
client.on('connect', () =>
  client.subscribe('city/#', { qos: Number(qosArg) as 0 | 1 }, () => process.stdout.write('ready\n')),
);
client.on('message', () => {
  const now = performance.now();
  if (received++ === 0) first = now;
  last = now;
  if (received >= expected) finish();
  clearTimeout(idle);
  idle = setTimeout(finish, IDLE_MS);
});

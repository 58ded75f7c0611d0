// One process of the connection storm: opens its share of device connections, each authenticating with
// its own token, at most WINDOW at a time, and reports when the last CONNACK arrived.
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';

const [url, credsFile, fromArg, toArg] = process.argv.slice(2);
const creds = JSON.parse(readFileSync(credsFile, 'utf8')) as [string, string][];
const mine = creds.slice(Number(fromArg), Number(toArg));
const WINDOW = 250;
const clients: mqtt.MqttClient[] = [];
let next = 0;
let connected = 0;
let failed = 0;
const started = Date.now();

await new Promise<void>((resolve) => {
  const open = () => {
    if (next >= mine.length) return;
    const [id, token] = mine[next++];
    const c = mqtt.connect(url, {
      clientId: id,
      username: id,
      password: token,
      reconnectPeriod: 0,
      connectTimeout: 60_000,
    });
    clients.push(c);
    const settle = (ok: boolean) => {
      if (ok) connected++;
      else failed++;
      if (connected + failed === mine.length) resolve();
      else open();
    };
    c.once('connect', () => settle(true));
    c.once('error', () => settle(false));
  };
  for (let i = 0; i < WINDOW; i++) open();
});
process.stdout.write(`${JSON.stringify({ connected, failed, started, ended: Date.now() })}\n`);
for (const c of clients) c.end(true);
process.exit(0);

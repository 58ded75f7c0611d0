// The soak's steady extra load, in its own process as real devices would be: each registered sensor on its
// own MQTT connection, a retained status online on connect, then a reading (QoS 1) every `intervalMs`,
// phases spread evenly. Prints one JSON line of counts every 10 s.
//   node load.js <mqtt url> <credentials.json: [[id, token], ...]> <interval ms>
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';

const [url, credentialsFile, intervalArg] = process.argv.slice(2);
const intervalMs = Number(intervalArg);
const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as [string, string][];
const counts = { devices: credentials.length, connected: 0, sent: 0, acked: 0, errors: 0 };
const clients: mqtt.MqttClient[] = [];
const timers: NodeJS.Timeout[] = [];

credentials.forEach(([id, token], i) => {
  // Connections come up over ~5 s, not all in one burst: this is load, not a connection storm.
  const startIn = Math.floor((i / credentials.length) * 5000);
  timers.push(
    setTimeout(() => {
      const status = `city/sensor/${id}/status`;
      const client = mqtt.connect(url, {
        clientId: id,
        username: id,
        password: token,
        keepalive: 30,
        reconnectPeriod: 2000,
        will: { topic: status, payload: Buffer.from('{"state":"offline"}'), qos: 1, retain: true },
      });
      clients.push(client);
      let seq = 0;
      const publish = (topic: string, body: object, retain = false) => {
        counts.sent++;
        client.publish(
          topic,
          JSON.stringify({ ...body, ts: Date.now(), seq: ++seq }),
          { qos: 1, retain },
          (err) => {
            if (err) counts.errors++;
            else counts.acked++;
          },
        );
      };
      client.on('connect', () => publish(status, { state: 'online' }, true));
      client.on('error', () => {
        counts.errors++;
      });
      const phase = Math.floor((i / credentials.length) * intervalMs);
      timers.push(
        setTimeout(() => {
          const read = () => {
            if (client.connected)
              publish(`city/sensor/${id}/telemetry`, {
                metrics: { pm25: 5 + (seq % 40), no2: 12.5 + (seq % 7), temp: 21.5 },
              });
          };
          read();
          timers.push(setInterval(read, intervalMs));
        }, phase),
      );
    }, startIn),
  );
});

const line = () => {
  counts.connected = clients.filter((c) => c.connected).length;
  return `${JSON.stringify(counts)}\n`;
};
const report = setInterval(() => process.stdout.write(line()), 10_000);

const stop = () => {
  clearInterval(report);
  for (const t of timers) clearTimeout(t);
  process.stdout.write(line());
  let open = clients.length;
  if (open === 0) process.exit(0);
  for (const c of clients)
    c.end(true, {}, () => {
      if (--open === 0) process.exit(0);
    });
  setTimeout(() => process.exit(0), 3000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

// One publishing device for the ingest bench: N sensor readings (~150-byte JSON) as fast as the broker
// takes them. QoS 1 keeps at most WINDOW unacknowledged, as a device's outbox would.
import mqtt from 'mqtt';

const [url, id, count, qosArg, username, password] = process.argv.slice(2);
const total = Number(count);
const qos = Number(qosArg) as 0 | 1;
const WINDOW = 500;
const topic = `city/sensor/${id}/telemetry`;

const client = mqtt.connect(url, {
  clientId: id,
  username: username || undefined,
  password: password || undefined,
  reconnectPeriod: 0,
});
client.on('error', (err) => {
  process.stderr.write(`publisher ${id}: ${err.message}\n`);
  process.exit(1);
});
client.on('connect', async () => {
  let inflight = 0;
  let resume: (() => void) | undefined;
  const done = () => {
    inflight--;
    if (resume && inflight < WINDOW / 2) {
      const r = resume;
      resume = undefined;
      r();
    }
  };
  for (let seq = 1; seq <= total; seq++) {
    const payload = `{"ts":${Date.now()},"seq":${seq},"metrics":{"pm25":${(seq % 97) + 0.5},"no2":${(seq % 53) + 0.25},"o3":41.5,"co":0.35,"temp":21.5}}`;
    if (qos === 1) {
      inflight++;
      client.publish(topic, payload, { qos: 1 }, done);
      if (inflight >= WINDOW) await new Promise<void>((r) => (resume = r));
    } else {
      client.publish(topic, payload, { qos: 0 });
      // Let the socket drain now and then, or the process holds the whole flood in memory.
      if (seq % 2000 === 0) await new Promise((r) => setImmediate(r));
    }
  }
  client.end(false, {}, () => process.exit(0));
});

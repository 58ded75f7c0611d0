// The engine beside Debian's Mosquitto: device messages in, retained indicators out, and a persistent
// session that keeps what arrives while the engine is away.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CityEngine } from '../../engine/city-engine.js';
import { LiveCity } from '../../engine/live.js';
import { connectEngineClient, mqttMessages } from '../../engine/mqtt-source.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { makeInventory } from '../support/city.js';
import { type Mosquitto, startMosquitto } from '../support/mosquitto.js';

const catalogue = buildCatalogue(LIVE_CATALOGUE);
const inventory = () =>
  makeInventory({
    sites: [{ id: 'smelter', class: 'pollution', district: 'north' }],
    devices: [
      { id: 'sen-1', kind: 'sensor', assetId: 'smelter' },
      { id: 'sen-2', kind: 'sensor', district: 'south' },
    ],
  });

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.stop();
});

const connected = (c: MqttClient) =>
  new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });

/** Resolves with the first retained/live message on `topic` whose JSON satisfies `pred`. */
function waitForMessage(
  url: string,
  topic: string,
  pred: (m: Record<string, unknown>) => boolean,
  timeoutMs = 10_000,
) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const c = mqtt.connect(url, { clientId: `watch-${Math.random()}` });
    const timer = setTimeout(() => {
      c.end(true);
      reject(new Error(`no message on ${topic} matching in ${timeoutMs} ms`));
    }, timeoutMs);
    c.on('connect', () => c.subscribe(topic, { qos: 1 }));
    c.on('message', (t, payload) => {
      const m = JSON.parse(payload.toString());
      if (t === topic && pred(m)) {
        clearTimeout(timer);
        c.end(true);
        resolve(m);
      }
    });
  });
}

function startEngine(engine: CityEngine, clientId: string) {
  const client = connectEngineClient({ url: broker.url, clientId });
  const live = new LiveCity({
    engine,
    messages$: mqttMessages(client),
    publish: (topic, payload) => client.publish(topic, payload, { retain: true, qos: 1 }),
    meta: new Map(catalogue.map((d) => [d.id, { name: d.name, unit: d.unit }])),
    everyMs: 200,
  });
  live.start();
  return { client, live };
}

describe('engine against Mosquitto', () => {
  it('turns device messages into retained indicator values for the city and each district', async () => {
    const engine = new CityEngine(inventory(), catalogue);
    const { client, live } = startEngine(engine, 'engine-a');
    await connected(client);
    const device = mqtt.connect(broker.url, { clientId: 'sen-1' });
    await connected(device);
    device.publish('city/sensor/sen-1/heartbeat', JSON.stringify({ ts: Date.now(), seq: 1 }), { qos: 1 });
    device.publish('city/sensor/ghost/heartbeat', JSON.stringify({ ts: Date.now() }), { qos: 1 });

    const city = await waitForMessage(
      broker.url,
      'city/indicators/availability.sensor',
      (m) => m.value === 50,
    );
    expect(city).toMatchObject({
      id: 'availability.sensor',
      scope: 'city',
      numerator: 1,
      denominator: 2,
      unit: '%',
    });
    const north = await waitForMessage(broker.url, 'city/indicators/L3.1.1/north', (m) => m.value === 100);
    expect(north).toMatchObject({ name: 'Online monitoring of key pollution sources', scope: 'north' });
    expect(engine.rejected['unknown-device']).toBe(1);
    live.stop();
    device.end(true);
    await new Promise<void>((r) => client.end(false, {}, () => r()));
  });

  it('keeps its session: messages sent while the engine is away arrive when it reconnects', async () => {
    const engine = new CityEngine(inventory(), catalogue);
    const first = startEngine(engine, 'engine-b');
    await connected(first.client);
    await new Promise((r) => first.client.subscribe('city/sensor/+/+', { qos: 1 }, r)); // subscription acknowledged
    first.live.stop();
    await new Promise<void>((r) => first.client.end(false, {}, () => r()));

    const device = mqtt.connect(broker.url, { clientId: 'sen-2' });
    await connected(device);
    for (let seq = 1; seq <= 20; seq++) {
      device.publish('city/sensor/sen-2/heartbeat', JSON.stringify({ ts: Date.now(), seq }), { qos: 1 });
    }
    await new Promise((r) =>
      device.publish(
        'city/sensor/sen-2/heartbeat',
        JSON.stringify({ ts: Date.now(), seq: 21 }),
        { qos: 1 },
        r,
      ),
    );
    device.end(true);

    const second = startEngine(engine, 'engine-b');
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`only ${engine.accepted} of 21 queued messages arrived`)),
        10_000,
      );
      const poll = setInterval(() => {
        if (engine.accepted >= 21) {
          clearInterval(poll);
          clearTimeout(deadline);
          resolve();
        }
      }, 20);
    });
    expect(engine.accepted).toBe(21);
    expect(engine.rejected.duplicate).toBe(0);
    second.live.stop();
    await new Promise<void>((r) => second.client.end(false, {}, () => r()));
  });
});

// `citygauge start` simulates only the devices it imported on first start (issue 10 item 3): a device a
// person registers keeps its own secret and is never spoken for by the simulator, also after a restart; the
// banner says how many devices are simulated and how to turn that off. The same city refuses a typo'd or
// 900,000-character district (items 2 and 11), and no topic it publishes is over the limits.
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { type CityProcess, startCity } from '../support/city-process.js';
import { tempDir } from '../support/tmp.js';

const ADMIN = 'simulated-fleet-admin-token-0123456789';
const ARGS = ['--inventory', 'test/fixtures/town', '--no-red'];
const ENV = { CITYGAUGE_ADMIN_TOKEN: ADMIN, CITYGAUGE_LOG_LEVEL: 'info' };
const dataDir = tempDir();
let city: CityProcess | undefined;
const clients: MqttClient[] = [];

afterAll(async () => {
  for (const c of clients) c.end(true);
  await city?.stop();
});

const banner = (c: CityProcess) =>
  c.until(
    () => c.output(),
    (o) => /simulated {6}/.test(o),
    'the banner',
  );

/** Connect as Node-RED's service account (reads everything) and collect the topics of `filter`. */
async function watch(c: CityProcess, token: string, filter: string): Promise<string[]> {
  const client = await c.connect({
    clientId: `watch-${clients.length}`,
    username: 'service:node-red',
    password: token,
  });
  clients.push(client);
  const topics: string[] = [];
  client.on('message', (topic) => topics.push(topic));
  await client.subscribeAsync(filter, { qos: 0 });
  return topics;
}

describe('citygauge start with its simulated fleet', () => {
  let secret = '';
  let redToken = '';

  it('simulates the city it imported, and refuses unknown and overlong districts with nothing published', async () => {
    city = await startCity(ARGS, ENV, dataDir);
    const out = await banner(city);
    expect(out).toMatch(
      /simulated {6}9 of 9 devices over \d+ MQTT connections; --no-sim turns the simulation off/,
    );
    expect(out).toMatch(
      /city\.json declares no districts: declared the 2 the registry names \(centre, north\)/,
    );
    redToken = /MQTT account\s+service:node-red \/ (\S+)/.exec(out)?.[1] ?? '';
    expect(redToken).not.toBe('');
    const indicatorTopics = await watch(city, redToken, 'city/indicators/#');

    const created = await city.api('POST', '/api/devices', {
      id: 'sen-9',
      kind: 'sensor',
      assetId: 'smelter',
    });
    expect(created.status).toBe(201);
    secret = created.body.secret;

    const typo = await city.api('POST', '/api/devices', {
      id: 'bus-9',
      kind: 'transit-beacon',
      district: 'atlantis',
    });
    expect(typo).toMatchObject({
      status: 400,
      body: { error: 'bad-request', message: "district: unknown district 'atlantis' (known: centre, north)" },
    });
    const huge = await city.api('POST', '/api/devices', {
      id: 'bus-9',
      kind: 'transit-beacon',
      district: 'd'.repeat(900_000),
    });
    expect(huge.status).toBe(400);
    expect(huge.body.message).toMatch(/district.*at most 64 characters/);
    expect((await city.api('GET', '/api/devices/bus-9')).status).toBe(404);

    // The registration rebuilt the engine; its indicators come out for the city and the two districts only.
    await city.until(
      () => indicatorTopics.filter((t) => t.endsWith('/north')).length,
      (n) => n > 0,
      'indicators of the north district',
    );
    const levels = new Set(indicatorTopics.map((t) => t.split('/')[3] ?? 'city'));
    expect([...levels].sort()).toEqual(['centre', 'city', 'north']);
    expect(Math.max(...indicatorTopics.map((t) => Buffer.byteLength(t)))).toBeLessThan(100);
    await city.stop();
  }, 90_000);

  it('after a restart, never simulates the device a person registered, and says so in the banner', async () => {
    city = await startCity(ARGS, ENV, dataDir);
    const sen9 = await watch(city, redToken, 'city/sensor/sen-9/#');
    const out = await banner(city);
    expect(out).toMatch(
      /simulated {6}9 of 10 devices over \d+ MQTT connections, not the 1 device a person registered; --no-sim turns the simulation off/,
    );
    // The fleet is up and speaking for its own devices...
    const status = async (id: string) => (await city!.api('GET', `/api/devices/${id}/status`)).body;
    await city.until(
      async () => (await status('sen-1')).messages?.length ?? 0,
      (n) => n > 0,
      'a message from the simulated sen-1',
      30_000,
    );
    // ...but not for sen-9: nothing heard from it, and its secret is still the one the person was given.
    const own = await status('sen-9');
    expect(own.messages).toEqual([]);
    expect(own.status.lastSeen).toBeNull();
    expect(sen9).toEqual([]);
    const device = await city.connect({ clientId: 'sen-9', username: 'sen-9', password: secret });
    clients.push(device);
    expect(device.connected).toBe(true);
  }, 90_000);
});

// Issue 14 item 1, end to end on `citygauge start`: the town's gateway and the two cameras behind it report
// over MQTT with their own credentials; the gateway says offline, and the city shows ONE incident naming
// both cameras: in GET /api/incidents, retained on city/incidents/<id>, acknowledged by a person.
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type CityProcess, startCity } from '../support/city-process.js';

const ADMIN = 'incidents-admin-token-0123456789abcdef';
const ARGS = ['--inventory', 'test/fixtures/town', '--no-sim', '--no-red'];

let city: CityProcess | undefined;
const clients: MqttClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync();
  await city?.stop();
  city = undefined;
});

describe('citygauge start: a gateway loss', () => {
  it('is one incident naming its two dark cameras, over the API and retained on MQTT', async () => {
    city = await startCity(ARGS, { CITYGAUGE_ADMIN_TOKEN: ADMIN });
    const c = city;
    const { body } = await c.api('POST', '/api/devices/gw-1/secret');
    const gw = await c.connect({ clientId: 'gw-1', username: 'gw-1', password: body.secret });
    clients.push(gw);
    const say = (topic: string, payload: object) =>
      gw.publishAsync(topic, JSON.stringify({ ts: Date.now(), ...payload }), { qos: 1 });
    await say('city/cctv-gateway/gw-1/status', { state: 'online' });
    // A gateway publishes for the cameras behind it (docs/broker.md).
    for (const cam of ['cam-1', 'cam-2'])
      await say(`city/cctv/${cam}/status`, { state: 'online', video: 'ok', shared: true });
    await c.until(
      async () => (await c.api('GET', '/api/devices/cam-2/status')).body.status,
      (s) => s?.online === true,
      'cam-2 online through its gateway',
    );
    expect((await c.api('GET', '/api/incidents')).body).toEqual([]);

    await say('city/cctv-gateway/gw-1/status', { state: 'offline' });
    const [incident] = await c.until(
      async () => (await c.api('GET', '/api/incidents?open=true')).body,
      (list) => Array.isArray(list) && list.length > 0,
      'the incident of the gateway loss',
    );
    const since = (await c.api('GET', '/api/devices/gw-1/status')).body.status.since;
    expect(incident).toMatchObject({
      cause: 'gateway',
      subject: 'gw-1',
      district: 'centre',
      status: 'open',
      raisedAt: since,
      devices: ['gw-1'],
      effects: ['cam-1', 'cam-2'],
      downNow: 3,
    });
    expect((await c.api('GET', '/api/incidents')).body).toHaveLength(1);

    // Retained: a subscriber that comes later is told it.
    const token = await c.until(
      () => /MQTT account\s+service:node-red \/ (\S+)/.exec(c.output())?.[1],
      (t) => !!t,
      "the banner's service:node-red account",
    );
    const watcher = await c.connect({
      clientId: 'incident-watcher',
      username: 'service:node-red',
      password: token,
    });
    clients.push(watcher);
    const seen = new Map<string, { events: string[]; effects: string[]; acknowledgedBy: string | null }>();
    watcher.on('message', (topic, payload) => seen.set(topic, JSON.parse(payload.toString())));
    await watcher.subscribeAsync('city/incidents/+', { qos: 1 });
    const retained = await c.until(
      () => seen.get(`city/incidents/${incident.id}`),
      (m) => m !== undefined,
      `city/incidents/${incident.id} delivered retained`,
    );
    expect(retained).toMatchObject({ effects: ['cam-1', 'cam-2'] });
    expect(retained?.events).toContain('raised');
    expect([...seen.keys()]).toEqual([`city/incidents/${incident.id}`]);

    const acked = await c.api('POST', `/api/incidents/${incident.id}/ack`, {});
    expect(acked.status, JSON.stringify(acked.body)).toBe(200);
    const detail = (await c.api('GET', `/api/incidents/${incident.id}`)).body;
    expect(detail.timeline.map((e: { kind: string }) => e.kind)).toEqual(['raised', 'acknowledged']);
    await c.until(
      () => seen.get(`city/incidents/${incident.id}`)?.acknowledgedBy,
      (by) => typeof by === 'string' && by.length > 0,
      'the acknowledgement published',
    );
  }, 90_000);
});

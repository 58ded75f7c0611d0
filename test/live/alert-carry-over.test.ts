// Issue 10, item 1, end to end on `citygauge start`: a gateway goes down while a field engineer registers a
// device every second through the API (each a registry rebuild), or while the city is restarted; the alert
// is raised at exactly the time the gateway went down (its status `since`) + forS, and cleared at the
// instant it is back.
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type CityProcess, startCity } from '../support/city-process.js';
import { tempDir } from '../support/tmp.js';

const ADMIN = 'carry-over-admin-token-0123456789abcdef';
const ARGS = ['--inventory', 'test/fixtures/town', '--no-sim', '--no-red'];
const threshold = (forS: number) => ({
  indicator: 'availability.cctv-gateway',
  scope: 'city',
  below: 98,
  clearAt: 100,
  forS,
  severity: 'critical',
});

let city: CityProcess | undefined;
let gateway: MqttClient | undefined;
afterEach(async () => {
  await gateway?.endAsync();
  gateway = undefined;
  await city?.stop();
  city = undefined;
});

async function gatewayOnline(c: CityProcess): Promise<MqttClient> {
  const { body } = await c.api('POST', '/api/devices/gw-1/secret');
  const gw = await c.connect({ clientId: 'gw-1', username: 'gw-1', password: body.secret });
  await say(gw, 'online');
  return gw;
}

const say = (gw: MqttClient, state: string) =>
  gw.publishAsync('city/cctv-gateway/gw-1/status', JSON.stringify({ state, ts: Date.now() }), { qos: 1 });

/** The gateway's condition and since when, once it is `online`. */
async function gatewayStatus(c: CityProcess, online: boolean): Promise<number> {
  const status = await c.until(
    async () => (await c.api('GET', '/api/devices/gw-1/status')).body.status,
    (s) => s?.online === online,
    `gw-1 ${online ? 'online' : 'offline'}`,
  );
  return Date.parse(status.since);
}

// biome-ignore lint/suspicious/noExplicitAny: the alert's shape is asserted by the tests
const alerts = async (c: CityProcess): Promise<any[]> => (await c.api('GET', '/api/alerts')).body;

describe('citygauge start: alerts that nothing holds off', () => {
  it('raises at exactly down + forS while a device is registered every second, and clears when it is back', async () => {
    city = await startCity(ARGS, { CITYGAUGE_ADMIN_TOKEN: ADMIN });
    const c = city;
    expect((await c.api('PUT', '/api/thresholds', [threshold(6)])).status).toBe(200);
    gateway = await gatewayOnline(c);
    await gatewayStatus(c, true);
    await say(gateway, 'offline');
    const downAt = await gatewayStatus(c, false);
    // Each registration rebuilds the engine; one goes in while the alert has not yet been raised, about
    // every second (forS is 6 s), so the old machine, which restarted its wait on each, never got to raise.
    let raised: { alertId: string; raisedAt: string } | undefined;
    for (let i = 0; raised === undefined; i++) {
      expect(i, 'the gateway alert was never raised').toBeLessThan(60);
      const r = await c.api('POST', '/api/devices', {
        id: `sen-new-${i}`,
        kind: 'sensor',
        district: 'centre',
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      [raised] = await c
        .until(
          () => alerts(c),
          (a) => a.length === 1,
          'the gateway alert raised',
          1000,
        )
        .catch(() => [undefined]);
    }
    expect(Date.parse(raised.raisedAt) - downAt).toBe(6000);
    await say(gateway, 'online');
    const upAt = await gatewayStatus(c, true);
    const [cleared] = await c.until(
      () => alerts(c),
      (a) => a[0]?.clearedAt !== null,
      'the alert cleared',
    );
    expect(cleared).toMatchObject({ alertId: raised.alertId, clearedAt: new Date(upAt).toISOString() });
  }, 90_000);

  it('raises at exactly down + forS after a restart in between', async () => {
    const dataDir = tempDir();
    city = await startCity(ARGS, { CITYGAUGE_ADMIN_TOKEN: ADMIN }, dataDir);
    expect((await city.api('PUT', '/api/thresholds', [threshold(20)])).status).toBe(200);
    gateway = await gatewayOnline(city);
    await gatewayStatus(city, true);
    await say(gateway, 'offline');
    const downAt = await gatewayStatus(city, false);
    await gateway.endAsync();
    gateway = undefined;
    await city.stop();

    city = await startCity(ARGS, { CITYGAUGE_ADMIN_TOKEN: ADMIN }, dataDir);
    const c = city;
    const [raised] = await c.until(
      () => alerts(c),
      (a) => a.length === 1,
      'the gateway alert raised',
      60_000,
    );
    expect(Date.parse(raised.raisedAt) - downAt).toBe(20_000);
  }, 120_000);

  it('counts a wait from a lapse that happened while the city was stopped, at its real time', async () => {
    const dataDir = tempDir();
    city = await startCity(ARGS, { CITYGAUGE_ADMIN_TOKEN: ADMIN }, dataDir);
    expect((await city.api('PUT', '/api/thresholds', [threshold(10)])).status).toBe(200);
    // Silent past 3 × 2 s, the gateway lapses 6 s after it was last heard.
    expect((await city.api('PATCH', '/api/devices/gw-1', { expectedIntervalS: 2 })).status).toBe(200);
    gateway = await gatewayOnline(city);
    const lastHeard = Date.parse(
      (
        await city.until(
          async () => (await city!.api('GET', '/api/devices/gw-1/status')).body.status,
          (s) => s?.online === true,
          'gw-1 online',
        )
      ).lastSeen,
    );
    await gateway.endAsync();
    gateway = undefined;
    await city.stop();
    // Started again only once the lapse fell inside the downtime.
    await new Promise((r) => setTimeout(r, Math.max(0, lastHeard + 7000 - Date.now())));

    city = await startCity(ARGS, { CITYGAUGE_ADMIN_TOKEN: ADMIN }, dataDir);
    const c = city;
    const downAt = await gatewayStatus(c, false);
    expect(downAt).toBe(lastHeard + 6000);
    const [raised] = await c.until(
      () => alerts(c),
      (a) => a.length === 1,
      'the gateway alert raised',
      60_000,
    );
    expect(Date.parse(raised.raisedAt) - downAt).toBe(10_000);
  }, 120_000);
});

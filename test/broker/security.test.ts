// The embedded broker lets each device speak only for itself (docs/contract.md §2, issue 3): every refusal is
// counted under its reason and logged with the client id and address. Real sockets, real mqtt.js clients.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closed, grantedQos, nextPublish, startTestBroker, type TestBroker } from './harness.js';

let t: TestBroker;
beforeAll(async () => {
  t = await startTestBroker({ loginFailuresPerMinute: 100 });
});
afterAll(() => t.close());

const publish = (c: MqttClient, topic: string, payload: string | Buffer, qos: 0 | 1 = 1) =>
  c.publishAsync(topic, payload, { qos });
const refusalLogged = (reason: string, clientId?: string) =>
  t.waitForLog((l) => l.event === 'refused' && l.reason === reason && (!clientId || l.clientId === clientId));

describe('a registered device', () => {
  it('connects with its token, publishes under its own topics, and the in-process listener sees it', async () => {
    const pm = await t.connect('pm-1');
    const seen = nextPublish(t.broker, (topic) => topic === 'city/pipe-monitor/pm-1/telemetry');
    await publish(
      pm,
      'city/pipe-monitor/pm-1/telemetry',
      '{"ts":1,"pressureKPa":300,"flowLps":2,"leak":false}',
    );
    const got = await seen;
    expect(got.clientId).toBe('pm-1');
    expect(JSON.parse(got.payload.toString()).pressureKPa).toBe(300);
    pm.end();
  });

  it('is refused with a wrong token', async () => {
    const before = t.broker.stats.refusals['bad-credentials'];
    await expect(t.connect('pm-2', { password: 'not-the-token' })).rejects.toThrow(
      /Bad username or password/i,
    );
    const line = await refusalLogged('bad-credentials', 'pm-2');
    expect(line.address).toBe('127.0.0.1');
    expect(t.broker.stats.refusals['bad-credentials']).toBe(before + 1);
  });

  it('is refused when unknown, or removed from the inventory though its token remains', async () => {
    const before = t.broker.stats.refusals['unknown-user'];
    await expect(t.connect('nobody', { password: 'x' })).rejects.toThrow(/Bad username or password/i);
    await expect(t.connect('ghost')).rejects.toThrow(/Bad username or password/i);
    await refusalLogged('unknown-user', 'ghost');
    expect(t.broker.stats.refusals['unknown-user']).toBe(before + 2);
  });

  it("is refused when it uses another client's id (it would take over that session)", async () => {
    await expect(t.connect('pm-2', { clientId: 'citygauge-engine' })).rejects.toThrow(/Identifier rejected/i);
    await refusalLogged('bad-client-id', 'citygauge-engine');
    const extra = await t.connect('pm-2', { clientId: 'pm-2:diagnostics' });
    extra.end();
  });

  it('may not publish under another id or another kind: dropped, counted, and it stays connected', async () => {
    const pm = await t.connect('pm-1');
    const before = t.broker.stats.refusals['publish-denied'];
    const delivered: string[] = [];
    const off = t.broker.onPublish((topic) => delivered.push(topic));
    await publish(pm, 'city/pipe-monitor/pm-2/telemetry', '{"ts":1}'); // another device's id
    await publish(pm, 'city/sensor/pm-1/telemetry', '{"ts":1}'); // its id under another kind
    await publish(pm, 'city/indicators/L2.1.1', '{"value":100}'); // the engine's topics
    await publish(pm, '$SYS/broker/uptime', 'x');
    const ok = nextPublish(t.broker, (topic) => topic === 'city/pipe-monitor/pm-1/heartbeat');
    await publish(pm, 'city/pipe-monitor/pm-1/heartbeat', '{"ts":2}');
    await ok;
    off();
    expect(delivered).toEqual(['city/pipe-monitor/pm-1/heartbeat']);
    expect(t.broker.stats.refusals['publish-denied']).toBe(before + 4);
    const line = await refusalLogged('publish-denied', 'pm-1');
    expect(line).toMatchObject({ address: '127.0.0.1', username: 'pm-1' });
    expect(pm.connected).toBe(true);
    pm.end();
  });

  it('subscribes to its own command topics only (SUBACK 0x80 for anything else)', async () => {
    const pm = await t.connect('pm-1');
    const before = t.broker.stats.refusals['subscribe-denied'];
    const granted = await grantedQos(pm, [
      'city/pipe-monitor/pm-1/cmd/#',
      'city/#',
      'city/pipe-monitor/pm-2/cmd/#',
      'city/pipe-monitor/pm-1/status',
    ]);
    expect(granted).toEqual([1, 128, 128, 128]);
    expect(t.broker.stats.refusals['subscribe-denied']).toBe(before + 3);
    // and what it may read arrives: a command published by the broker itself (the engine, in process)
    const received = new Promise<string>((resolve) =>
      pm.once('message', (_topic, p) => resolve(p.toString())),
    );
    await t.broker.publish('city/pipe-monitor/pm-1/cmd/interval', '{"seconds":30}', { qos: 1 });
    expect(await received).toBe('{"seconds":30}');
    pm.end();
  });

  it('has a payload over 16 KiB dropped; a packet far over the limit closes the connection', async () => {
    const pm = await t.connect('pm-1');
    const before = t.broker.stats.refusals['too-large'];
    await publish(pm, 'city/pipe-monitor/pm-1/telemetry', Buffer.alloc(16 * 1024 + 1, 0x20));
    expect(t.broker.stats.refusals['too-large']).toBe(before + 1);
    const ok = nextPublish(t.broker, (topic) => topic === 'city/pipe-monitor/pm-1/telemetry');
    await publish(pm, 'city/pipe-monitor/pm-1/telemetry', Buffer.alloc(16 * 1024, 0x20)); // exactly 16 KiB: fine
    await ok;
    pm.end();
    // 1 MiB: refused from the packet's fixed header, before the broker buffers it
    const big = await t.connect('pm-1', { clientId: 'pm-1:big' });
    big.publish('city/pipe-monitor/pm-1/telemetry', Buffer.alloc(1024 * 1024, 0x20), { qos: 0 });
    await closed(big);
    const line = await t.waitForLog((l) => l.reason === 'too-large' && l.clientId === 'pm-1:big');
    expect(line.action).toMatch(/^disconnected/);
    expect(line.address).toBe('127.0.0.1');
    expect(t.broker.stats.refusals['too-large']).toBe(before + 2);
  });
});

describe('a cctv-gateway', () => {
  it('publishes for its own cameras and not for a camera of another gateway', async () => {
    const gw = await t.connect('gw-1');
    const before = t.broker.stats.refusals['publish-denied'];
    const own = nextPublish(t.broker, (topic) => topic === 'city/cctv/cam-1/status');
    await publish(gw, 'city/cctv/cam-1/status', '{"state":"online","video":"ok","shared":true,"ts":1}');
    await own;
    await publish(gw, 'city/cctv/cam-9/status', '{"state":"online","ts":1}');
    expect(t.broker.stats.refusals['publish-denied']).toBe(before + 1);
    await refusalLogged('publish-denied', 'gw-1');
    gw.end();
  });

  it('takes on a camera moved to it without a broker restart', async () => {
    const gw = await t.connect('gw-1');
    const before = t.broker.stats.refusals['publish-denied'];
    await publish(gw, 'city/cctv/cam-9/status', '{"state":"online","ts":1}');
    expect(t.broker.stats.refusals['publish-denied']).toBe(before + 1);
    const cam9 = t.inventory.devices.get('cam-9')!;
    const moved = new Map(t.inventory.devices).set('cam-9', { ...cam9, gatewayId: 'gw-1' });
    t.policy.updateInventory({ ...t.inventory, devices: moved });
    const seen = nextPublish(t.broker, (topic) => topic === 'city/cctv/cam-9/status');
    await publish(gw, 'city/cctv/cam-9/status', '{"state":"online","ts":2}');
    await seen;
    t.policy.updateInventory(t.inventory);
    gw.end();
  });
});

describe('service accounts', () => {
  it('the engine reads city/# and writes indicators and alerts, nothing else', async () => {
    const engine = await t.connect('service:engine', { clientId: 'citygauge-engine' });
    expect(await grantedQos(engine, ['city/#', '$SYS/#'])).toEqual([1, 128]);
    const before = t.broker.stats.refusals['publish-denied'];
    const seen = nextPublish(t.broker, (topic) => topic === 'city/indicators/L2.1.1');
    await publish(engine, 'city/indicators/L2.1.1', '{"value":100}');
    await seen;
    await publish(engine, 'city/pipe-monitor/pm-1/telemetry', '{"ts":1}');
    expect(t.broker.stats.refusals['publish-denied']).toBe(before + 1);
    engine.end();
  });

  it('Node-RED writes alerts but not indicators', async () => {
    const red = await t.connect('service:node-red', { clientId: 'node-red' });
    const before = t.broker.stats.refusals['publish-denied'];
    await publish(red, 'city/indicators/L2.1.1', '{"value":0}');
    expect(t.broker.stats.refusals['publish-denied']).toBe(before + 1);
    const seen = nextPublish(t.broker, (topic) => topic === 'city/alerts/L2.1.1');
    await publish(red, 'city/alerts/L2.1.1', '{"event":"ack"}');
    await seen;
    red.end();
  });
});

describe('anonymous clients', () => {
  it('are refused unless the broker allows them', async () => {
    const before = t.broker.stats.refusals['unknown-user'];
    await expect(t.connect(undefined)).rejects.toThrow(/Bad username or password/i);
    expect(t.broker.stats.refusals['unknown-user']).toBe(before + 1);
  });
});

// The broker survives a flood (issue 3, docs/broker.md "The flood crash"). aedes 1.2.0 as configured by
// default died with `RangeError: Maximum call stack size exceeded` when four clients flooded QoS 0 and a
// subscriber went away mid-flood; this test fails that way without the fix in broker/embedded-broker.ts.

import type { Writable } from 'node:stream';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { closed, nextPublish, startTestBroker, type TestBroker } from './harness.js';

const FLOODERS = ['s-1', 's-2', 's-3', 's-4'];
/** Small payloads: more packets per socket read, so the router's queue gets deep fast. */
const PAYLOAD = '{"ts":1}';

let t: TestBroker | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/**
 * Publish `count` QoS 0 messages as fast as mqtt.js takes them, yielding to the event loop every 1000, or
 * with `paced`, as fast as the socket takes them: queued in memory instead, a flood the broker must notice in
 * time starves the event loop it shares with this test (on Node 24, for good).
 */
function flood(
  client: MqttClient,
  topic: string,
  count: number,
  opts: { onHalf?: () => void; paced?: boolean } = {},
): Promise<void> {
  return new Promise((resolve) => {
    let sent = 0;
    client.once('close', () => resolve());
    const stream = (client as unknown as { stream?: Writable }).stream;
    const pump = () => {
      for (let k = 0; k < 1000 && sent < count; k++, sent++) client.publish(topic, PAYLOAD, { qos: 0 });
      if (sent === count / 2) opts.onHalf?.();
      if (sent >= count || !client.connected) resolve();
      else if (opts.paced && stream?.writableNeedDrain) stream.once('drain', pump);
      else setImmediate(pump);
    };
    pump();
  });
}

/** Resolves when the broker has routed `count` client publishes to topics starting with `prefix`. */
function routed(t: TestBroker, prefix: string, count: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`routed ${seen} of ${count} in ${timeoutMs} ms`));
    }, timeoutMs);
    const off = t.broker.onPublish((topic) => {
      if (!topic.startsWith(prefix) || ++seen < count) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

describe('a QoS 0 flood from four clients', () => {
  it('leaves the broker up, accepting and delivering to a new client afterwards', async () => {
    // The rate limit would drop most of the flood before aedes routes it; this is about the router itself
    // (and about service accounts, which are not rate limited).
    t = await startTestBroker({ publishRatePerClient: 0 });
    // In a real broker process an uncaught error is the end of it; here vitest would catch it, so watch.
    const uncaught: Error[] = [];
    const onUncaught = (err: Error) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    onTestFinished(() => {
      process.off('uncaughtException', onUncaught);
    });
    const perClient = 50_000;
    // A dashboard subscribed to everything, which goes away mid-flood (a Node-RED restart): the messages
    // queued for it then have no subscriber and complete synchronously, which is what recursed.
    const dashboard = await t.connect('service:node-red', { clientId: 'node-red' });
    await dashboard.subscribeAsync('city/#', { qos: 0 });
    const flooders = await Promise.all(FLOODERS.map((id) => t!.connect(id)));
    const all = routed(t, 'city/sensor/', FLOODERS.length * perClient, 60_000);

    await Promise.all(
      flooders.map((c, i) =>
        flood(
          c,
          `city/sensor/${FLOODERS[i]}/telemetry`,
          perClient,
          i === 0 ? { onHalf: () => dashboard.end(true) } : {},
        ),
      ),
    );
    await all;
    expect(
      uncaught.map((e) => e.message),
      'the broker process would have died',
    ).toEqual([]);
    expect(t.broker.stats.messagesIn).toBeGreaterThanOrEqual(FLOODERS.length * perClient);

    // Still serving: a new device connects, gets a command, and its own publish is routed.
    const pm = await t.connect('pm-1');
    await pm.subscribeAsync('city/pipe-monitor/pm-1/cmd/#', { qos: 1 });
    const command = new Promise<string>((resolve) => pm.once('message', (_t, p) => resolve(p.toString())));
    await t.broker.publish('city/pipe-monitor/pm-1/cmd/interval', '{"seconds":60}', { qos: 1 });
    expect(await command).toBe('{"seconds":60}');
    const seen = nextPublish(t.broker, (topic) => topic === 'city/pipe-monitor/pm-1/heartbeat');
    await pm.publishAsync('city/pipe-monitor/pm-1/heartbeat', '{"ts":2}', { qos: 1 });
    expect((await seen).clientId).toBe('pm-1');
  }, 120_000);
});

describe('the per-client publish rate limit', () => {
  it('drops a QoS 0 flood over the rate, disconnects the flooder, and lets others through', async () => {
    t = await startTestBroker({ publishRatePerClient: 50, publishBurst: 50, floodDisconnectAfterS: 2 });
    const flooder = await t.connect('s-1');
    const neighbour = await t.connect('s-2');
    const gone = closed(flooder, 15_000);
    // Floods until the broker cuts it off (the closed() timeout bounds it at 15 s).
    void flood(flooder, 'city/sensor/s-1/telemetry', 10_000_000, { paced: true });
    await t.waitForLog((l) => l.event === 'disconnected' && l.clientId === 's-1', 15_000);
    await gone;
    expect(t.broker.stats.floodDisconnects).toBe(1);
    expect(t.broker.stats.refusals['rate-limited-publish']).toBeGreaterThan(100);
    await t.waitForLog((l) => l.reason === 'rate-limited-publish' && l.clientId === 's-1');

    const seen = nextPublish(t.broker, (topic) => topic === 'city/sensor/s-2/telemetry');
    await neighbour.publishAsync('city/sensor/s-2/telemetry', '{"ts":1,"metrics":{"pm10":12}}', { qos: 1 });
    await seen;
  }, 30_000);

  it('paces QoS 1 over the rate instead of dropping it: every message arrives, later', async () => {
    t = await startTestBroker({ publishRatePerClient: 50, publishBurst: 10 });
    const device = await t.connect('s-3');
    const count = 60;
    const all = routed(t, 'city/sensor/s-3/', count, 10_000);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        device.publishAsync('city/sensor/s-3/telemetry', `{"ts":${i},"seq":${i}}`, { qos: 1 }),
      ),
    );
    await all;
    // 10 at once, the other 50 at 50/s: about a second.
    expect(performance.now() - started).toBeGreaterThan(800);
    expect(t.broker.stats.publishesPaced).toBeGreaterThanOrEqual(count - 10 - 1);
    expect(t.broker.stats.refusals['rate-limited-publish']).toBe(0);
  }, 30_000);
});

// Retained messages outlive the broker (retained.sqlite in the data dir): a device's last status and the
// engine's indicators are there for a subscriber after a restart; an empty retained payload deletes; alert
// state is not carried over, since each process derives it afresh.
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';
import { startTestBroker, type TestBroker } from './harness.js';

let broker: TestBroker | undefined;

afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

/** Everything retained under `filter`, as a new subscriber sees it (topic → payload). */
async function retainedUnder(b: TestBroker, filter: string): Promise<Record<string, string>> {
  const c: MqttClient = await b.connect('service:node-red');
  const seen: Record<string, string> = {};
  c.on('message', (topic, payload, packet) => {
    if (packet.retain) seen[topic] = payload.toString();
  });
  await c.subscribeAsync(filter, { qos: 1 });
  await new Promise((r) => setTimeout(r, 300));
  await c.endAsync();
  return seen;
}

describe('retained messages across a broker restart', () => {
  it('keeps the latest per topic, forgets a deleted one, and not alert state', async () => {
    const dataDir = tempDir('citygauge-retained-');
    broker = await startTestBroker({ dataDir });
    const device = await broker.connect('s-1');
    await device.publishAsync('city/sensor/s-1/status', '{"state":"online","ts":1}', {
      qos: 1,
      retain: true,
    });
    await device.publishAsync('city/sensor/s-1/status', '{"state":"offline","ts":2}', {
      qos: 1,
      retain: true,
    });
    const other = await broker.connect('s-2');
    await other.publishAsync('city/sensor/s-2/status', '{"state":"online","ts":3}', { qos: 1, retain: true });
    await other.publishAsync('city/sensor/s-2/status', '', { qos: 1, retain: true });
    await broker.broker.publish('city/indicators/availability.sensor', '{"value":25}', {
      retain: true,
      qos: 1,
    });
    await broker.broker.publish('city/alerts/history.spool', '{"event":"raise"}', { retain: true, qos: 1 });
    await device.endAsync();
    await other.endAsync();
    expect(Object.keys(await retainedUnder(broker, 'city/#')).sort()).toEqual([
      'city/alerts/history.spool',
      'city/indicators/availability.sensor',
      'city/sensor/s-1/status',
    ]);
    await broker.close();

    broker = await startTestBroker({ dataDir });
    expect(await retainedUnder(broker, 'city/#')).toEqual({
      'city/indicators/availability.sensor': '{"value":25}',
      'city/sensor/s-1/status': '{"state":"offline","ts":2}',
    });
  });

  it('keeps them in memory only without a data dir', async () => {
    broker = await startTestBroker();
    await broker.broker.publish('city/indicators/x', '{"value":1}', { retain: true, qos: 1 });
    expect(await retainedUnder(broker, 'city/#')).toEqual({ 'city/indicators/x': '{"value":1}' });
  });
});

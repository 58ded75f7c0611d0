// Retained messages that could not be delivered are purged at start (issue 10 item 11): a retained
// `city/indicators/...` topic over MQTT's 65,535 bytes (what a 900,000-character district made) used to cost
// every subscriber of `city/indicators/#` its connection, for good, since it outlived restarts in
// retained.sqlite. Seeded here as an older city left it, then `citygauge start`.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { undeliverable } from '../../broker/retained-store.js';
import { staleIndicatorTopic } from '../../engine/stale-indicators.js';
import { type CityProcess, startCity } from '../support/city-process.js';
import { tempDir } from '../support/tmp.js';
import { startTestBroker, type TestBroker } from './harness.js';

const ADMIN = 'retained-admin-token-0123456789abcdef';
const OVERLONG = `city/indicators/L2.2.1/${'a'.repeat(900_000)}`;
let city: CityProcess | undefined;
let broker: TestBroker | undefined;

afterEach(async () => {
  await city?.stop();
  city = undefined;
  await broker?.close();
  broker = undefined;
});

function seed(dataDir: string) {
  const db = new Database(join(dataDir, 'retained.sqlite'));
  db.exec('CREATE TABLE retained (topic TEXT PRIMARY KEY, payload BLOB NOT NULL, qos INTEGER NOT NULL)');
  const put = db.prepare('INSERT INTO retained (topic, payload, qos) VALUES (?, ?, 1)');
  const value = (v: number) => Buffer.from(JSON.stringify({ value: v, ts: '2026-01-01T00:00:00Z' }));
  put.run(OVERLONG, value(1));
  put.run('city/indicators/L2.2.1/atlantis', value(2)); // a district that no longer exists
  put.run('city/indicators/L9.9.9', value(3)); // an indicator that no longer exists
  put.run('city/indicators/L2.2.1/centre', value(4)); // still published: kept until the engine's own
  put.run('city/sensor/+/status', value(5));
  // Bytes that are not UTF-8, stored as TEXT as SQLite allows.
  db.prepare('INSERT INTO retained (topic, payload, qos) VALUES (CAST(? AS TEXT), ?, 1)').run(
    Buffer.from([0x63, 0x69, 0x74, 0x79, 0x2f, 0xff, 0xfe]),
    value(6),
  );
  put.run('city/cctv/cam-1/status', Buffer.from('{"state":"online"}'));
  db.close();
}

function storedTopics(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'retained.sqlite'), { readonly: true });
  const topics = db.prepare('SELECT topic FROM retained').pluck().all() as string[];
  db.close();
  return topics.map((t) => (t.length > 60 ? `${t.slice(0, 40)}…(${t.length})` : t)).sort();
}

describe('undeliverable retained messages', () => {
  it('names why a topic or payload cannot be sent', () => {
    const b = (s: string) => Buffer.from(s);
    expect(undeliverable(b(OVERLONG), 10)).toMatch(/65,535 bytes/);
    expect(undeliverable(b('city/+/x'), 10)).toMatch(/wildcard/);
    expect(undeliverable(b('city/#'), 10)).toMatch(/wildcard/);
    expect(undeliverable(b('city/\u0000'), 10)).toMatch(/NUL/);
    expect(undeliverable(Buffer.from([0xc3, 0x28]), 10)).toMatch(/UTF-8/);
    expect(undeliverable(b(''), 10)).toMatch(/empty/);
    expect(undeliverable(b('city/x'), 268_435_455)).toMatch(/maximum packet size/);
    expect(undeliverable(b('city/indicators/L2.2.1/centre'), 16_384)).toBeUndefined();
  });

  it('stale indicator topics are those of indicators or scopes the model no longer has', () => {
    const stale = staleIndicatorTopic({
      indicators: [{ def: { id: 'L2.2.1' } }],
      scopes: ['city', 'centre'],
    });
    expect(stale('city/indicators/L2.2.1')).toBeUndefined();
    expect(stale('city/indicators/L2.2.1/centre')).toBeUndefined();
    expect(stale('city/indicators/L2.2.1/atlantis')).toMatch(/no scope 'atlantis'/);
    expect(stale('city/indicators/L9.9.9')).toMatch(/no indicator 'L9.9.9'/);
    expect(stale('city/cctv/cam-1/status')).toBeUndefined();
  });

  it('`citygauge start` purges and logs them, and a subscriber to city/indicators/# is served', async () => {
    const dataDir = tempDir();
    seed(dataDir);
    city = await startCity(
      ['--inventory', 'test/fixtures/town', '--no-sim', '--no-red'],
      { CITYGAUGE_ADMIN_TOKEN: ADMIN },
      dataDir,
    );
    const output = await city.until(
      () => city?.output() ?? '',
      (o) => (o.match(/retained message purged/g) ?? []).length >= 5,
      'five purges logged',
    );
    expect(output).toMatch(/topic over MQTT's 65,535 bytes/);
    expect(output).toMatch(/"topicBytes":900023/);
    expect(output).toMatch(/no scope 'atlantis' any more/);
    expect(output).toMatch(/no indicator 'L9.9.9' any more/);
    expect(output).toMatch(/wildcard in the topic/);
    expect(output).toMatch(/not valid UTF-8/);
    // The log shows the start of a topic, never the whole of it.
    expect(output.length).toBeLessThan(100_000);

    // The banner comes once the HTTP port listens, which may be after the purges and after startCity returns.
    const token = await city.until(
      () => /MQTT account\s+service:node-red \/ (\S+)/.exec(city?.output() ?? '')?.[1],
      (t) => !!t,
      "the banner's service:node-red account",
    );
    const seen = new Map<string, string>();
    let closed = false;
    const client: MqttClient = await city.connect({
      clientId: 'purge-test',
      username: 'service:node-red',
      password: token,
    });
    client.on('close', () => {
      closed = true;
    });
    client.on('message', (topic, payload) => seen.set(topic, payload.toString()));
    await client.subscribeAsync('city/indicators/#', { qos: 1 });
    await city.until(
      () => [...seen.keys()].filter((t) => t.startsWith('city/indicators/')).length,
      (n) => n >= 5,
      'the engine’s retained indicators delivered',
    );
    expect(closed).toBe(false);
    expect(
      [...seen.keys()].some((t) => t.includes('atlantis') || t.includes('L9.9.9') || t.length > 1000),
    ).toBe(false);
    await client.endAsync();
    await city.stop();

    const left = storedTopics(dataDir);
    expect(left).toContain('city/cctv/cam-1/status');
    expect(left).toContain('city/indicators/L2.2.1/centre');
    expect(left.filter((t) => /atlantis|L9\.9\.9|\+|…|\uFFFD/.test(t))).toEqual([]);
  }, 120_000);

  it('a message published with an undeliverable topic is never retained, so later subscribers are served', async () => {
    const dataDir = tempDir();
    broker = await startTestBroker({ dataDir });
    await broker.broker.publish(OVERLONG, '{"value":1}', { retain: true, qos: 1 });
    await broker.broker.publish('city/indicators/L2.2.1', '{"value":2}', { retain: true, qos: 1 });
    const line = await broker.waitForLog(
      (l) => l.msg === 'retained message not kept: no client could receive it',
    );
    expect(line.reason).toMatch(/65,535 bytes/);
    expect(line.topicBytes).toBe(900_023);
    const c = await broker.connect('service:node-red');
    let closed = false;
    c.on('close', () => {
      closed = true;
    });
    const seen: string[] = [];
    c.on('message', (topic) => seen.push(topic));
    await c.subscribeAsync('city/indicators/#', { qos: 1 });
    const deadline = Date.now() + 10_000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['city/indicators/L2.2.1']);
    expect(closed).toBe(false);
    await c.endAsync();
    await broker.close();
    broker = undefined;
    expect(storedTopics(dataDir)).toEqual(['city/indicators/L2.2.1']);
  });
});

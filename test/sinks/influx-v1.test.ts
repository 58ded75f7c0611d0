// The v1 path against Debian's influxd 1.6.7 started by the harness; read back with InfluxQL.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxQLReader } from '../../engine/sinks/influx-reader.js';
import { InfluxSink, type LineTransport } from '../../engine/sinks/influx-sink.js';
import { InfluxV1Transport } from '../../engine/sinks/influx-v1.js';
import type { HistoryPoint, IndicatorPoint } from '../../engine/sinks/points.js';
import { type InfluxdServer, startInfluxd } from '../support/influxdb.js';
import { tempDir } from '../support/tmp.js';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);
const point = (
  id: string,
  ts: number,
  value: number | null,
  over: Partial<IndicatorPoint> = {},
): IndicatorPoint => ({
  kind: 'indicator',
  id,
  scope: 'city',
  ts,
  value,
  numerator: null,
  denominator: null,
  means: {},
  ...over,
});

/** A pino logger whose lines land in an array. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

/** The real transport, recording what it was asked to send (no mock: the server answers). */
function recording(inner: LineTransport) {
  const sent: string[][] = [];
  const transport: LineTransport = {
    url: inner.url,
    hint: (s) => inner.hint(s),
    send: (lines) => {
      sent.push(lines);
      return inner.send(lines);
    },
  };
  return { transport, sent };
}

let influx: InfluxdServer;
beforeAll(async () => {
  influx = await startInfluxd();
  for (const db of ['plain', 'buckets', 'reject', 'restart']) await influx.exec(`CREATE DATABASE ${db}`);
});
afterAll(() => influx?.stop());

describe('InfluxDB 1.x writer (v1 /write)', () => {
  it('writes indicators and device states with their tags and fields, read back with InfluxQL', async () => {
    const sink = new InfluxSink({
      transport: new InfluxV1Transport({ url: influx.url, db: 'plain' }),
      dataDir: tempDir(),
      logger: capturedLogger().logger,
    });
    const points: HistoryPoint[] = [
      point('bus\'s "on time"', T0, 0.875, {
        numerator: 7,
        denominator: 8,
        means: { '1h': 0.9, '24h': null },
      }),
      point('lights.on', T0 + 1, null, { numerator: 3 }),
      point('empty', T0 + 2, null),
      {
        kind: 'device_state',
        device: 'cam 1',
        deviceKind: 'camera',
        ts: T0 + 3,
        online: true,
        available: false,
        shared: true,
      },
    ];
    sink.write(points);
    await sink.close();
    expect(sink.stats()).toEqual({ written: 3, spooled: 0, spoolBytes: 0, rejected: 0, dropped: 0 });

    const [ind] = await influx.query('plain', 'SELECT * FROM "indicator" ORDER BY time');
    expect(ind.columns).toEqual(['time', 'denominator', 'id', 'mean_1h', 'numerator', 'scope', 'value']);
    expect(ind.values).toEqual([
      [T0, 8, 'bus\'s "on time"', 0.9, 7, 'city', 0.875],
      [T0 + 1, null, 'lights.on', null, 3, 'city', null],
    ]);
    const [dev] = await influx.query('plain', 'SELECT * FROM "device_state"');
    expect(dev.columns).toEqual(['time', 'available', 'device', 'kind', 'online', 'shared']);
    expect(dev.values).toEqual([[T0 + 3, false, 'cam 1', 'camera', true, true]]);
  });

  it('answers the history API with bucket means from InfluxQL', async () => {
    const sink = new InfluxSink({
      transport: new InfluxV1Transport({ url: influx.url, db: 'buckets' }),
      dataDir: tempDir(),
    });
    // Two one-minute buckets: 1, 2, 3 then 10, 20; another scope and another id must not leak in.
    sink.write([1, 2, 3].map((v, i) => point('x', T0 + i * 10_000, v)));
    sink.write([10, 20].map((v, i) => point('x', T0 + 60_000 + i * 10_000, v)));
    sink.write([point('x', T0 + 5, 99, { scope: "it's" }), point('y', T0 + 5, 99)]);
    await sink.close();
    const reader = new InfluxQLReader({ url: influx.url, db: 'buckets' });
    expect(
      await reader.history({ id: 'x', scope: 'city', from: T0, to: T0 + 180_000, everyMs: 60_000 }),
    ).toEqual([
      { ts: new Date(T0).toISOString(), value: 2 },
      { ts: new Date(T0 + 60_000).toISOString(), value: 15 },
    ]);
    expect(
      await reader.history({ id: 'x', scope: "it's", from: T0, to: T0 + 60_000, everyMs: 60_000 }),
    ).toEqual([{ ts: new Date(T0).toISOString(), value: 99 }]);
    // `to` is exclusive.
    expect(
      await reader.history({ id: 'x', scope: 'city', from: T0, to: T0 + 60_000, everyMs: 60_000 }),
    ).toEqual([{ ts: new Date(T0).toISOString(), value: 2 }]);
  });

  it('counts a 400 for bad data as rejected, logs the offending line and does not retry it', async () => {
    // `value` is a string in this shard first, so a float `value` is a field type conflict.
    const raw = await fetch(`${influx.url}/write?db=reject&precision=ms`, {
      method: 'POST',
      body: `indicator,id=x,scope=city value="oops" ${T0}`,
    });
    expect(raw.status).toBe(204);
    const { logger, lines: logs } = capturedLogger();
    const { transport, sent } = recording(new InfluxV1Transport({ url: influx.url, db: 'reject' }));
    const sink = new InfluxSink({ transport, dataDir: tempDir(), logger, minRetryMs: 50 });
    const states: HistoryPoint[] = Array.from({ length: 7 }, (_, i) => ({
      kind: 'device_state',
      device: `d${i}`,
      deviceKind: 'camera',
      ts: T0 + i,
      online: true,
      available: true,
      shared: false,
    }));
    sink.write([...states.slice(0, 3), point('x', T0 + 100, 1.5), ...states.slice(3)]);
    await sink.flush();
    expect(sink.stats()).toMatchObject({ rejected: 1, written: 7, spooled: 0 });
    const badLine = `indicator,id=x,scope=city value=1.5 ${T0 + 100}`;
    const error = logs.find((l) => l.line === badLine);
    expect(error).toMatchObject({ level: 50, status: 400 });
    expect(String(error?.msg)).toContain(`InfluxDB at ${influx.url} refused a point with 400`);
    const sends = sent.length;
    await sink.flush();
    await sink.close();
    expect(sent.length).toBe(sends);
    const [dev] = await influx.query('reject', 'SELECT count(online) FROM "device_state"');
    expect(dev.values[0][1]).toBe(7);
  });

  it('sends what a previous process spooled, in order, after an engine restart', async () => {
    const dataDir = tempDir();
    const url = influx.url;
    await influx.stop();
    const { logger, lines: logs } = capturedLogger();
    const first = new InfluxSink({
      transport: new InfluxV1Transport({ url, db: 'restart' }),
      dataDir,
      batchLines: 100,
      logger,
    });
    for (let i = 0; i < 500; i++) first.write([point('r', T0 + i, i)]);
    await first.close();
    expect(first.stats()).toMatchObject({ written: 0, spooled: 500 });
    expect(logs.map((l) => l.msg)).toContain(
      `500 history points stay in ${dataDir}/spool; they are sent when the engine starts again and InfluxDB at ${url} answers`,
    );

    await influx.start();
    const { transport, sent } = recording(new InfluxV1Transport({ url, db: 'restart' }));
    const second = new InfluxSink({ transport, dataDir, batchLines: 100, logger });
    expect(second.stats().spooled).toBe(500);
    await second.flush();
    await second.close();
    expect(second.stats()).toMatchObject({ written: 500, spooled: 0 });
    const sentTimes = sent.flat().map((l) => Number(l.split(' ').at(-1)));
    expect(sentTimes).toEqual(Array.from({ length: 500 }, (_, i) => T0 + i));
    const [series] = await influx.query('restart', 'SELECT value FROM "indicator"');
    expect(series.values).toEqual(Array.from({ length: 500 }, (_, i) => [T0 + i, i]));
  });
});

// Issue 4 §5: an outage under load. Points are written steadily while the server is stopped for 10 s
// and started again; afterwards every point is there exactly once, by series and timestamp.
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { InfluxSink, type LineTransport } from '../../engine/sinks/influx-sink.js';
import { InfluxV1Transport } from '../../engine/sinks/influx-v1.js';
import { InfluxV2Transport } from '../../engine/sinks/influx-v2.js';
import { type InfluxdServer, startInfluxd } from '../support/influxdb.js';
import { tempDir } from '../support/tmp.js';
import { startVictoria, type VictoriaServer } from '../support/victoria.js';

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const SERIES = ['bus.on_time', 'air.pm25', 'lights.on'];
const TICK_MS = 10;
const RUN_MS = 25_000;
const OUTAGE_AT_MS = 5_000;
const OUTAGE_MS = 10_000;

const stopping: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(stopping.map((stop) => stop())));

/** Writes one point per series every 10 ms for 25 s, with the server down from 5 s to 15 s. */
async function writeThroughOutage(
  server: { stop(): Promise<void>; start(): Promise<void> },
  transport: LineTransport,
): Promise<{ ticks: number; maxSpooled: number; sink: InfluxSink }> {
  const logger = pino({ level: 'silent' });
  const sink = new InfluxSink({ transport, dataDir: tempDir(), logger, batchLines: 1000 });
  let ticks = 0;
  let maxSpooled = 0;
  const started = Date.now();
  const outage = (async () => {
    await new Promise((r) => setTimeout(r, OUTAGE_AT_MS));
    await server.stop();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await server.start();
  })();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      // Catch up on late timer ticks so the load stays at one point per 10 ms per series.
      const due = Math.floor((Date.now() - started) / TICK_MS);
      for (; ticks < due && ticks < RUN_MS / TICK_MS; ticks++) {
        sink.write(
          SERIES.map((id) => ({
            kind: 'indicator',
            id,
            scope: 'city',
            ts: T0 + ticks * TICK_MS,
            value: ticks,
            numerator: null,
            denominator: null,
            means: {},
          })),
        );
      }
      maxSpooled = Math.max(maxSpooled, sink.stats().spooled);
      if (ticks >= RUN_MS / TICK_MS) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  await outage;
  await sink.close();
  return { ticks, maxSpooled, sink };
}

const expectedTimes = (ticks: number) => Array.from({ length: ticks }, (_, i) => T0 + i * TICK_MS);

/** Timestamps missing from a series and timestamps found more than once, to fail with a readable diff. */
function gaps(times: number[], ticks: number): { missing: number[]; duplicated: number[] } {
  const seen = new Map<number, number>();
  for (const t of times) seen.set(t, (seen.get(t) ?? 0) + 1);
  return {
    missing: expectedTimes(ticks).filter((t) => !seen.has(t)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([t]) => t),
  };
}

describe.concurrent('an outage under load', () => {
  it('loses nothing and duplicates nothing through InfluxDB 1.6 (v1 /write)', async () => {
    const influx: InfluxdServer = await startInfluxd();
    stopping.push(() => influx.stop());
    await influx.exec('CREATE DATABASE outage');
    const { ticks, maxSpooled, sink } = await writeThroughOutage(
      influx,
      new InfluxV1Transport({ url: influx.url, db: 'outage' }),
    );
    expect(maxSpooled).toBeGreaterThan(0);
    expect(sink.stats()).toMatchObject({
      written: ticks * SERIES.length,
      spooled: 0,
      rejected: 0,
      dropped: 0,
    });
    for (const id of SERIES) {
      const [series] = await influx.query('outage', `SELECT value FROM "indicator" WHERE "id"='${id}'`);
      expect(
        gaps(
          series.values.map((v) => v[0] as number),
          ticks,
        ),
      ).toEqual({ missing: [], duplicated: [] });
      expect(series.values.map((v) => v[0])).toEqual(expectedTimes(ticks));
      expect(series.values.map((v) => v[1])).toEqual(expectedTimes(ticks).map((_, i) => i));
    }
  }, 60_000);

  it('loses nothing and duplicates nothing through the v2 WriteApi (victoria-metrics keeps duplicates)', async () => {
    const victoria: VictoriaServer = await startVictoria();
    stopping.push(() => victoria.stop());
    const { ticks, maxSpooled, sink } = await writeThroughOutage(
      victoria,
      new InfluxV2Transport({ url: victoria.url, org: 'city', bucket: 'history' }),
    );
    expect(maxSpooled).toBeGreaterThan(0);
    expect(sink.stats()).toMatchObject({
      written: ticks * SERIES.length,
      spooled: 0,
      rejected: 0,
      dropped: 0,
    });
    const exported = await victoria.export('{__name__="indicator_value"}', ticks * SERIES.length);
    expect(exported.map((s) => s.metric.id).sort()).toEqual([...SERIES].sort());
    for (const series of exported) {
      expect(gaps(series.timestamps, ticks)).toEqual({ missing: [], duplicated: [] });
      expect(series.timestamps).toEqual(expectedTimes(ticks));
      expect(series.values).toEqual(expectedTimes(ticks).map((_, i) => i));
    }
  }, 60_000);
});

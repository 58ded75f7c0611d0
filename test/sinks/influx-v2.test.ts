// The v2 path (the official client's WriteApi) against Debian's victoria-metrics, read back through
// its export API; and what the writer says when pointed at a server without the v2 API.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxSink } from '../../engine/sinks/influx-sink.js';
import { InfluxV2Transport } from '../../engine/sinks/influx-v2.js';
import type { HistoryPoint } from '../../engine/sinks/points.js';
import { type InfluxdServer, startInfluxd } from '../support/influxdb.js';
import { tempDir } from '../support/tmp.js';
import { startVictoria, type VictoriaServer } from '../support/victoria.js';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);

let victoria: VictoriaServer;
let influx: InfluxdServer;
beforeAll(async () => {
  [victoria, influx] = await Promise.all([startVictoria(), startInfluxd()]);
});
afterAll(() => Promise.all([victoria?.stop(), influx?.stop()]));

describe('InfluxDB v2 writer (WriteApi)', () => {
  it('writes indicators and device states that come back through the export API', async () => {
    const transport = new InfluxV2Transport({
      url: victoria.url,
      org: 'city',
      bucket: 'history',
      token: 't',
    });
    const sink = new InfluxSink({ transport, dataDir: tempDir(), batchLines: 250 });
    const points: HistoryPoint[] = [];
    for (let i = 0; i < 1000; i++) {
      points.push({
        kind: 'indicator',
        id: i % 2 === 0 ? 'air.pm25' : 'bus.on_time',
        scope: 'district:north',
        ts: T0 + i,
        value: i / 4,
        numerator: i % 2 === 0 ? null : i,
        denominator: null,
        means: { '1h': i === 0 ? 7.5 : null },
      });
    }
    points.push({
      kind: 'device_state',
      device: 'cam-1',
      deviceKind: 'camera',
      ts: T0,
      online: true,
      available: false,
      shared: true,
    });
    sink.write(points);
    await sink.close();
    expect(sink.stats()).toMatchObject({ written: 1001, spooled: 0, rejected: 0 });

    const series = await victoria.export('{__name__=~"indicator.*"}', 1000 + 500 + 1);
    const byName = (name: string, id: string) =>
      series.find((s) => s.metric.__name__ === name && s.metric.id === id);
    const pm25 = byName('indicator_value', 'air.pm25')!;
    expect(pm25.metric).toEqual({ __name__: 'indicator_value', id: 'air.pm25', scope: 'district:north' });
    expect(pm25.timestamps).toEqual(Array.from({ length: 500 }, (_, k) => T0 + 2 * k));
    expect(pm25.values).toEqual(Array.from({ length: 500 }, (_, k) => (2 * k) / 4));
    expect(byName('indicator_value', 'bus.on_time')!.values).toHaveLength(500);
    expect(byName('indicator_numerator', 'bus.on_time')!.values.slice(0, 3)).toEqual([1, 3, 5]);
    expect(byName('indicator_numerator', 'air.pm25')).toBeUndefined();
    expect(byName('indicator_mean_1h', 'air.pm25')).toMatchObject({ values: [7.5], timestamps: [T0] });

    const [online] = await victoria.export('{__name__="device_state_online"}', 1);
    expect(online).toMatchObject({
      metric: { device: 'cam-1', kind: 'camera' },
      values: [1],
      timestamps: [T0],
    });
  });

  it('sends a batch bigger than the WriteApi buffer in pieces, in order', async () => {
    const transport = new InfluxV2Transport({
      url: victoria.url,
      org: 'city',
      bucket: 'history',
      maxBatchLines: 100,
    });
    const lines = Array.from(
      { length: 250 },
      (_, i) => `indicator,id=chunked,scope=city value=${i} ${T0 + i}`,
    );
    expect(await transport.send(lines)).toBe('ok');
    await transport.close();
    const [series] = await victoria.export('{__name__="indicator_value",id="chunked"}', 250);
    expect(series.timestamps).toEqual(Array.from({ length: 250 }, (_, i) => T0 + i));
  });

  it('keeps the points and names the fix when the server has no v2 write API (InfluxDB 1.6 answers 404)', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({}, { write: (s: string) => lines.push(JSON.parse(s)) });
    const transport = new InfluxV2Transport({ url: influx.url, org: 'city', bucket: 'history' });
    const sink = new InfluxSink({ transport, dataDir: tempDir(), logger });
    sink.write([
      {
        kind: 'device_state',
        device: 'd',
        deviceKind: 'camera',
        ts: T0,
        online: true,
        available: true,
        shared: false,
      },
    ]);
    await sink.close();
    expect(sink.stats()).toMatchObject({ written: 0, spooled: 1, rejected: 0 });
    expect(lines.map((l) => l.msg).join('\n')).toContain(
      `InfluxDB at ${influx.url} answered 404: check --influx-org`,
    );
    expect(lines.map((l) => l.msg).join('\n')).toContain('use --influx-api v1');
  });
});

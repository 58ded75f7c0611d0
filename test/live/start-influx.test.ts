// `citygauge start` with InfluxDB 1.x (Debian's influxd 1.6.7, the v1 write path): indicator history lands
// in InfluxDB and the history API reads it back with InfluxQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CityProcess, startCity } from '../support/city-process.js';
import { type InfluxdServer, startInfluxd } from '../support/influxdb.js';

let influx: InfluxdServer;
let city: CityProcess;
const ADMIN = 'start-influx-admin-token-0123456789';

beforeAll(async () => {
  influx = await startInfluxd();
  await influx.exec('CREATE DATABASE citygauge');
  city = await startCity(
    [
      '--no-red',
      '--devices',
      '60',
      '--influx-url',
      influx.url,
      '--influx-api',
      'v1',
      '--influx-db',
      'citygauge',
    ],
    { CITYGAUGE_ADMIN_TOKEN: ADMIN },
  );
}, 60_000);

afterAll(async () => {
  await city?.stop();
  await influx?.stop();
});

describe('citygauge start with InfluxDB', () => {
  it('leaves Node-RED out with --no-red', async () => {
    expect((await fetch(`${city.http}/dashboard/city`)).status).toBe(404);
    expect((await fetch(`${city.http}/red/`)).status).toBe(404);
    expect(city.output()).toContain('dashboard      off (--no-red)');
  });

  it('writes indicator points to InfluxDB and serves their history through InfluxQL', async () => {
    const deadline = Date.now() + 20_000;
    let points: { ts: string; value: number | null }[] = [];
    while (Date.now() < deadline) {
      const res = await city.api(
        'GET',
        `/api/indicators/availability.cctv/history?from=${Date.now() - 600_000}&every=1s`,
      );
      points = res.status === 200 ? (res.body as typeof points) : [];
      if (points.some((p) => (p.value ?? 0) > 0)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(
      points.some((p) => (p.value ?? 0) > 0),
      `no history with a value above 0\n${city.output().slice(-1500)}`,
    ).toBe(true);
    const series = await influx.query(
      'citygauge',
      `SELECT count("value") FROM "indicator" WHERE "id" = 'availability.cctv' AND "scope" = 'city'`,
    );
    expect(Number(series[0]?.values[0]?.[1])).toBeGreaterThan(0);
    expect(city.output()).toMatch(/history\s+InfluxDB http:\/\/127\.0\.0\.1:\d+ \(v1\)/);
  });
});

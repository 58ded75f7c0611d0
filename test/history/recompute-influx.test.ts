// `citygauge recompute` against a real InfluxDB (Debian's influxd 1.6, v1 API): the same scenario as the
// embedded store's test, history written by the engine's own InfluxDB sink and read back over InfluxQL.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxSink } from '../../engine/sinks/influx-sink.js';
import { InfluxV1Transport } from '../../engine/sinks/influx-v1.js';
import { runCli } from '../support/cli.js';
import { type InfluxdServer, startInfluxd } from '../support/influxdb.js';
import { FROM, key, runScenario, type Scenario, TO, t } from '../support/recompute-scenario.js';
import { tempDir } from '../support/tmp.js';

let influx: InfluxdServer;
let scenario: Scenario;
const data = tempDir('citygauge-recompute-influx-');

beforeAll(async () => {
  influx = await startInfluxd();
  await influx.exec('CREATE DATABASE city');
  scenario = await runScenario(
    new InfluxSink({
      transport: new InfluxV1Transport({ url: influx.url, db: 'city' }),
      dataDir: data,
      logger: pino({ level: 'silent' }),
    }),
  );
}, 60_000);
afterAll(() => influx?.stop());

const recompute = (...extra: string[]) =>
  runCli([
    ...['recompute', 'cams-up', '--from', FROM, '--to', TO, '--inventory', scenario.inventory],
    ...[
      '--data-dir',
      data,
      '--influx-url',
      influx.url,
      '--influx-api',
      'v1',
      '--influx-db',
      'city',
      '--json',
    ],
    ...extra,
  ]);

const stored = async () =>
  (
    await influx.query(
      'city',
      `SELECT "scope", "value", "numerator", "denominator", "mean_1h" FROM "indicator" WHERE "id"='cams-up'`,
    )
  )[0].values.map(([ts, scope, value, numerator, denominator, mean]) => ({
    key: key(ts as number, scope as string),
    value,
    numerator,
    denominator,
    mean,
  }));

describe('citygauge recompute on InfluxDB', () => {
  it('diffs the stored values against the new definition, then --write replaces them with exactly those', async () => {
    const dry = await recompute();
    expect(dry.stderr).toBe('');
    const out = JSON.parse(dry.stdout);
    expect(out.changed).toBeGreaterThan(0);
    expect(
      out.rows.find((r: { ts: string; scope: string }) => r.ts === t(0) && r.scope === 'city'),
    ).toMatchObject({
      old: 75,
      new: 50,
    });
    for (const row of out.rows) expect(row.new).toBe(scenario.expected.get(key(row.ts, row.scope))!.value);

    const written = JSON.parse((await recompute('--write')).stdout);
    expect(written.written).toBe(out.rows.length);
    const after = await stored();
    expect(after).toHaveLength(written.written);
    for (const p of after) {
      const want = scenario.expected.get(p.key)!;
      // InfluxDB leaves a null field out: read back as null.
      expect([p.value, p.numerator, p.denominator, p.mean], p.key).toEqual([
        want.value,
        want.numerator,
        want.denominator,
        want.means['1h'],
      ]);
    }
    expect(JSON.parse((await recompute()).stdout).changed).toBe(0);
  });
});

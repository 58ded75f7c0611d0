// The monitoring stack against real servers: one `citygauge start` writing its history to Debian's influxd
// 1.6 (v1 write path) and scraped by Debian's prometheus with deploy/prometheus/rules loaded. Prometheus reads
// citygauge's metrics back through its query API, and every panel query of the generated Grafana dashboards
// (InfluxQL and PromQL; Grafana itself cannot be installed here) returns series, with Grafana's macros
// substituted as Grafana would. One city, one influxd and one prometheus serve every test of the file.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { type CityProcess, startCity } from '../support/city-process.js';
import { healthQueries, readDashboard } from '../support/grafana.js';
import { type InfluxdServer, startInfluxd } from '../support/influxdb.js';
import { type PrometheusServer, type PromSample, startPrometheus } from '../support/prometheus.js';
import { waitFor } from '../support/wait.js';
import { ROOT } from './tools.js';

const ADMIN = 'prometheus-live-admin-token-0123456789';
const JOB = 'citygauge';
const DB = 'citygauge';

let influx: InfluxdServer;
let city: CityProcess;
let prom: PrometheusServer;

beforeAll(async () => {
  influx = await startInfluxd();
  await influx.exec(`CREATE DATABASE ${DB}`);
  city = await startCity(
    ['--no-red', '--devices', '60', '--influx-url', influx.url, '--influx-api', 'v1', '--influx-db', DB],
    { CITYGAUGE_ADMIN_TOKEN: ADMIN },
  );
  prom = await startPrometheus({
    jobs: { [JOB]: [`127.0.0.1:${city.ports.http}`] },
    ruleFiles: [join(ROOT, 'deploy/prometheus/rules/citygauge.rules.yml')],
  });
}, 90_000);

afterAll(async () => {
  await prom?.stop();
  await city?.stop();
  await influx?.stop();
});

/** The query's samples once `ok` holds for them; on timeout, says what it last read. */
async function promUntil(expr: string, ok: (s: PromSample[]) => boolean, timeoutMs = 30_000) {
  let last: PromSample[] = [];
  return waitFor(
    () => `${expr} to give what the test wants; last ${JSON.stringify(last)}\n${city.output().slice(-1500)}`,
    async () => {
      last = await prom.query(expr);
      return ok(last) && last;
    },
    timeoutMs,
  );
}

/** Registered devices of a kind, as the city's API counts them. */
async function registered(kind?: string): Promise<number> {
  const res = await city.api('GET', `/api/devices?limit=1${kind ? `&kind=${kind}` : ''}`);
  expect(res.status).toBe(200);
  return res.body.total;
}

describe('Prometheus scraping a running citygauge', () => {
  it('finds the city up and reads its registered devices per kind as the API counts them', async () => {
    const up = await promUntil(`up{job="${JOB}"}`, (s) => s.length === 1 && s[0].value === 1);
    expect(up[0].metric.instance).toBe(`127.0.0.1:${city.ports.http}`);

    const byKind = await promUntil('citygauge_devices_registered', (s) => s.length > 0);
    const kinds = byKind.map((s) => s.metric.kind).sort();
    // One per availability indicator of the catalogue (http/metrics.ts reads their denominators).
    const catalogued = LIVE_CATALOGUE.flatMap((i) =>
      i.id.startsWith('availability.') ? [i.id.slice(13)] : [],
    );
    expect(kinds).toEqual(catalogued.sort());
    for (const s of byKind) {
      expect(s.metric.job).toBe(JOB);
      expect(s.value, `registered ${s.metric.kind}`).toBe(await registered(s.metric.kind));
    }
    expect(byKind.reduce((n, s) => n + s.value, 0)).toBe(await registered());
  });

  it('evaluates the recording rules: the share of devices down as the API counts it, messages accepted per second', async () => {
    // 60 of the sample city's devices are simulated; the rest never connect and count as down.
    const [down] = await promUntil(`citygauge:devices_down:ratio{job="${JOB}"}`, (s) => s.length === 1);
    const api = (await city.api('GET', '/api/devices?limit=1&down=true')).body.total / (await registered());
    // Simulated devices come and go between the scrape and the API call: a few devices either way.
    expect(down.value).toBeGreaterThan(0);
    expect(down.value).toBeLessThan(1);
    expect(Math.abs(down.value - api)).toBeLessThan(5 / (await registered()));

    // The simulated fleet reports in bursts half a minute apart: the rate may still read 0, the count not.
    const [accepted] = await promUntil(
      `citygauge_messages_accepted_total{job="${JOB}"}`,
      (s) => s.length === 1,
    );
    expect(accepted.value).toBeGreaterThan(0);
    const [rate] = await promUntil(`citygauge:messages_accepted:rate5m{job="${JOB}"}`, (s) => s.length === 1);
    expect(rate.metric.instance).toBe(`127.0.0.1:${city.ports.http}`);
    expect(rate.value).toBeGreaterThanOrEqual(0);
  });
});

async function refuseSignIn(): Promise<void> {
  const res = await fetch(`${city.http}/signin`, {
    method: 'POST',
    body: new URLSearchParams({ name: 'nobody', password: 'wrong-password', next: '/' }),
    redirect: 'manual',
  });
  expect(res.status).toBe(401);
}

describe("the generated Grafana dashboards' queries against the real servers", () => {
  it('runs every InfluxQL panel query on influxd filled by citygauge and gets numbers for each', async () => {
    const d = readDashboard('citygauge-indicators-influxql.json');
    // The district variable's own query lists the city's districts, as the engine scopes them.
    const scopes = new Set<string>(
      (await city.api('GET', '/api/indicators')).body.map((i: { scope: string }) => i.scope),
    );
    const districts = [...scopes].filter((s) => s !== 'city').sort();
    expect(districts.length).toBeGreaterThan(1);
    const variable = d.templating.list.find((v) => v.name === 'district')!;
    const listed = await waitFor(
      'the district variable to list every district',
      async () => {
        const values = (await influx.query(DB, variable.query)).flatMap((s) =>
          s.values.map((v) => String(v[1])),
        );
        return values.length === districts.length && values.sort();
      },
      30_000,
    );
    expect(listed).toEqual(districts);

    // Grafana's macros as Grafana fills them: All districts is (a|b|…), each value escaped as its
    // escapeRegex does.
    const all = `(${districts.map((s) => s.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&')).join('|')})`;
    const fill = (q: string) =>
      q
        .replaceAll('$timeFilter', 'time > now() - 1h')
        .replaceAll('$__interval', '10s')
        .replaceAll('$district', all);
    const queries = d.panels
      .filter((p) => p.type === 'timeseries')
      .flatMap((p) => p.targets!.map((t) => ({ title: p.title, q: fill(t.query!) })));
    expect(queries.length, 'a city and a district query per indicator').toBe(2 * LIVE_CATALOGUE.length);
    for (const { q } of queries) expect(q, 'every macro substituted').not.toMatch(/\$[\w{]/);

    const numbers = async (q: string) =>
      (await influx.query(DB, q))
        .flatMap((s) => s.values.map((v) => v[1]))
        .filter((v) => typeof v === 'number');
    for (const { title, q } of queries) {
      const values = await waitFor(
        `${title}: ${q} to return a number`,
        async () => {
          const v = await numbers(q);
          return v.length > 0 && v;
        },
        30_000,
      );
      for (const v of values) expect(v, title).toSatisfy((n: number) => n >= 0 && n <= 100);
    }
  });

  it('runs every PromQL panel query of the health dashboard on Prometheus and gets series for each', async () => {
    // A device with a wrong password and a refused sign-in: the broker and audit panels then read real
    // series, not only their 0 for a quiet city.
    await expect(
      city.connect({ clientId: 'intruder', username: 'intruder', password: 'wrong' }),
    ).rejects.toThrow();
    await refuseSignIn();

    // The Cluster row reads front doors and shards, which one process does not have: those queries run
    // against a real door and shard in test/cluster/node-http.test.ts.
    const queries = healthQueries((row) => row !== 'Cluster');
    expect(queries.length).toBeGreaterThanOrEqual(15);
    for (const { title, q } of queries) {
      expect(q, `${title}: every macro substituted`).not.toMatch(/\$[\w{]/);
      const samples = await promUntil(q, (s) => s.length > 0);
      for (const s of samples) expect(Number.isFinite(s.value), `${title}: ${q} gave ${s.value}`).toBe(true);
    }
    const panel = (title: string) => queries.find((q) => q.title === title)!.q;
    await promUntil(panel('Broker refusals per second, by reason'), (s) =>
      s.some((x) => x.metric.reason && x.metric.instance === `127.0.0.1:${city.ports.http}`),
    );
    await promUntil(panel('Audit entries per second, by action'), (s) =>
      s.some((x) => x.metric.action === 'signin.refused' && x.metric.outcome === 'refused'),
    );
    // A counter series is born at its first count, which increase() cannot see: the second one counts.
    await refuseSignIn();
    const [refused] = await promUntil(panel('Refused sign-ins in 10 minutes'), (s) =>
      s.some((x) => x.value > 0),
    );
    expect(refused.metric.job).toBe(JOB);
  });
});

// The Grafana dashboards in deploy/grafana/dashboards/ are what `citygauge dashboards` generates from the
// indicator catalogue, byte for byte, so the catalogue and the dashboards cannot drift; every indicator has
// its panels; the Flux panels read the measurement, tags and field the history sink writes (Flux cannot run
// here: Debian's influxd 1.6 has none, and InfluxDB 2 is not installable); the health dashboard covers every
// alert. The panel queries themselves run against real servers in prometheus-live.test.ts.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toLine } from '../../engine/sinks/line-protocol.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { dashboardFiles } from '../../indicators/grafana/generate.js';
import { areaOf } from '../../indicators/grafana/indicator-dashboards.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { ROOT } from './tools.js';

const DIR = join(ROOT, 'deploy/grafana/dashboards');
const REGENERATE = 'npm run build && node dist/cli/main.js dashboards --out deploy/grafana/dashboards';
const catalogue = buildCatalogue(LIVE_CATALOGUE);

interface Target {
  query?: string;
  expr?: string;
  datasource: { uid: string };
}
interface Panel {
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid: string };
  fieldConfig?: {
    defaults: { unit: string; thresholds: { steps: { color: string; value: number | null }[] } };
  };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
}
const read = (dir: string, name: string): Dashboard => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const graphs = (d: Dashboard) => d.panels.filter((p) => p.type === 'timeseries');

/** The row each panel sits under. */
function rowOf(d: Dashboard): Map<string, string> {
  const rows = new Map<string, string>();
  let row = '';
  for (const p of d.panels) {
    if (p.type === 'row') row = p.title;
    else rows.set(p.title, row);
  }
  return rows;
}

describe('the committed dashboards', () => {
  it('are exactly what the catalogue generates', () => {
    const files = dashboardFiles(catalogue);
    expect(readdirSync(DIR).sort()).toEqual(Object.keys(files).sort());
    for (const [name, text] of Object.entries(files)) {
      expect(readFileSync(join(DIR, name), 'utf8'), `${name} is stale: ${REGENERATE}`).toBe(text);
    }
  });

  it('are what `citygauge dashboards --out` writes', async () => {
    const out = tempDir('citygauge-dashboards-');
    const r = await runCli(['dashboards', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`to ${out}`);
    for (const name of readdirSync(DIR)) {
      expect(readFileSync(join(out, name), 'utf8'), name).toBe(readFileSync(join(DIR, name), 'utf8'));
    }
  });

  it('name only the data sources Grafana is provisioned with', () => {
    const provisioned = new Set(
      parse(
        readFileSync(join(ROOT, 'deploy/grafana/provisioning/datasources/citygauge.yaml'), 'utf8'),
      ).datasources.map((d: { uid: string }) => d.uid),
    );
    for (const [name, uid] of [
      ['citygauge-indicators-influxql.json', 'citygauge-influx-influxql'],
      ['citygauge-indicators-flux.json', 'citygauge-influx-flux'],
      ['citygauge-health.json', 'citygauge-prometheus'],
    ]) {
      expect(provisioned).toContain(uid);
      for (const p of graphs(read(DIR, name))) {
        expect(p.datasource?.uid, `${name}: ${p.title}`).toBe(uid);
        for (const t of p.targets ?? []) expect(t.datasource.uid).toBe(uid);
      }
    }
  });
});

describe('the indicator dashboards', () => {
  const influxql = read(DIR, 'citygauge-indicators-influxql.json');
  const flux = read(DIR, 'citygauge-indicators-flux.json');

  it('give every indicator of the catalogue a city panel and a district panel, in its ISO area, in percent', () => {
    for (const d of [influxql, flux]) {
      const rows = rowOf(d);
      const titles = graphs(d).map((p) => p.title);
      expect(titles).toHaveLength(2 * catalogue.length);
      for (const i of catalogue) {
        for (const title of [`${i.id} ${i.name}`, `${i.id} by district`]) {
          expect(titles, d.uid).toContain(title);
          expect(rows.get(title), title).toBe(areaOf(i.id));
          const panel = graphs(d).find((p) => p.title === title)!;
          expect(panel.fieldConfig?.defaults.unit).toBe('percent');
        }
      }
    }
    expect(rowOf(influxql).get('L2.2.1.b1 by district')).toBe('L2.2 Public safety (7.2.2)');
    expect(rowOf(influxql).get('availability.sensor by district')).toBe('Devices online (availability)');
  });

  it('lay out the same panels in InfluxQL and in Flux', () => {
    const layout = (d: Dashboard) => d.panels.map((p) => [p.type, p.title, p.gridPos]);
    expect(layout(flux)).toEqual(layout(influxql));
  });

  it('read in Flux the measurement, tags and field the InfluxDB 2.x sink writes', () => {
    // Both write paths send the lines line-protocol.ts builds (engine/sinks/influx-sink.ts).
    const line = toLine({
      kind: 'indicator',
      id: 'L2.1.1',
      scope: 'old-town',
      ts: 1_700_000_000_000,
      value: 50,
      numerator: 1,
      denominator: 2,
      means: {},
    })!;
    const [series, fields] = line.split(' ');
    const [measurement, ...tags] = series.split(',');
    expect(tags).toEqual(['id=L2.1.1', 'scope=old-town']);
    expect(fields.split(',').map((f) => f.split('=')[0])).toContain('value');

    const vars = flux.templating.list.map((v) => v.name);
    expect(vars).toEqual(['bucket', 'district']);
    const district = flux.templating.list.find((v) => v.name === 'district')!;
    expect(district.query).toContain(`schema.tagValues(bucket: "\${bucket}", tag: "scope"`);
    expect(district.query).toContain(`r._measurement == "${measurement}"`);

    for (const p of graphs(flux)) {
      const id = p.title.split(' ')[0];
      const q = p.targets![0].query!;
      expect(q.startsWith(`from(bucket: "\${bucket}")`), p.title).toBe(true);
      expect(q).toContain('|> range(start: v.timeRangeStart, stop: v.timeRangeStop)');
      expect(q).toContain(`r._measurement == "${measurement}" and r._field == "value" and r.id == "${id}"`);
      expect(q).toContain(
        p.title.endsWith('by district') ? `r.scope =~ /^\${district:regex}$/` : 'r.scope == "city"',
      );
      expect(q).toContain('|> aggregateWindow(every: v.windowPeriod, fn: mean, createEmpty: false)');
      // Balanced brackets: a cut-short query would not parse.
      for (const [open, close] of ['()', '[]', '{}']) {
        expect(q.split(open).length, `${p.title} ${open}${close}`).toBe(q.split(close).length);
      }
    }
  });

  it("take the city's own indicators and colour the city panels by its city.json thresholds", async () => {
    const dir = tempDir('citygauge-dashboards-city-');
    const inventory = join(ROOT, 'examples/sample-city');
    const file = join(dir, 'indicators.yaml');
    writeFileSync(
      file,
      [
        '- id: noise.sensor',
        '  name: Noise sensors reporting',
        '  kind: device-share',
        '  devices: { kind: sensor }',
        '  numerator: { condition: online }',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const r = await runCli(['dashboards', '--out', out, '--inventory', inventory, '--indicators', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const d = read(out, 'citygauge-indicators-influxql.json');
    expect(rowOf(d).get('noise.sensor Noise sensors reporting')).toBe("The city's own indicators");
    expect(graphs(d).find((p) => p.title === 'noise.sensor by district')!.targets![0].query).toContain(
      `"id" = 'noise.sensor'`,
    );

    const colour = { minor: 'yellow', major: 'orange', critical: 'red' };
    const thresholds: { indicator: string; scope: string; below: number; severity: keyof typeof colour }[] =
      JSON.parse(readFileSync(join(inventory, 'city.json'), 'utf8')).thresholds;
    const onCity = thresholds.filter((t) => t.scope === 'city');
    expect(onCity.length).toBeGreaterThan(0);
    for (const t of onCity) {
      if (onCity.filter((o) => o.indicator === t.indicator).length > 1) continue;
      const def = catalogue.find((c) => c.id === t.indicator)!;
      const panel = graphs(d).find((p) => p.title === `${def.id} ${def.name}`)!;
      expect(panel.fieldConfig!.defaults.thresholds.steps, t.indicator).toEqual([
        { color: colour[t.severity], value: null },
        { color: 'green', value: t.below },
      ]);
    }
  });

  it('refuses an inventory folder that does not exist, naming it', async () => {
    const r = await runCli(['dashboards', '--out', tempDir(), '--inventory', '/nonexistent/city']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("inventory folder '/nonexistent/city' does not exist");
  });
});

describe('the health dashboard', () => {
  const health = read(DIR, 'citygauge-health.json');
  const exprs = graphs(health).flatMap((p) => p.targets!.map((t) => t.expr!));
  const names = (expr: string) =>
    new Set(expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').match(/\bcitygauge[_:][a-z0-9_:]+|\bup\b/g));
  const used = new Set(exprs.flatMap((e) => [...names(e)]));
  const rules: { record?: string; alert?: string; expr: string }[] = parse(
    readFileSync(join(ROOT, 'deploy/prometheus/rules/citygauge.rules.yml'), 'utf8'),
  ).groups.flatMap((g: { rules: unknown[] }) => g.rules);

  it.each(rules.filter((r) => r.alert).map((r) => [r.alert!, r.expr]))(
    'shows what %s reads',
    (_alert, expr) => {
      expect([...names(expr)].filter((n) => used.has(n))).not.toEqual([]);
    },
  );

  it('reads only recording rules the rule file defines', () => {
    const records = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
    for (const n of used) if (n.includes(':')) expect(records, n).toContain(n);
  });

  it('has a row for every area the alerts watch', () => {
    expect(health.panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual([
      'Targets',
      'Ingest',
      'Engine',
      'Devices',
      'History',
      'Audit',
      'Cluster',
      'Process',
    ]);
  });
});

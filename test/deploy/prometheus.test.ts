// deploy/prometheus/ passes Prometheus' own checks (promtool check config, check rules, test rules), every
// alert has a unit test that fires it and one that keeps it quiet, and the rules use only metrics and labels
// citygauge's /metrics really exposes: the registry is built in process as `citygauge start` builds it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { Registry as PromRegistry } from 'prom-client';
import { Subject } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CityServices } from '../../cli/city-services.js';
import { openHistory } from '../../cli/history-options.js';
import { doorMetrics, shardMetrics } from '../../cluster/node-metrics.js';
import { SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import { CityEngine } from '../../engine/city-engine.js';
import type { RawMessage } from '../../engine/pipeline.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { countAuditEntries } from '../../people/audit-metrics.js';
import { People } from '../../people/people.js';
import { SqlitePeople } from '../../people/sqlite-people.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { tempDir } from '../support/tmp.js';

const DIR = 'deploy/prometheus';
const CONFIG = `${DIR}/prometheus.yml`;
const RULES = `${DIR}/rules/citygauge.rules.yml`;
const RULE_TESTS = `${DIR}/rules/citygauge.rules.test.yml`;
const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
}
const rules: Rule[] = parse(readFileSync(RULES, 'utf8')).groups.flatMap((g: { rules: Rule[] }) => g.rules);

function promtool(args: string[]) {
  const r = spawnSync('promtool', args, { encoding: 'utf8' });
  if (r.error)
    throw new Error(
      `promtool is not installed (${r.error.message}): apt-get install prometheus (it ships promtool)`,
    );
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

/** The expression without its quoted strings (label values, which may hold anything). */
const code = (expr: string) => expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');

describe('promtool', () => {
  it('accepts the scrape configuration and the rule file it names', () => {
    const r = promtool(['check', 'config', CONFIG]);
    expect(r.out).toContain(`SUCCESS: ${CONFIG} is valid prometheus config file syntax`);
    expect(r.out).toContain('SUCCESS: 1 rule files found');
    expect(r.status).toBe(0);
  });

  it('accepts the rules', () => {
    const r = promtool(['check', 'rules', RULES]);
    expect(r.out).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(r.status).toBe(0);
  });

  it('passes the rules unit tests', () => {
    const r = promtool(['test', 'rules', RULE_TESTS]);
    expect(r.out).toMatch(/SUCCESS$/);
    expect(r.status, r.out).toBe(0);
  });
});

describe('the rules unit tests', () => {
  const tests: {
    promql_expr_test?: { expr: string }[];
    alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[];
  }[] = parse(readFileSync(RULE_TESTS, 'utf8')).tests;
  const alertTests = tests.flatMap((t) => t.alert_rule_test ?? []);

  it.each(rules.filter((r) => r.alert).map((r) => r.alert))('fire %s and keep it quiet', (alert) => {
    const mine = alertTests.filter((t) => t.alertname === alert);
    expect(
      mine.some((t) => t.exp_alerts.length > 0),
      `no test where ${alert} fires`,
    ).toBe(true);
    expect(
      mine.some((t) => t.exp_alerts.length === 0),
      `no test where ${alert} stays quiet`,
    ).toBe(true);
  });

  it('check the value of every recording rule, directly or through the alerts built on it', () => {
    const exprs = [
      ...tests.flatMap((t) => (t.promql_expr_test ?? []).map((p) => p.expr)),
      ...rules.filter((r) => r.alert).map((r) => r.expr),
    ].join('\n');
    const unchecked = rules
      .filter((r) => r.record && !exprs.includes(r.record as string))
      .map((r) => r.record);
    expect(unchecked).toEqual([]);
  });
});

describe('the metrics the rules use', () => {
  let exposed: PromRegistry;
  /** The /metrics of a front door and of a shard (`--http-port`), each as its command builds it. */
  let nodes: PromRegistry[];
  beforeAll(async () => {
    // The registry of `citygauge start`: the engine's, the history sink's and the broker's figures
    // (CityServices.metrics), and the audit trail's counts, which buildApi adds.
    const dataDir = tempDir();
    const { inventory } = await loadInventoryDir(TOWN);
    const catalogue = buildCatalogue(LIVE_CATALOGUE);
    const log = pino({ level: 'silent' });
    const { sink } = openHistory({ influxApi: 'v2', spoolMaxMb: 64 }, dataDir, log);
    const city = new CityServices({
      engine: new CityEngine(inventory, catalogue),
      catalogue,
      thresholds: inventory.city.thresholds,
      messages$: new Subject<RawMessage>(),
      history: sink,
      alertLog: await SqliteAlertLog.open(dataDir),
      publish: () => {},
    });
    exposed = city.metrics({ broker: () => ({ refusals: { 'bad-credentials': 1 }, connectedClients: 0 }) });
    countAuditEntries(new People(await SqlitePeople.open(dataDir)), exposed);
    nodes = [
      doorMetrics({
        broker: () => ({ refusals: { 'bad-credentials': 1 }, connectedClients: 0 }),
        door: () => ({ appended: 1, failed: 1, lost: 1, pending: 0 }),
      }),
      shardMetrics({
        stats: () => ({ batches: 1, records: 1, takeovers: 1, checkpoints: 1 }),
        held: () => [0],
        lagMs: () => new Map([[0, 400]]),
      }),
    ];
  });

  /** Every series name /metrics can carry: counters and gauges by name, histograms with their parts. */
  async function exposedNames(): Promise<Set<string>> {
    const names = new Set<string>();
    for (const m of (await Promise.all([exposed, ...nodes].map((r) => r.getMetricsAsJSON()))).flat()) {
      names.add(m.name);
      if (['histogram', 'summary'].includes(String(m.type)))
        for (const part of ['_bucket', '_sum', '_count']) names.add(`${m.name}${part}`);
    }
    return names;
  }
  const labelsOf = (name: string): string[] =>
    [exposed, ...nodes].flatMap(
      (r) => (r.getSingleMetric(name) as unknown as { labelNames?: string[] } | undefined)?.labelNames ?? [],
    );

  it('are metrics /metrics exposes, records of the rule file, or up', async () => {
    const names = await exposedNames();
    expect(names).toContain('citygauge_devices_registered');
    expect(names).toContain('citygauge_door_log_append_failures_total');
    expect(names).toContain('citygauge_shard_partition_lag_seconds');
    const records = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
    for (const rule of rules) {
      // A recording rule's name has colons (level:metric:operations); a metric's has none.
      const used = code(rule.expr).match(/\b(?:citygauge[_:]|up\b)[A-Za-z0-9_:]*/g) ?? [];
      expect(used.length, rule.expr).toBeGreaterThan(0);
      for (const name of used) {
        if (name === 'up') continue;
        if (name.includes(':')) expect(records, `${rule.record ?? rule.alert}: ${name}`).toContain(name);
        else expect(names, `${rule.record ?? rule.alert}: ${name} is not on /metrics`).toContain(name);
      }
    }
  });

  it('select and group by labels those metrics carry', async () => {
    const scrape = ['job', 'instance'];
    for (const rule of rules) {
      const expr = code(rule.expr);
      const metrics = expr.match(/\bcitygauge_[A-Za-z0-9_]*/g) ?? [];
      const known = new Set([...scrape, ...metrics.flatMap(labelsOf)]);
      for (const [, metric, matchers] of expr.matchAll(/\b(citygauge_[A-Za-z0-9_]*)\{([^}]*)\}/g))
        for (const [, label] of matchers.matchAll(/([A-Za-z_]+)\s*[=!~]/g))
          expect(
            [...scrape, ...labelsOf(metric)],
            `${rule.record ?? rule.alert}: ${metric}{${label}}`,
          ).toContain(label);
      for (const [, list] of expr.matchAll(/\b(?:by|on)\s*\(([^)]*)\)/g))
        for (const label of list.split(',').map((l) => l.trim()))
          expect(known, `${rule.record ?? rule.alert}: by/on (${label})`).toContain(label);
    }
    // The one label value the rules rely on is an action the audit trail records.
    const people = readFileSync('people/people.ts', 'utf8');
    expect(readFileSync(RULES, 'utf8')).toContain('action="signin.refused"');
    expect(people).toContain("'signin.refused'");
  });

  it('counts devices registered beside devices online, by kind, from the same indicators', async () => {
    const text = await exposed.metrics();
    const sample = (name: string) =>
      Object.fromEntries(
        [...text.matchAll(new RegExp(`^${name}\\{kind="([^"]+)"\\} (\\S+)$`, 'gm'))].map((m) => [
          m[1],
          Number(m[2]),
        ]),
      );
    const { inventory } = await loadInventoryDir(TOWN);
    const byKind: Record<string, number> = {};
    for (const d of inventory.devices.values()) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
    const registered = sample('citygauge_devices_registered');
    for (const [kind, n] of Object.entries(byKind)) expect(registered[kind], kind).toBe(n);
    // Nothing heard yet: every registered device is down.
    expect(Object.values(sample('citygauge_devices_online')).every((n) => n === 0)).toBe(true);
  });

  it('are scraped from jobs the target-down alert covers', () => {
    const jobs: string[] = parse(readFileSync(CONFIG, 'utf8')).scrape_configs.map(
      (s: { job_name: string }) => s.job_name,
    );
    expect(jobs).toEqual(['citygauge', 'citygauge-api', 'citygauge-door', 'citygauge-shard']);
    const down = rules.find((r) => r.alert === 'CitygaugeTargetDown');
    expect(down?.expr).toContain('up{job=~"citygauge.*"}');
  });
});

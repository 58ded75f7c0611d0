// Issue 14 item 6: a user-defined indicator's definition changes; the change log records it at the next
// start, and `citygauge recompute` gives, from the recorded device states alone, exactly the values a
// replay of the same traffic with the new definition gives; --write makes the stored history equal to them.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordIndicatorChanges } from '../../cli/indicator-changes.js';
import { loadCatalogue } from '../../cli/load-city.js';
import { notRecomputable } from '../../engine/recompute.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { SqliteRecomputeSource } from '../../engine/sinks/sqlite-recompute.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import type { IndicatorDef } from '../../indicators/definition.js';
import { buildCatalogue, parseIndicatorText } from '../../indicators/load-definitions.js';
import { People } from '../../people/people.js';
import { SqlitePeople } from '../../people/sqlite-people.js';
import { runCli } from '../support/cli.js';
import {
  AFTER,
  BEFORE,
  FROM,
  key,
  runScenario,
  type Scenario,
  T0,
  TO,
  t,
} from '../support/recompute-scenario.js';
import { tempDir } from '../support/tmp.js';

let inventory: string;
let data: string;
let afterCatalogue: IndicatorDef[];
let expected: Scenario['expected'];
let useDefinitions: Scenario['useDefinitions'];

beforeAll(async () => {
  data = join(tempDir('citygauge-recompute-data-'), 'data');
  ({ inventory, afterCatalogue, expected, useDefinitions } = await runScenario(
    new SqliteHistory(data, { now: () => T0 + 3_600_000 }),
  ));
}, 60_000);

interface Json {
  changed: number;
  instants: number;
  written: number;
  rows: {
    ts: string;
    scope: string;
    old: number | null;
    stored: boolean;
    new: number | null;
    changed: boolean;
  }[];
}

const recompute = async (...extra: string[]) =>
  runCli([
    'recompute',
    'cams-up',
    '--from',
    FROM,
    '--to',
    TO,
    '--inventory',
    inventory,
    '--data-dir',
    data,
    ...extra,
  ]);

async function storedPoints() {
  const source = new SqliteRecomputeSource(data);
  try {
    return await source.points('cams-up', T0, T0 + 900_000);
  } finally {
    await source.close();
  }
}

describe('the change log', () => {
  it('records a changed definition once per start that loads it, and audits it as system', async () => {
    const log = pino({ level: 'silent' });
    const people = new People(await SqlitePeople.open(data));
    const opts = { dataDir: data };
    useDefinitions(BEFORE);
    await (await recordIndicatorChanges(opts, loadCatalogue(inventory), people, log)).close();
    await (await recordIndicatorChanges(opts, loadCatalogue(inventory), people, log)).close();
    useDefinitions(AFTER);
    await (await recordIndicatorChanges(opts, afterCatalogue, people, log)).close();
    const audit = await people.store.auditPage({ action: 'indicator', limit: 10 });
    await people.store.close();

    const r = await runCli(['indicators', 'changes', 'cams-up', '--data-dir', data, '--json']);
    expect(r.stderr).toBe('');
    const entries = JSON.parse(r.stdout);
    // Two definitions of cams-up; hd-cams, only reordered, once.
    expect(entries.map((e: { kind: string }) => e.kind)).toEqual(['definition', 'definition']);
    expect(entries[1].previousHash).toBe(entries[0].hash);
    expect(entries[1].hash).not.toBe(entries[0].hash);
    expect(entries[1].definition.numerator).toEqual({ condition: 'available' });
    const hd = JSON.parse(
      (await runCli(['indicators', 'changes', 'hd-cams', '--data-dir', data, '--json'])).stdout,
    );
    expect(hd).toHaveLength(1);
    // Newest first.
    expect(audit.map((a) => [a.actor, a.action, a.target])).toEqual([
      ['system', 'indicator.definition', 'cams-up'],
      ['system', 'indicator.definition', 'hd-cams'],
      ['system', 'indicator.definition', 'cams-up'],
    ]);
  });
});

describe('citygauge recompute', () => {
  it('shows, without writing, the values the new definition gives at each instant history was written', async () => {
    const before = await storedPoints();
    const r = await recompute('--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Json;
    expect(out.written).toBe(0);
    // Every stored point is in the diff with its stored value, and every new value is the replay's.
    const stored = before.filter((p) => p.ts >= T0);
    expect(out.rows.filter((row) => row.stored)).toHaveLength(stored.length);
    for (const row of out.rows) {
      expect(row.new, `${row.ts} ${row.scope}`).toBe(expected.get(key(row.ts, row.scope))!.value);
      if (row.stored)
        expect(row.old).toBe(stored.find((p) => key(p.ts, p.scope) === key(row.ts, row.scope))!.value);
    }
    // The definition matters: cam-2 and cam-4 online without video are no longer counted.
    expect(out.changed).toBeGreaterThan(0);
    expect(out.rows.find((row) => row.ts === t(0) && row.scope === 'city')).toMatchObject({
      old: 75,
      new: 50,
    });
    // A dry run leaves the store as it was.
    expect(await storedPoints()).toEqual(before);
  });

  it('starts from the states recorded before --from when the range begins mid-history', async () => {
    const r = await runCli([
      ...['recompute', 'cams-up', '--from', t(125), '--to', t(400), '--inventory', inventory],
      ...['--data-dir', data, '--json'],
    ]);
    const out = JSON.parse(r.stdout) as Json;
    // The first instant the engine wrote in the range, and none before it.
    expect(out.rows.length).toBeGreaterThan(0);
    expect(Date.parse(out.rows[0].ts)).toBeGreaterThanOrEqual(Date.parse(t(125)));
    for (const row of out.rows)
      expect(row.new, `${row.ts} ${row.scope}`).toBe(expected.get(key(row.ts, row.scope))!.value);
  });

  it('prints a table of the values that differ, or of all of them with --all', async () => {
    const r = await recompute();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^time\s+scope\s+stored\s+new/);
    expect(r.stdout).toContain(`${t(0)}  city    75      50   changed`);
    // Stored and new agree for the north district at 08:00: not a difference.
    expect(r.stdout).not.toContain(`${t(0)}  north`);
    expect(r.stdout).toMatch(/cams-up: \d+ of \d+ values differ over \d+ instants \(embedded store /);
    expect(r.stdout).toContain('dry run: nothing written (add --write to replace the stored values)');
    const all = await recompute('--all');
    expect(all.stdout).toContain(`${t(0)}  north   50      50\n`);
  });

  it('--write makes the stored history equal to the replay, and records it in the change log and audit trail', async () => {
    const before = await storedPoints();
    const r = await recompute('--write', '--json');
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Json & { replaced: number };
    expect(out.written).toBeGreaterThan(0);
    // The replaced points are kept aside, as they were.
    expect(out.replaced).toBe(before.length);
    const db = new Database(join(data, 'history.sqlite'), { readonly: true });
    const kept = db.prepare('SELECT ts, value FROM indicator_replaced').all() as {
      ts: number;
      value: number | null;
    }[];
    db.close();
    const byTime = (a: { ts: number; value: number | null }, b: typeof a) =>
      a.ts - b.ts || (a.value ?? -1) - (b.value ?? -1);
    expect(kept.sort(byTime)).toEqual(before.map((p) => ({ ts: p.ts, value: p.value })).sort(byTime));
    const after = await storedPoints();
    expect(after).toHaveLength(out.written);
    for (const p of after) {
      const want = expected.get(key(p.ts, p.scope))!;
      expect({ value: p.value, numerator: p.numerator, denominator: p.denominator, means: p.means }).toEqual({
        value: want.value,
        numerator: want.numerator,
        denominator: want.denominator,
        means: want.means,
      });
    }
    // Every move of the new series is in the store.
    const last = new Map<string, number | null>();
    for (const [k, v] of expected) {
      if (last.has(v.scope) && last.get(v.scope) === v.value) continue;
      last.set(v.scope, v.value);
      expect(
        after.some((p) => key(p.ts, p.scope) === k),
        k,
      ).toBe(true);
    }

    // Nothing left to change.
    const again = JSON.parse((await recompute('--json')).stdout) as Json;
    expect(again.changed).toBe(0);

    const changes = JSON.parse(
      (await runCli(['indicators', 'changes', 'cams-up', '--data-dir', data, '--json'])).stdout,
    );
    expect(changes.at(-1)).toMatchObject({
      kind: 'recompute',
      hash: changes[1].hash,
      detail: { from: FROM, to: TO, changed: out.changed, written: out.written },
    });
    const people = await SqlitePeople.open(data);
    const [audited] = await people.auditPage({ action: 'indicator.recompute', limit: 1 });
    await people.close();
    expect(audited).toMatchObject({ via: 'cli', target: 'cams-up' });
    expect(audited.after).toMatchObject({ hash: changes[1].hash, changed: out.changed });
  });

  it('refuses what it cannot recompute, saying why', async () => {
    const run = (...args: string[]) =>
      runCli(['recompute', ...args, '--inventory', inventory, '--data-dir', data]);
    const unknown = await run('nope', '--from', FROM, '--to', TO);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("no user-defined indicator 'nope'");
    const standard = await run('L2.2.1.b1', '--from', FROM, '--to', TO);
    expect(standard.stderr).toContain("'L2.2.1.b1' is a standard indicator");
    const empty = await run('cams-up', '--from', '2025-01-01T00:00:00Z', '--to', '2025-01-02T00:00:00Z');
    expect(empty.stderr).toContain('no device states recorded');
    const influx = await run(
      'cams-up',
      ...[
        '--from',
        FROM,
        '--to',
        TO,
        '--influx-url',
        'http://127.0.0.1:9',
        '--influx-api',
        'v1',
        '--influx-db',
        'city',
      ],
    );
    expect(influx.stderr).toContain('check --influx-url');
    expect(influx.stderr).not.toContain('    at ');
  });
});

describe('what can be recomputed from device states', () => {
  it('refuses an indicator built on arrival messages, which the history does not keep', () => {
    const catalogue = buildCatalogue(
      LIVE_CATALOGUE,
      parseIndicatorText(
        `
- { id: buses, name: Buses, kind: weighted, parts: [{ indicator: L1.2.2, weight: 1 }] }
- { id: cams, name: Cams, kind: weighted, parts: [{ indicator: L2.2.1.b1, weight: 0.5 }, { flag: cctvSharingAgreement, weight: 0.5 }] }
`,
        'indicators.yaml',
      ),
    );
    expect(notRecomputable(catalogue, 'buses')).toBe(
      "'L1.2.2' counts arrival messages, which the history does not keep (only device states)",
    );
    expect(notRecomputable(catalogue, 'cams')).toBeUndefined();
  });
});

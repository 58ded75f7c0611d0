// Issue 14 item 3: a live value's coverage in the report is the share of the period with history behind it,
// so a few minutes of history no longer read as a fully covered quarter.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndicatorPoint } from '../../engine/sinks/points.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { RegistryStore } from '../../registry/store.js';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import { liveFromReader } from '../../scorecard/live-history.js';
import { isPeriod, parsePeriod } from '../../scorecard/period.js';
import { scorecardFromStore } from '../../scorecard/scorecard.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
const HOUR = 3_600_000;

const point = (id: string, ts: number, value: number): IndicatorPoint => ({
  kind: 'indicator',
  id,
  scope: 'city',
  ts,
  value,
  numerator: null,
  denominator: null,
  means: {},
});

const period = (id: string) => {
  const p = parsePeriod(id, 'UTC');
  if (!isPeriod(p)) throw new Error(p.message);
  return p;
};

describe('live coverage over a period', () => {
  const dir = tempDir();
  let history: SqliteHistory;
  // 2026-Q1 in UTC is 90 days: 2,160 hours.
  const feb1 = Date.parse('2026-02-01T10:00:00Z');
  beforeAll(async () => {
    const forever = Number.MAX_SAFE_INTEGER / 2;
    const keep = { rawRetentionMs: forever, minuteRetentionMs: forever };
    const writer = new SqliteHistory(dir, keep);
    writer.write([
      // Five minutes of L2.1.1, all in one hour.
      point('L2.1.1', feb1, 80),
      point('L2.1.1', feb1 + 120_000, 82),
      point('L2.1.1', feb1 + 300_000, 84),
      // L1.2.2 in three separate hours.
      point('L1.2.2', feb1, 50),
      point('L1.2.2', feb1 + 5 * HOUR, 50),
      point('L1.2.2', feb1 + 30 * 24 * HOUR, 50),
    ]);
    await writer.close();
    history = new SqliteHistory(dir, keep);
  });
  afterAll(() => history?.close());

  it('is the hours with history over the hours of the period', async () => {
    const q1 = period('2026-Q1');
    const live = await liveFromReader(history, 'x', q1, ScorecardStore.inMemory().catalogue);
    expect(live.coverage?.get('L2.1.1')).toBe(1 / 2160);
    expect(live.coverage?.get('L1.2.2')).toBe(3 / 2160);
    expect(live.coverage?.get('L2.2.1')).toBe(0);
  });

  it('weighs each live value by its coverage in the roll-ups, where it used to count fully', async () => {
    const q1 = period('2026-Q1');
    const store = ScorecardStore.inMemory();
    const live = await liveFromReader(history, 'x', q1, store.catalogue);
    const card = scorecardFromStore(store, q1.id, live.values, live.note, live.coverage);
    expect(card.indicators.find((l) => l.id === 'L2.1.1')).toMatchObject({ value: 82, coverage: 1 / 2160 });
    const group = (c: typeof card) => c.rollUps.find((n) => n.parts.includes('L2.1.1'))!;
    const before = scorecardFromStore(store, q1.id, live.values, live.note);
    expect(group(before).coverage).toBeGreaterThan(group(card).coverage * 100);
    expect(card.rollUps[0].coverage).toBeLessThan(before.rollUps[0].coverage);
  });
});

describe('citygauge report', () => {
  it('says how much of the period has history behind each live value, in its summary and its CSV', async () => {
    const dataDir = tempDir();
    const store = await RegistryStore.open(dataDir);
    store.upsert((await loadInventoryDir(TOWN)).inventory);
    const now = Date.now();
    const writer = new SqliteHistory(dataDir);
    writer.write([point('L2.1.1', now - 240_000, 70), point('L2.1.1', now - 120_000, 72)]);
    await writer.close();
    const d = new Date(now);
    const id = `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
    const p = period(id);
    const hours = new Set([now - 240_000, now - 120_000].map((t) => Math.floor((t - p.fromMs) / HOUR))).size;
    const share = (hours * HOUR) / (p.toMs - p.fromMs);

    const out = join(dataDir, 'r.html');
    const r = await runCli(['report', '--period', id, '--data-dir', dataDir, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `live history behind each value, as a share of ${id}: L2.1.1 ${(share * 100).toFixed(1)} %`,
    );
    const row = readFileSync(join(dataDir, 'r.csv'), 'utf8')
      .split('\r\n')
      .find((l) => l.startsWith('indicator,L2.1.1,'))!
      .split(',');
    // coverage is the second last column: the share, to six decimals, not 1.
    expect(Number(row[row.length - 2])).toBeCloseTo(share, 6);
    expect(Number(row[row.length - 2])).toBeLessThan(0.01);
    // Two points two minutes apart fill one hour of history, or two when they straddle an hour.
    const shown = (share * 100).toFixed(1).replace('.', '\\.');
    expect(readFileSync(out, 'utf8')).toMatch(
      new RegExp(`data-indicator="L2\\.1\\.1">.*<td class="num">${shown} %</td></tr>`),
    );
  });
});

// The embedded history store: bucketed means computed by hand, gaps left out, retention, restart.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeviceStatePoint, IndicatorPoint } from '../../engine/sinks/points.js';
import { SqliteHistory, type SqliteHistoryOptions } from '../../engine/sinks/sqlite-history.js';
import { tempDir } from '../support/tmp.js';

const T0 = Date.parse('2026-01-10T00:00:00Z');
const S = 1000;
const MIN = 60 * S;
const DAY = 86_400 * S;
const iso = (t: number) => new Date(t).toISOString();

const point = (ts: number, value: number | null, id = 'cctv-coverage', scope = 'city'): IndicatorPoint => ({
  kind: 'indicator',
  id,
  scope,
  ts,
  value,
  numerator: value,
  denominator: value === null ? null : 100,
  means: { '1h': value },
});
const device = (ts: number): DeviceStatePoint => ({
  kind: 'device_state',
  device: 'cam-1',
  deviceKind: 'camera',
  ts,
  online: true,
  available: false,
  shared: false,
});

let now = T0;
const open: SqliteHistory[] = [];
function store(dir = tempDir(), options: SqliteHistoryOptions = {}) {
  const s = new SqliteHistory(dir, { now: () => now, ...options });
  open.push(s);
  return s;
}
afterEach(async () => {
  now = T0;
  for (const s of open.splice(0)) await s.close();
});

describe('bucketed history', () => {
  // 00:00:10 → 10, 00:00:50 → 20, 00:01:30 → 40, nothing in 00:02–00:03, 00:04:00 → null, 00:05:10 → 5
  const minutes = [point(T0 + 10 * S, 10), point(T0 + 50 * S, 20), point(T0 + 90 * S, 40)];
  const later = [point(T0 + 4 * MIN, null), point(T0 + 5 * MIN + 10 * S, 5)];

  it('answers the mean of the points in each bucket and leaves buckets without data out', async () => {
    now = T0 + DAY;
    const h = store();
    h.write([
      ...minutes,
      ...later,
      point(T0 + 20 * S, 99, 'other'),
      point(T0 + 20 * S, 98, 'cctv-coverage', 'north'),
    ]);
    await h.flush();
    const q = { id: 'cctv-coverage', scope: 'city', from: T0, to: T0 + 6 * MIN };
    expect(await h.history({ ...q, everyMs: 2 * MIN })).toEqual([
      { ts: iso(T0), value: 70 / 3 }, // (10 + 20 + 40) / 3; 00:02 has no data and is left out
      { ts: iso(T0 + 4 * MIN), value: 5 }, // a null value (empty denominator) does not count
    ]);
    expect(await h.history({ ...q, everyMs: MIN })).toEqual([
      { ts: iso(T0), value: 15 },
      { ts: iso(T0 + MIN), value: 40 },
      { ts: iso(T0 + 4 * MIN), value: null }, // data, but no value: kept, as null
      { ts: iso(T0 + 5 * MIN), value: 5 },
    ]);
  });

  it('takes from as inclusive and to as exclusive, with buckets aligned to the epoch', async () => {
    now = T0 + DAY;
    const h = store();
    h.write([...minutes, ...later]);
    await h.flush();
    const q = { id: 'cctv-coverage', scope: 'city', everyMs: 2 * MIN };
    expect(await h.history({ ...q, from: T0 + 50 * S, to: T0 + 5 * MIN + 10 * S })).toEqual([
      { ts: iso(T0), value: 30 }, // (20 + 40) / 2: 00:00:10 is before from
      { ts: iso(T0 + 4 * MIN), value: null }, // 00:05:10 is at to, so out
    ]);
  });

  it('answers nothing for a series it never saw', async () => {
    const h = store();
    expect(await h.history({ id: 'nope', scope: 'city', from: 0, to: T0, everyMs: MIN })).toEqual([]);
  });

  it('writes nothing until a flush, then everything in one go', async () => {
    const h = store(tempDir(), { flushAtPoints: 3 });
    h.write([point(T0, 1)]);
    expect(h.stats()).toEqual({ written: 0, spooled: 0, spoolBytes: 0, rejected: 0, dropped: 0 });
    h.write([point(T0 + S, 2), device(T0)]); // the third point schedules a flush off this call
    expect(h.stats().written).toBe(0);
    await vi.waitFor(() => expect(h.stats().written).toBe(3), { timeout: 2000, interval: 5 });
  });
});

describe('retention', () => {
  it('prunes raw points and device states past 7 days and minute means past 90 days', async () => {
    const h = store();
    h.write([
      point(T0 - 91 * DAY, 1),
      point(T0 - 8 * DAY + 10 * S, 10),
      point(T0 - 8 * DAY + 40 * S, 20),
      point(T0 - HOUR, 7),
      device(T0 - 8 * DAY),
      device(T0 - HOUR),
    ]);
    await h.flush(); // the first flush starts a prune too; run one more to see what it did
    await vi.waitFor(async () => expect(await h.prune()).toEqual({ raw: 0, minutes: 0, devices: 0 }));

    const q = { id: 'cctv-coverage', scope: 'city', to: T0 };
    // Beyond raw retention the minute means answer: one bucket per minute, (10 + 20) / 2.
    expect(await h.history({ ...q, from: T0 - 100 * DAY, everyMs: 30 * S })).toEqual([
      { ts: iso(T0 - 8 * DAY), value: 15 },
      { ts: iso(T0 - HOUR), value: 7 },
    ]);
    // The raw points of 8 days ago are gone: seen from a clock where they would still be in retention,
    // the raw table has nothing for them.
    now = T0 - 7 * DAY;
    expect(
      await h.history({ ...q, from: T0 - 8 * DAY - MIN, to: T0 - 8 * DAY + MIN, everyMs: 30 * S }),
    ).toEqual([]);
    now = T0;
    // Within raw retention the raw points answer, finer than a minute.
    h.write([point(T0 - HOUR + 40 * S, 9)]);
    await h.flush();
    expect(await h.history({ ...q, from: T0 - 2 * HOUR, everyMs: 30 * S })).toEqual([
      { ts: iso(T0 - HOUR), value: 7 },
      { ts: iso(T0 - HOUR + 30 * S), value: 9 },
    ]);
  });

  it('counts what a prune deletes, in batches smaller than the backlog', async () => {
    const h = store(tempDir(), { pruneBatch: 2, rawRetentionMs: DAY, minuteRetentionMs: 2 * DAY });
    h.write([0, 1, 2, 3, 4].map((i) => point(T0 - 3 * DAY + i * MIN, i)));
    h.write([device(T0 - 3 * DAY), device(T0)]);
    (h as unknown as { lastPrune: number }).lastPrune = now; // keep flush from pruning first
    await h.flush();
    expect(await h.prune()).toEqual({ raw: 5, minutes: 5, devices: 1 });
  });

  it('stops a long prune at close rather than holding close up', async () => {
    const h = new SqliteHistory(tempDir(), { now: () => now, pruneBatch: 1 });
    h.write(Array.from({ length: 50 }, (_, i) => point(T0 - 10 * DAY + i * S, i)));
    (h as unknown as { lastPrune: number }).lastPrune = now;
    await h.flush();
    const pruned = h.prune();
    await h.close();
    expect((await pruned).raw).toBeLessThan(50);
  });

  it('prunes from flush at most once a minute', async () => {
    const h = store();
    const prune = vi.spyOn(h, 'prune');
    await h.flush();
    await h.flush();
    expect(prune).toHaveBeenCalledTimes(1);
    now += MIN;
    await h.flush();
    expect(prune).toHaveBeenCalledTimes(2);
  });
});

describe('restart', () => {
  it('keeps the points written before close, buffered ones included', async () => {
    now = T0 + DAY;
    const dir = tempDir();
    const first = store(dir);
    first.write([point(T0 + 10 * S, 10)]);
    await first.flush();
    first.write([point(T0 + 20 * S, 20)]); // still buffered: close must write it
    await first.close();
    const again = store(dir);
    again.write([point(T0 + 30 * S, 60)]);
    await again.flush();
    expect(
      await again.history({ id: 'cctv-coverage', scope: 'city', from: T0, to: T0 + MIN, everyMs: MIN }),
    ).toEqual([{ ts: iso(T0), value: 30 }]);
    // The minute mean carried on across the restart too: (10 + 20 + 60) / 3.
    now = T0 + 30 * DAY;
    expect(
      await again.history({ id: 'cctv-coverage', scope: 'city', from: T0, to: T0 + MIN, everyMs: MIN }),
    ).toEqual([{ ts: iso(T0), value: 30 }]);
  });
});

const HOUR = 3600 * S;

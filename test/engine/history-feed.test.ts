import { describe, expect, it } from 'vitest';
import { HistoryFeed } from '../../engine/sinks/history-feed.js';
import type { HistoryPoint, HistorySink } from '../../engine/sinks/points.js';
import { at, TestCity } from '../support/city.js';

class MemorySink implements HistorySink {
  points: HistoryPoint[] = [];
  write(p: readonly HistoryPoint[]) {
    this.points.push(...p);
  }
  async flush() {}
  async close() {}
  stats() {
    return { written: this.points.length, spooled: 0, spoolBytes: 0, rejected: 0, dropped: 0 };
  }
}

describe('HistoryFeed', () => {
  it('writes each device condition change and indicator values as they change, all of them each minute', () => {
    const c = new TestCity({
      devices: [{ id: 'sen-1', kind: 'sensor', district: 'east', expectedIntervalS: 60 }],
    });
    const sink = new MemorySink();
    const feed = new HistoryFeed(sink);
    feed.attach(c.engine);
    c.heartbeat(0, 'sensor', 'sen-1');
    expect(sink.points).toEqual([
      {
        kind: 'device_state',
        device: 'sen-1',
        deviceKind: 'sensor',
        ts: at(0),
        online: true,
        available: true,
        shared: false,
      },
    ]);
    sink.points = [];
    feed.onSnapshot(c.engine.snapshot(at(1)));
    const first = sink.points.length;
    expect(first).toBe(18 * 2); // every indicator for city and east, the first time
    sink.points = [];
    feed.onSnapshot(c.engine.snapshot(at(2)));
    expect(sink.points).toEqual([]); // nothing changed
    feed.onSnapshot(c.engine.snapshot(at(181))); // sen-1 lapsed at 180 s
    expect(sink.points.filter((p) => p.kind === 'device_state')).toEqual([
      {
        kind: 'device_state',
        device: 'sen-1',
        deviceKind: 'sensor',
        ts: at(180),
        online: false,
        available: false,
        shared: false,
      },
    ]);
    const values = sink.points.filter((p) => p.kind === 'indicator');
    // a minute has passed since the full write: every indicator again
    expect(values).toHaveLength(36);
    expect(
      values.find((p) => p.kind === 'indicator' && p.id === 'availability.sensor' && p.scope === 'city'),
    ).toMatchObject({ value: 0, ts: at(181) });
  });
});

describe('a device state recorded at a snapshot instant', () => {
  it('says when it changed after that snapshot was taken (a lapse exactly then), and not for a message then', () => {
    const c = new TestCity({
      devices: [
        { id: 'sen-1', kind: 'sensor', district: 'east', expectedIntervalS: 60 },
        { id: 'sen-2', kind: 'sensor', district: 'east', expectedIntervalS: 60 },
      ],
    });
    const sink = new MemorySink();
    new HistoryFeed(sink).attach(c.engine);
    c.heartbeat(0, 'sensor', 'sen-1');
    // A message at 180 s is in the snapshot at 180 s; sen-1, heard exactly 3 × 60 s before, is still online
    // in it and lapses just after it was taken.
    c.heartbeat(180, 'sensor', 'sen-2');
    c.engine.snapshot(at(180));
    c.engine.snapshot(at(181));
    const states = sink.points.filter((p) => p.kind === 'device_state');
    expect(states.map((p) => [p.device, p.ts - at(0), p.online, p.afterInstant ?? false])).toEqual([
      ['sen-1', 0, true, false],
      ['sen-2', 180_000, true, false],
      ['sen-1', 180_000, false, true],
    ]);
  });
});

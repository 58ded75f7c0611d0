// The parts of the API leader that need no cluster: the topic ↔ subject mapping of the city's output, the
// history a follower keeps for when it leads, and the alert log that writes through only while leading.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test as prop } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { LeaderAlertLog } from '../../cluster/cluster-alerts.js';
import { LeaderHistory } from '../../cluster/led-history.js';
import { outputSubject, outputTopic } from '../../cluster/output-subject.js';
import { SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import type { Alert } from '../../engine/alerts/alert-machine.js';
import type { HistoryPoint, HistorySink } from '../../engine/sinks/points.js';

describe('output subjects', () => {
  it('names a city topic readably, one token per level', () => {
    expect(outputSubject('city/indicators/L2.2.1.b4/old-town', true)).toBe(
      'citygauge.out.city.indicators.L2~2e2~2e1~2eb4.old-town',
    );
    expect(outputSubject('city/alerts/availability.sensor', false)).toBe(
      'citygauge.event.city.alerts.availability~2esensor',
    );
  });

  prop.prop([
    fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: 1, maxLength: 6 }),
    fc.boolean(),
  ])('gives every topic its own valid subject, and back', (levels, retain) => {
    const topic = levels.join('/');
    const subject = outputSubject(topic, retain);
    // A NATS subject token holds no separator, wildcard or space, and is never empty.
    expect(subject.split('.').every((t) => /^[A-Za-z0-9_~-]+$/.test(t))).toBe(true);
    expect(outputTopic(subject)).toEqual({ topic, retain });
  });

  it('refuses a subject that is not city output', () => {
    expect(outputTopic('citygauge.in.3')).toBeUndefined();
    expect(outputTopic('citygauge.out.')).toBeUndefined();
  });
});

class Collect implements HistorySink {
  readonly points: HistoryPoint[] = [];
  write(points: readonly HistoryPoint[]): void {
    this.points.push(...points);
  }
  flush = async () => {};
  close = async () => {};
  stats = () => ({ written: this.points.length, spooled: 0, spoolBytes: 0, rejected: 0, dropped: 0 });
}

const point = (ts: number, value: number): HistoryPoint => ({
  kind: 'indicator',
  id: 'L1.2.2',
  scope: 'city',
  ts,
  value,
  numerator: value,
  denominator: 100,
  means: {},
});

describe('history in a cluster', () => {
  it('writes nothing while following, the last minutes when it leads, then writes through', () => {
    let now = 1_000_000;
    const sink = new Collect();
    const history = new LeaderHistory(sink, () => now, 60_000);
    history.write([point(now - 120_000, 1), point(now - 30_000, 2)]);
    history.write([point(now, 3)]);
    expect(sink.points).toEqual([]);
    now += 10_000;
    history.lead();
    // The point older than the kept minutes is gone; the others are written, in order.
    expect(sink.points.map((p) => (p as { value: number }).value)).toEqual([2, 3]);
    expect(history.dropped).toBe(1);
    history.write([point(now, 4)]);
    expect(sink.points).toHaveLength(3);
    history.follow();
    history.write([point(now, 5)]);
    expect(sink.points).toHaveLength(3);
  });
});

const alert = (over: Partial<Alert> = {}): Alert => ({
  alertId: 'L1.2.2@city@1000',
  indicator: 'L1.2.2',
  scope: 'city',
  severity: 'major',
  below: 50,
  clearAt: 60,
  raisedAt: 1000,
  value: 10,
  ...over,
});

describe('the alert log of an API node', () => {
  it('answers from memory, writes the shared log only while leading, and brings it up to date at once', async () => {
    const store = await SqliteAlertLog.open(mkdtempSync(join(tmpdir(), 'citygauge-alerts-')));
    const log = new LeaderAlertLog(store);
    log.recordWait({ indicator: 'L1.2.2', scope: 'city', below: 50, since: 500 });
    log.record(alert());
    expect(log.get('L1.2.2@city@1000')?.raisedAt).toBe(1000);
    expect(store.list()).toEqual([]);
    expect(store.waits()).toEqual([]);

    log.lead();
    expect(store.list()).toEqual([alert()]);
    expect(store.waits()).toEqual([{ indicator: 'L1.2.2', scope: 'city', below: 50, since: 500 }]);
    log.record(alert({ clearedAt: 2000 }));
    expect(store.get('L1.2.2@city@1000')?.clearedAt).toBe(2000);
    await store.close();
  });

  it('keeps an acknowledgement heard before its alert, so a leader never writes the alert back unacknowledged', async () => {
    const store = await SqliteAlertLog.open(mkdtempSync(join(tmpdir(), 'citygauge-alerts-')));
    const log = new LeaderAlertLog(store);
    log.acks.set('L1.2.2@city@1000', { alertId: 'L1.2.2@city@1000', by: 'duty officer', at: 1500 });
    log.lead();
    log.record(alert({ clearedAt: 2000 }));
    expect(store.get('L1.2.2@city@1000')).toMatchObject({
      acknowledgedAt: 1500,
      acknowledgedBy: 'duty officer',
      clearedAt: 2000,
    });
    await store.close();
  });
});

// docs/contract.md §4 thresholds under virtual time: raise after exactly forS, no flapping inside the hysteresis
// band, acknowledge, clear, and open alerts that survive a restart.
import { describe, expect, it } from 'vitest';
import { AlertMachine } from '../../engine/alerts/alert-machine.js';
import type { Threshold } from '../../registry/inventory.js';

const S = 1000;
const b4: Threshold = {
  indicator: 'L2.2.1.b4',
  scope: 'city',
  below: 95,
  clearAt: 96,
  forS: 300,
  severity: 'major',
};

describe('AlertMachine', () => {
  it('raises after exactly forS below the threshold, stamped at that instant', () => {
    const m = new AlertMachine([b4]);
    expect(m.onValue('L2.2.1.b4', 'city', 97, 0)).toEqual([]);
    expect(m.onValue('L2.2.1.b4', 'city', 94, 10 * S)).toEqual([]);
    expect(m.onTime(310 * S - 1)).toEqual([]);
    const [raise] = m.onTime(312 * S); // the clock ticks a little after the deadline
    expect(raise).toMatchObject({
      type: 'raise',
      at: 310 * S,
      alert: { alertId: `L2.2.1.b4@city@${310 * S}`, value: 94, severity: 'major', raisedAt: 310 * S },
    });
    expect(m.onTime(400 * S)).toEqual([]); // raised once
  });

  it('does not raise when the value recovers before forS, and starts counting again from the next drop', () => {
    const m = new AlertMachine([b4]);
    m.onValue('L2.2.1.b4', 'city', 94, 0);
    m.onValue('L2.2.1.b4', 'city', 95, 299 * S); // exactly `below` is not below
    expect(m.onTime(301 * S)).toEqual([]);
    m.onValue('L2.2.1.b4', 'city', 90, 400 * S);
    expect(m.onTime(699 * S)).toEqual([]);
    expect(m.onTime(700 * S)).toHaveLength(1);
  });

  it('does not flap inside the hysteresis band and clears only at clearAt', () => {
    const m = new AlertMachine([b4]);
    m.onValue('L2.2.1.b4', 'city', 94, 0);
    m.onTime(300 * S);
    expect(m.onValue('L2.2.1.b4', 'city', 95.5, 310 * S)).toEqual([]);
    expect(m.onValue('L2.2.1.b4', 'city', 94, 320 * S)).toEqual([]);
    expect(m.onTime(1000 * S)).toEqual([]);
    const [clear] = m.onValue('L2.2.1.b4', 'city', 96, 1010 * S);
    expect(clear).toMatchObject({
      type: 'clear',
      at: 1010 * S,
      alert: { clearedAt: 1010 * S, raisedAt: 300 * S },
    });
    expect(m.openAlerts()).toEqual([]);
  });

  it('is acknowledged once, by a named person, and stays open until cleared', () => {
    const m = new AlertMachine([b4]);
    m.onValue('L2.2.1.b4', 'city', 80, 0);
    const [raise] = m.onTime(300 * S);
    const ack = m.acknowledge(raise.alert.alertId, 'Dana Ortiz', 305 * S);
    expect(ack).toMatchObject({
      type: 'acknowledge',
      at: 305 * S,
      alert: { acknowledgedBy: 'Dana Ortiz', acknowledgedAt: 305 * S },
    });
    expect(m.acknowledge(raise.alert.alertId, 'Someone Else', 306 * S)).toBeUndefined();
    expect(m.acknowledge('nope', 'Dana Ortiz', 306 * S)).toBeUndefined();
    expect(m.openAlerts()).toHaveLength(1);
  });

  it('treats a null value as not below: it cancels a pending alert but does not clear a raised one', () => {
    const m = new AlertMachine([b4]);
    m.onValue('L2.2.1.b4', 'city', 80, 0);
    m.onValue('L2.2.1.b4', 'city', null, 100 * S);
    expect(m.onTime(400 * S)).toEqual([]);
    m.onValue('L2.2.1.b4', 'city', 80, 500 * S);
    m.onTime(800 * S);
    expect(m.onValue('L2.2.1.b4', 'city', null, 900 * S)).toEqual([]);
    expect(m.openAlerts()).toHaveLength(1);
  });

  it('keeps open alerts across a restart: they stay raised until the value reaches clearAt', () => {
    const before = new AlertMachine([b4]);
    before.onValue('L2.2.1.b4', 'city', 80, 0);
    before.onTime(300 * S);
    const open = before.openAlerts();
    const after = new AlertMachine([b4], open);
    expect(after.openAlerts()).toEqual(open);
    expect(after.onValue('L2.2.1.b4', 'city', 80, 2000 * S)).toEqual([]); // no second raise
    expect(after.onTime(3000 * S)).toEqual([]);
    expect(after.onValue('L2.2.1.b4', 'city', 99, 3100 * S)[0]).toMatchObject({
      type: 'clear',
      alert: { alertId: open[0].alertId },
    });
  });
});

describe('AlertMachine carried over (issue 10: alerts nothing holds off)', () => {
  const id = 'L2.2.1.b4';

  it('keeps the wait when the same thresholds are set again (a registry rebuild)', () => {
    const m = new AlertMachine([b4]);
    m.onValue(id, 'city', 90, 10 * S);
    for (const t of [40, 70, 100, 130, 160, 190, 220, 250, 280]) {
      expect(m.setThresholds([{ ...b4 }], t * S)).toEqual([]);
      expect(m.onValue(id, 'city', 90, t * S)).toEqual([]); // the new engine's value, fed as it stands
    }
    expect(m.onTime(309 * S)).toEqual([]);
    expect(m.onTime(311 * S).map((e) => [e.type, e.at])).toEqual([['raise', 310 * S]]);
  });

  it('counts a changed forS from the same pending-since, later or at once', () => {
    const longer = new AlertMachine([b4]);
    longer.onValue(id, 'city', 90, 10 * S);
    longer.setThresholds([{ ...b4, forS: 600 }], 100 * S);
    expect(longer.onTime(400 * S)).toEqual([]);
    expect(longer.onTime(615 * S).map((e) => e.at)).toEqual([610 * S]);

    const shorter = new AlertMachine([b4]);
    shorter.onValue(id, 'city', 90, 10 * S);
    // Below for 90 s already when forS becomes 60: due since 70 s, raised at that instant.
    expect(shorter.setThresholds([{ ...b4, forS: 60 }], 100 * S).map((e) => [e.type, e.at])).toEqual([
      ['raise', 70 * S],
    ]);
  });

  it('keeps a raised alert raised and acknowledged when its line stays, and clears it at the new clearAt', () => {
    const m = new AlertMachine([b4]);
    m.onValue(id, 'city', 90, 0);
    const [raise] = m.onTime(300 * S);
    m.acknowledge(raise.alert.alertId, 'Dana Ortiz', 305 * S);
    expect(m.setThresholds([{ ...b4, severity: 'critical', forS: 30, clearAt: 98 }], 400 * S)).toEqual([]);
    expect(m.openAlerts()).toEqual([
      expect.objectContaining({ alertId: raise.alert.alertId, acknowledgedBy: 'Dana Ortiz' }),
    ]);
    expect(m.onTime(1000 * S)).toEqual([]); // no second raise
    expect(m.onValue(id, 'city', 97, 1100 * S)).toEqual([]); // the old clearAt no longer clears it
    expect(m.onValue(id, 'city', 98, 1200 * S)).toEqual([
      expect.objectContaining({
        type: 'clear',
        at: 1200 * S,
        alert: expect.objectContaining({ alertId: raise.alert.alertId }),
      }),
    ]);
  });

  it('clears an open alert whose threshold is removed or moved to another line, at the change', () => {
    const m = new AlertMachine([b4]);
    m.onValue(id, 'city', 90, 0);
    const [raise] = m.onTime(300 * S);
    const events = m.setThresholds([{ ...b4, below: 80, clearAt: 85 }], 400 * S);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'clear',
        at: 400 * S,
        alert: expect.objectContaining({ alertId: raise.alert.alertId, clearedAt: 400 * S }),
      }),
    ]);
    expect(m.openAlerts()).toEqual([]);
    // 90 is not below the new line: nothing waits.
    expect(m.onTime(2000 * S)).toEqual([]);
    expect(m.waits()).toEqual([]);
  });

  it('starts a new line waiting at the change, and a new threshold on a waiting line from that wait', () => {
    const m = new AlertMachine([b4]);
    m.onValue(id, 'city', 70, 10 * S);
    const critical: Threshold = { ...b4, below: 75, clearAt: 76, forS: 60, severity: 'critical' };
    const minor: Threshold = { ...b4, forS: 100, severity: 'minor' };
    m.setThresholds([b4, critical, minor], 100 * S);
    // minor shares b4's line (below 95), so it has waited since 10 s; critical's line is new: from 100 s.
    expect(m.onTime(400 * S).map((e) => [e.alert.severity, e.at])).toEqual([
      ['major', 310 * S],
      ['critical', 160 * S],
      ['minor', 110 * S],
    ]);
  });

  it('takes back the waits from before a restart: a value still below raises at the original since + forS', () => {
    const before = new AlertMachine([b4]);
    before.onValue(id, 'city', 90, 10 * S);
    expect(before.takeWaitChanges()).toEqual([{ indicator: id, scope: 'city', below: 95, since: 10 * S }]);
    const waits = before.waits();

    const after = new AlertMachine([b4], [], waits);
    expect(after.onTime(400 * S)).toEqual([]); // no value heard yet: nothing is known to be below
    expect(after.onValue(id, 'city', 91, 400 * S).map((e) => [e.type, e.at])).toEqual([['raise', 310 * S]]);

    const recovered = new AlertMachine([b4], [], waits);
    recovered.onValue(id, 'city', 99, 200 * S);
    expect(recovered.takeWaitChanges()).toEqual([{ indicator: id, scope: 'city', below: 95 }]);
    recovered.onValue(id, 'city', 90, 250 * S); // a new drop counts from itself
    expect(recovered.onTime(549 * S)).toEqual([]);
    expect(recovered.onTime(550 * S)).toHaveLength(1);
  });

  it('gives each open alert back to its own threshold when two share a line', () => {
    const major = { ...b4, forS: 60 };
    const critical = { ...b4, forS: 300, severity: 'critical' as const };
    const before = new AlertMachine([major, critical]);
    before.onValue(id, 'city', 90, 0);
    expect(before.onTime(60 * S)).toHaveLength(1);
    const open = before.openAlerts();
    const after = new AlertMachine([critical, major], open, before.waits());
    after.onValue(id, 'city', 90, 100 * S);
    // critical still waits from 0 s; major stays raised, not raised twice.
    expect(after.onTime(300 * S).map((e) => [e.alert.severity, e.at])).toEqual([['critical', 300 * S]]);
    expect(
      after
        .openAlerts()
        .map((a) => a.severity)
        .sort(),
    ).toEqual(['critical', 'major']);
  });
});

// CONTRACT §4 thresholds under virtual time: raise after exactly forS, no flapping inside the hysteresis
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

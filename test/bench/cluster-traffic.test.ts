// bench:cluster's pure helpers: which recorded lines a device can really publish, how the fleet is split over
// publishing processes and front doors, and when the cluster has judged every message as one process did.
import { describe, expect, it } from 'vitest';
import { benchToken, judgedAll, planTraffic, publishable, shareFleet } from '../../bench/cluster/traffic.js';
import { emptyInventory, type Inventory } from '../../registry/inventory.js';

function city(): Inventory {
  const inv = emptyInventory();
  for (const id of ['sen-1', 'sen-2', 'sen-3'])
    inv.devices.set(id, { id, kind: 'sensor', district: 'd1', hd: false, expectedIntervalS: 60 });
  inv.devices.set('pm-1', {
    id: 'pm-1',
    kind: 'pipe-monitor',
    district: 'd1',
    hd: false,
    expectedIntervalS: 60,
  });
  return inv;
}

const line = (topic: string, payload: unknown) =>
  JSON.stringify({ t: '2026-01-05T06:00:00.000Z', topic, payload });

describe('bench:cluster traffic', () => {
  it('keeps what the engine judges and leaves out what the broker refuses first', () => {
    const inv = city();
    expect(publishable(inv, 'city/sensor/sen-1/telemetry', '{}')).toBe('sen-1');
    expect(publishable(inv, 'city/sensor/nobody/telemetry', '{}')).toBeUndefined(); // unknown device
    expect(publishable(inv, 'city/sensor/pm-1/telemetry', '{}')).toBeUndefined(); // another kind's topic
    expect(publishable(inv, 'city/sensor/sen-1/arrival', '{}')).toBeUndefined(); // not a sensor's channel
    expect(publishable(inv, 'city/sensor/sen-1/telemetry', 'x'.repeat(16 * 1024 + 1))).toBeUndefined();

    const lines = [
      line('city/sensor/sen-2/telemetry', { ts: 1, seq: 1, metrics: { pm25: 3 } }),
      line('city/sensor/nobody/status', { state: 'online' }),
      line('city/pipe-monitor/pm-1/status', '{"state":"onl'), // malformed: kept, the engine refuses it
      'not json',
      line('city/sensor/sen-2/telemetry', { ts: 2, seq: 2, metrics: { pm25: 4 } }),
      line('city/sensor/sen-1/heartbeat', { ts: 3 }),
      line('city/sensor/sen-3/heartbeat', { ts: 4 }),
    ];
    const t = planTraffic(inv, lines, 4);
    expect(t.devices).toEqual(['sen-2', 'pm-1', 'sen-1']);
    expect(t.messages).toEqual([
      [0, 'city/sensor/sen-2/telemetry', '{"ts":1,"seq":1,"metrics":{"pm25":3}}'],
      [1, 'city/pipe-monitor/pm-1/status', '{"state":"onl'],
      [0, 'city/sensor/sen-2/telemetry', '{"ts":2,"seq":2,"metrics":{"pm25":4}}'],
      [2, 'city/sensor/sen-1/heartbeat', '{"ts":3}'],
    ]);
    expect([t.read, t.leftOut]).toEqual([6, 2]);

    const capped = planTraffic(inv, lines, 10, 2);
    expect(capped.devices).toEqual(['sen-2', 'pm-1']);
    expect(capped.otherDevices).toBe(2);
  });

  it('keeps each device on one process and one front door, its messages in recorded order', () => {
    const inv = city();
    const lines = [1, 2, 3, 4, 5, 6].map((seq) =>
      line(`city/sensor/sen-${(seq % 3) + 1}/heartbeat`, { ts: seq, seq }),
    );
    const t = planTraffic(inv, lines, 6);
    const shares = shareFleet(t, 2, 2);
    expect(shares.map((s) => s.devices.map(([id, , door]) => [id, door]))).toEqual([
      [
        ['sen-2', 0],
        ['sen-1', 0],
      ],
      [['sen-3', 1]],
    ]);
    expect(shares[0].devices[0][1]).toBe(benchToken('sen-2'));
    expect(benchToken('sen-2')).not.toBe(benchToken('sen-1'));
    const seqs = (s: (typeof shares)[number], d: number) =>
      s.messages.filter(([i]) => i === d).map(([, , p]) => JSON.parse(p).seq);
    expect(seqs(shares[0], 0)).toEqual([1, 4]);
    expect(seqs(shares[0], 1)).toEqual([3, 6]);
    expect(seqs(shares[1], 0)).toEqual([2, 5]);
    expect(shares.reduce((n, s) => n + s.messages.length, 0)).toBe(6);
  });

  it('counts the traffic judged only once each count the one process made is reached; extra duplicates do not stand in', () => {
    const reference = { accepted: 100, rejectedBy: { 'bad-json': 2, duplicate: 3 } };
    expect(judgedAll({ accepted: 100, rejected: { 'bad-json': 2, duplicate: 3 } }, reference)).toBe(true);
    expect(judgedAll({ accepted: 99, rejected: { 'bad-json': 2, duplicate: 4 } }, reference)).toBe(false);
    expect(judgedAll({ accepted: 100, rejected: { 'bad-json': 1, duplicate: 9 } }, reference)).toBe(false);
    expect(judgedAll({ accepted: 100, rejected: { 'bad-json': 2, duplicate: 8 } }, reference)).toBe(true);
  });
});

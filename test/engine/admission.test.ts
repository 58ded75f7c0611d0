// docs/contract.md §3: every rejection reason, and that a rejected message changes nothing, not even liveness.
import { describe, expect, it } from 'vitest';
import { payloadProblem } from '../../engine/admission.js';
import { Decoded } from '../../engine/inbound.js';
import { TestCity } from '../support/city.js';

const city = () =>
  new TestCity({
    routes: [{ id: 'R1' }],
    pipes: [{ id: 'p1', lengthM: 10, district: 'centre' }],
    devices: [
      { id: 'pm-1', kind: 'pipe-monitor', assetId: 'p1' },
      { id: 'bus-1', kind: 'transit-beacon' },
      { id: 'cam-1', kind: 'cctv' },
    ],
  });

const telemetry = { ts: 1, pressureKPa: 310.5, flowLps: 12, leak: false };
const arrival = { ts: 1, routeId: 'R1', stopId: 's', vehicleId: 'v', predictedArrival: 2 };

describe('admission', () => {
  it.each([
    ['bad-topic', 'city/pipe-monitor/pm-1', telemetry],
    ['bad-topic', 'city/pipe-monitor/pm-1/telemetry/extra', telemetry],
    ['bad-topic', 'city/pipe-monitor/pm-1/arrival', arrival], // a channel pipe monitors don't use
    ['bad-topic', 'city/lamp/l-1/status', { state: 'online' }],
    ['bad-topic', 'town/pipe-monitor/pm-1/telemetry', telemetry],
    ['bad-topic', 'city/pipe-monitor//telemetry', telemetry],
    ['unknown-device', 'city/pipe-monitor/pm-9/telemetry', telemetry],
    ['kind-mismatch', 'city/sensor/pm-1/telemetry', { ts: 1, metrics: {} }],
    [
      'too-large',
      'city/pipe-monitor/pm-1/telemetry',
      JSON.stringify({ ...telemetry, note: 'x'.repeat(16 * 1024) }),
    ],
    ['bad-json', 'city/pipe-monitor/pm-1/telemetry', '{"ts":1,"pressureKPa":'],
    ['bad-payload', 'city/pipe-monitor/pm-1/telemetry', { ...telemetry, pressureKPa: 'high' }],
    ['bad-payload', 'city/pipe-monitor/pm-1/telemetry', { pressureKPa: 1, flowLps: 1, leak: false }],
    ['bad-payload', 'city/pipe-monitor/pm-1/status', { state: 'sleeping' }],
    ['bad-payload', 'city/cctv/cam-1/status', { state: 'online', video: 'blurry' }],
    ['bad-payload', 'city/pipe-monitor/pm-1/heartbeat', { ts: 'yesterday' }],
    ['unknown-route', 'city/transit-beacon/bus-1/arrival', { ...arrival, routeId: 'R9' }],
  ])('rejects %s: %s', (reason, topic, payload) => {
    const c = city();
    expect(c.send(0, topic, payload)).toBe(reason);
    const snap = c.engine.snapshot();
    expect(snap.rejected[reason as keyof typeof snap.rejected]).toBe(1);
    expect(snap.accepted).toBe(0);
    for (const id of [
      'availability.pipe-monitor',
      'availability.transit-beacon',
      'availability.cctv',
      'L1.2.2',
    ]) {
      expect(snap.indicators.find((i) => i.id === id && i.scope === 'city')!.numerator).toBe(0);
    }
  });

  it('accepts a payload of exactly 16 KiB as a Buffer and counts its bytes, not characters', () => {
    const c = city();
    const base = JSON.stringify({ ...telemetry, note: '' });
    const exact = JSON.stringify({ ...telemetry, note: 'x'.repeat(16 * 1024 - base.length) });
    expect(Buffer.byteLength(exact)).toBe(16 * 1024);
    expect(c.send(0, 'city/pipe-monitor/pm-1/telemetry', Buffer.from(exact))).toBeUndefined();
    const accented = JSON.stringify({ ...telemetry, note: 'é'.repeat((16 * 1024 - base.length) / 2 + 1) });
    expect(c.send(1, 'city/pipe-monitor/pm-1/telemetry', accented)).toBe('too-large');
  });

  it('drops a repeat of device, channel and seq within 10 minutes, exactly 10 minutes included', () => {
    const c = city();
    expect(c.heartbeat(0, 'pipe-monitor', 'pm-1', { seq: 7 })).toBeUndefined();
    expect(c.heartbeat(2, 'pipe-monitor', 'pm-1', { seq: 7 })).toBe('duplicate');
    expect(c.heartbeat(600, 'pipe-monitor', 'pm-1', { seq: 7 })).toBe('duplicate');
    expect(c.engine.snapshot().rejected.duplicate).toBe(2);
  });

  it('accepts the same seq again more than 10 minutes later, on another channel, or from another device', () => {
    const c = city();
    c.heartbeat(0, 'pipe-monitor', 'pm-1', { seq: 7 });
    expect(c.send(1, 'city/pipe-monitor/pm-1/telemetry', { ...telemetry, seq: 7 })).toBeUndefined();
    expect(c.heartbeat(2, 'cctv', 'cam-1', { seq: 7 })).toBeUndefined();
    expect(c.heartbeat(600.001, 'pipe-monitor', 'pm-1', { seq: 7 })).toBeUndefined();
  });

  it('does not let a duplicate refresh liveness', () => {
    const c = city();
    c.heartbeat(0, 'pipe-monitor', 'pm-1', { seq: 1 });
    c.heartbeat(100, 'pipe-monitor', 'pm-1', { seq: 1 }); // a redelivery: ignored
    expect(c.value(180, 'availability.pipe-monitor')).toBe(100);
    expect(c.value(181, 'availability.pipe-monitor')).toBe(0);
  });

  it('accepts messages without seq every time', () => {
    const c = city();
    expect(c.heartbeat(0, 'pipe-monitor', 'pm-1')).toBeUndefined();
    expect(c.heartbeat(0, 'pipe-monitor', 'pm-1')).toBeUndefined();
    expect(c.engine.accepted).toBe(2);
  });
});

// Issue 10 item 6: a bad-payload names the failing field and its rule, for every channel's schema.
describe('field-level reasons for bad-payload', () => {
  const status = { state: 'online', ts: 1 };
  it.each([
    ['city/pipe-monitor/pm-1/status', { state: 'sleeping' }, 'state: must be "online" or "offline"'],
    ['city/pipe-monitor/pm-1/status', { ts: 1 }, 'state: missing, must be "online" or "offline"'],
    ['city/pipe-monitor/pm-1/status', { ...status, seq: -1 }, 'seq: must be an integer ≥ 0'],
    ['city/pipe-monitor/pm-1/status', { ...status, seq: 1.5 }, 'seq: must be an integer ≥ 0'],
    ['city/pipe-monitor/pm-1/status', { ...status, seq: '7' }, 'seq: must be an integer ≥ 0'],
    [
      'city/cctv/cam-1/status',
      { state: 'online', video: 'blurry' },
      'video: must be "ok", "degraded" or "lost"',
    ],
    ['city/cctv/cam-1/status', { state: 'online', shared: 'yes' }, 'shared: expected true or false'],
    [
      'city/pipe-monitor/pm-1/heartbeat',
      { ts: 'yesterday' },
      'ts: must be epoch milliseconds ≥ 0 or an RFC 3339 time with an offset',
    ],
    [
      'city/pipe-monitor/pm-1/heartbeat',
      {},
      'ts: missing, must be epoch milliseconds ≥ 0 or an RFC 3339 time with an offset',
    ],
    [
      'city/pipe-monitor/pm-1/heartbeat',
      { ts: -5 },
      'ts: must be epoch milliseconds ≥ 0 or an RFC 3339 time with an offset',
    ],
    [
      'city/pipe-monitor/pm-1/telemetry',
      { ...telemetry, pressureKPa: 'high' },
      'pressureKPa: expected a number',
    ],
    ['city/pipe-monitor/pm-1/telemetry', { ...telemetry, flowLps: null }, 'flowLps: expected a number'],
    ['city/pipe-monitor/pm-1/telemetry', { ...telemetry, leak: 0 }, 'leak: expected true or false'],
    [
      'city/pipe-monitor/pm-1/telemetry',
      { ts: 1, pressureKPa: '1', flowLps: '2', leak: 'no', seq: -1 },
      'seq: must be an integer ≥ 0; pressureKPa: expected a number; flowLps: expected a number; and 1 more',
    ],
    ['city/sensor/sen-1/telemetry', { ts: 1, metrics: { pm25: 'bad' } }, 'metrics.pm25: expected a number'],
    ['city/sensor/sen-1/telemetry', { ts: 1, metrics: [1] }, 'metrics: expected an object of named numbers'],
    ['city/sensor/sen-1/telemetry', { ts: 1 }, 'metrics: missing, expected an object of named numbers'],
    ['city/transit-beacon/bus-1/arrival', { ...arrival, stopId: '' }, 'stopId: must not be empty'],
    [
      'city/transit-beacon/bus-1/arrival',
      { ...arrival, vehicleId: 7 },
      'vehicleId: expected a non-empty string',
    ],
    [
      'city/transit-beacon/bus-1/arrival',
      { ...arrival, predictedArrival: 'soon' },
      'predictedArrival: must be epoch milliseconds ≥ 0 or an RFC 3339 time with an offset',
    ],
    ['city/transit-beacon/bus-1/heartbeat', [1, 2], 'payload: expected a JSON object'],
    ['city/transit-beacon/bus-1/heartbeat', 'null', 'payload: expected a JSON object'],
  ])('%s %j → %s', (topic, payload, reason) => {
    const c = new TestCity({
      routes: [{ id: 'R1' }],
      pipes: [{ id: 'p1', lengthM: 10, district: 'centre' }],
      sites: [{ id: 's1', class: 'pollution', district: 'centre' }],
      devices: [
        { id: 'pm-1', kind: 'pipe-monitor', assetId: 'p1' },
        { id: 'bus-1', kind: 'transit-beacon' },
        { id: 'cam-1', kind: 'cctv' },
        { id: 'sen-1', kind: 'sensor', assetId: 's1' },
      ],
    });
    const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
    // The gate itself still answers the bare reason; the detail is asked for the refused message only.
    expect(c.send(0, topic, raw)).toBe('bad-payload');
    expect(payloadProblem(topic, Buffer.from(raw))).toBe(reason);
    expect(payloadProblem(topic, new Decoded(JSON.parse(raw), raw.length))).toBe(reason);
  });

  it('has no problem to name for an accepted payload or one refused for another reason', () => {
    expect(payloadProblem('city/pipe-monitor/pm-1/telemetry', JSON.stringify(telemetry))).toBeUndefined();
    expect(payloadProblem('city/pipe-monitor/pm-1/telemetry', '{"ts":')).toBeUndefined();
    expect(payloadProblem('city/lamp/l-1/status', '{}')).toBeUndefined();
  });
});

// Arrival forecasts from a source that is no device (a GTFS-Realtime feed) move L1.2.2 as a beacon's
// arrival does (engine/city-engine.ts `forecast`): made at the feed's time, never shortening a freshness.
import { describe, expect, it } from 'vitest';
import { ArrivalForecasts } from '../../engine/forecasts.js';
import { at, TestCity } from '../support/city.js';

const city = () =>
  new TestCity({
    routes: [{ id: 'R1', district: 'centre' }, { id: 'R2', district: 'north' }, { id: 'R3' }, { id: 'R4' }],
    devices: [{ id: 'bus-1', kind: 'transit-beacon', district: 'centre' }],
  });

const feed = (receivedS: number, ...forecasts: [routeId: string, atS: number][]) =>
  new ArrivalForecasts(
    'gtfs-rt:http://feeds.example/trips.pb',
    forecasts.map(([routeId, s]) => ({ routeId, at: at(s) })),
    at(receivedS),
  );

describe('arrival forecasts from a feed', () => {
  it('count a route for 300 s from the time they were made, not from when they arrived', () => {
    const c = city();
    expect(c.engine.forecast(feed(30, ['R1', 10], ['R2', 25]))).toBe(2);
    expect(c.record(30, 'L1.2.2')).toMatchObject({ numerator: 2, denominator: 4, value: 50 });
    expect(c.value(30, 'L1.2.2', 'north')).toBe(100);
    // R1 was forecast at 10 s: it counts up to and including 310 s, whatever the feed's arrival at 30 s.
    expect(c.record(310, 'L1.2.2').numerator).toBe(2);
    expect(c.record(311, 'L1.2.2').numerator).toBe(1);
    expect(c.record(326, 'L1.2.2').numerator).toBe(0);
  });

  it('take a forecast made after the engine clock as made now, and skip a route the registry lacks', () => {
    const c = city();
    expect(c.engine.forecast(feed(0, ['R3', 120], ['no-such-route', 0]))).toBe(1);
    expect(c.record(300, 'L1.2.2').numerator).toBe(1);
    expect(c.record(301, 'L1.2.2').numerator).toBe(0);
  });

  it("never shorten a beacon's freshness, and count a route once whether a beacon or a feed holds it", () => {
    const c = city();
    c.send(100, 'city/transit-beacon/bus-1/arrival', {
      ts: 1,
      routeId: 'R1',
      stopId: '4785',
      vehicleId: 'v1',
      predictedArrival: '2026-01-05T08:05:00Z',
    });
    c.engine.forecast(feed(120, ['R1', 20]));
    expect(c.record(120, 'L1.2.2').numerator).toBe(1);
    expect(c.record(400, 'L1.2.2').numerator).toBe(1); // the beacon's 100 s + 300 s, not the feed's 20 s
    expect(c.record(401, 'L1.2.2').numerator).toBe(0);
  });

  it('count for nothing when their window ended before they were taken in', () => {
    const c = city();
    c.record(400, 'L1.2.2');
    expect(c.engine.forecast(feed(400, ['R2', 50]))).toBe(1);
    expect(c.record(400, 'L1.2.2').numerator).toBe(0);
  });
});

// Simulated behaviour over a day, worked out without a broker (edge/behaviour.ts).
import { describe, expect, it } from 'vitest';
import {
  BusRun,
  demand,
  madeUpStops,
  pipeProfile,
  pipeReading,
  sensorReading,
} from '../../edge/behaviour.js';
import { CityClock } from '../../edge/local-time.js';
import { Prng } from '../../edge/prng.js';

const at = (iso: string) => Date.parse(iso);

describe('behaviour', () => {
  it('reads the hour of day in the city’s time zone', () => {
    expect(new CityClock().hourOfDay(at('2026-01-05T07:30:00Z'))).toBe(7.5);
    expect(new CityClock('America/Los_Angeles').hourOfDay(at('2026-01-05T07:30:00Z'))).toBe(23.5);
    // Summer time: the same UTC instant is an hour later on the city's clocks.
    expect(new CityClock('America/Los_Angeles').hourOfDay(at('2026-07-05T07:30:00Z'))).toBe(0.5);
    expect(new CityClock('Asia/Kathmandu').hourOfDay(at('2026-01-05T07:30:00Z'))).toBe(13.25);
  });

  it('peaks demand in the morning and the evening, lowest at night', () => {
    expect(demand(7.5)).toBeGreaterThan(demand(12));
    expect(demand(19)).toBeGreaterThan(demand(14));
    expect(demand(3)).toBeLessThan(0.4);
  });

  it('lowers pipe pressure as demand rises, and more with a leak', () => {
    const p = { staticPressureKPa: 500, typicalFlowLps: 10 };
    const mean = (hour: number, leak: boolean) => {
      const rng = new Prng(1);
      let sum = 0;
      for (let i = 0; i < 200; i++) sum += pipeReading(p, hour, leak, rng).pressureKPa;
      return sum / 200;
    };
    expect(mean(3, false)).toBeGreaterThan(mean(7.5, false));
    expect(mean(7.5, false) - mean(7.5, true)).toBeGreaterThan(100);
    expect(pipeReading(pipeProfile(new Prng(2)), 12, true, new Prng(3)).leak).toBe(true);
  });

  it('reports kWh for energy users and PM2.5 and NO2 for pollution sources', () => {
    const rng = new Prng(4);
    expect(Object.keys(sensorReading({ siteClass: 'energy', scale: 1 }, 10, 60, rng))).toEqual(['kwh']);
    expect(Object.keys(sensorReading({ siteClass: 'pollution', scale: 1 }, 10, 60, rng))).toEqual([
      'pm25',
      'no2',
    ]);
  });

  it('runs buses from early morning to late evening only', () => {
    const bus = new BusRun('22', madeUpStops('22'), new Prng(5));
    expect(bus.inService(2)).toBe(false);
    expect(bus.inService(12)).toBe(true);
    expect(bus.inService(bus.endH + 0.01)).toBe(false);
  });

  it('forecasts arrivals at the route’s stops, never in the past', () => {
    const stops = madeUpStops('22', 5);
    const bus = new BusRun('22', stops, new Prng(6));
    const t0 = at('2026-01-05T12:00:00Z');
    for (let i = 0; i < 60; i++) {
      const t = t0 + i * 30_000;
      const next = bus.next(t);
      expect(stops).toContain(next.stopId);
      expect(next.predictedArrival).toBeGreaterThanOrEqual(t);
    }
  });
});

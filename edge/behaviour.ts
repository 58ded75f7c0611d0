// How simulated devices behave over a day: readings with diurnal patterns, and buses that run a route by
// day and sleep at the depot at night. Pure functions of simulated time, the hour of day in the city's time
// zone (local-time.ts) and a seeded generator, so a seed gives the same city every run; fleet.ts feeds them
// the clock and sends what they return.
import type { Prng } from './prng.js';
import type { PipeTelemetry } from './wire.js';

const HOUR_MS = 3_600_000;

/** When simulated buses may run, in the city's local time: every bus's day lies within it. */
export const BUS_SERVICE_HOURS = { from: 5, to: 24, text: '05:00–24:00' } as const;

/** Water use and road traffic in [0.35, ~1.1]: low at night, peaks around 07:30 and 19:00. */
export function demand(hour: number): number {
  return 0.35 + 0.45 * Math.exp(-((hour - 7.5) ** 2) / 4) + 0.35 * Math.exp(-((hour - 19) ** 2) / 6);
}

/** Offices, hospitals and malls draw most power in working hours. */
export function occupancy(hour: number): number {
  return hour >= 7 && hour < 20 ? 1 : 0.35;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** What makes one pipe segment unlike another: its static pressure and its typical flow. */
export interface PipeProfile {
  staticPressureKPa: number;
  typicalFlowLps: number;
}

export function pipeProfile(rng: Prng): PipeProfile {
  return { staticPressureKPa: rng.range(420, 560), typicalFlowLps: rng.logNormal(12, 0.5) };
}

/** Pressure falls as demand rises; a leak drops it further while the flow climbs. */
export function pipeReading(p: PipeProfile, hour: number, leaking: boolean, rng: Prng): PipeTelemetry {
  const f = demand(hour);
  const pressure = p.staticPressureKPa - 70 * f - (leaking ? 120 : 0) + 2.5 * rng.normal();
  const flow = p.typicalFlowLps * (0.3 + f) * (leaking ? 1.4 : 1) + 0.4 * rng.normal();
  return { pressureKPa: round1(pressure), flowLps: round2(Math.max(0, flow)), leak: leaking };
}

export type SiteClass = 'pollution' | 'energy';

export interface SensorProfile {
  siteClass: SiteClass;
  /** How big a polluter or consumer the site is, around 1. */
  scale: number;
}

export function sensorProfile(siteClass: SiteClass, rng: Prng): SensorProfile {
  return { siteClass, scale: rng.logNormal(1, 0.4) };
}

/** Pollution sources report PM2.5 and NO2 (µg/m³), which follow traffic; energy users the kWh since the last report. */
export function sensorReading(
  p: SensorProfile,
  hour: number,
  intervalS: number,
  rng: Prng,
): Record<string, number> {
  if (p.siteClass === 'energy') {
    const kwh = 400 * p.scale * occupancy(hour) * (intervalS / 3600) * (1 + 0.05 * rng.normal());
    return { kwh: round2(Math.max(0, kwh)) };
  }
  const f = demand(hour);
  const pm25 = p.scale * (10 + 25 * f) + 2 * rng.normal();
  const no2 = p.scale * (15 + 40 * f) + 3 * rng.normal();
  return { pm25: round1(Math.max(0, pm25)), no2: round1(Math.max(0, no2)) };
}

/** A stop's forecast: which stop the bus reaches next, and when (epoch ms). */
export interface NextStop {
  stopId: string;
  predictedArrival: number;
}

/**
 * A bus running up and down its route's stops. It leaves the depot between 05:00 and 06:30 and returns
 * between 22:30 and midnight; outside those hours it sends no forecasts, so its route goes quiet (L1.2.2).
 */
export class BusRun {
  private stopIndex: number;
  private direction: 1 | -1;
  /** Simulated time the bus reaches the stop at `stopIndex`. */
  private arrivesAt = 0;
  readonly startH: number;
  readonly endH: number;

  constructor(
    readonly routeId: string,
    private readonly stops: readonly string[],
    private readonly rng: Prng,
  ) {
    this.stopIndex = rng.int(stops.length);
    this.direction = rng.chance(0.5) ? 1 : -1;
    this.startH = rng.range(BUS_SERVICE_HOURS.from, 6.5);
    this.endH = rng.range(22.5, BUS_SERVICE_HOURS.to);
  }

  /** `hour`: the local hour of day in the city's zone. */
  inService(hour: number): boolean {
    return hour >= this.startH && hour < this.endH;
  }

  /** The forecast for the next stop at simulated time `t`, moving on past the stops already reached. */
  next(t: number): NextStop {
    // First forecast of the day (or of the run): start from where the bus stands.
    if (this.arrivesAt === 0 || t - this.arrivesAt > HOUR_MS) this.arrivesAt = t + this.legMs();
    while (this.arrivesAt <= t) {
      this.advance();
      this.arrivesAt += this.legMs();
    }
    // Forecasts wobble as traffic changes.
    const wobble = Math.round(this.rng.normal() * 15_000);
    return { stopId: this.stops[this.stopIndex], predictedArrival: Math.max(t, this.arrivesAt + wobble) };
  }

  /** One to four minutes between stops. */
  private legMs(): number {
    return Math.round(this.rng.range(60_000, 240_000));
  }

  private advance(): void {
    if (this.stops.length < 2) return;
    const next = this.stopIndex + this.direction;
    if (next < 0 || next >= this.stops.length) this.direction = this.direction === 1 ? -1 : 1;
    this.stopIndex += this.direction;
  }
}

/** Stop ids for a route whose stops the fleet was not told: `<routeId>-s01` … `-s20`. */
export function madeUpStops(routeId: string, count = 20): string[] {
  return Array.from({ length: count }, (_, i) => `${routeId}-s${String(i + 1).padStart(2, '0')}`);
}

// Buses (transit-beacon): which real VTA stops each route serves, where each bus is along its route, and
// when it is in service. Their `arrival` forecasts drive L1.2.2 (docs/contract.md §4).
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Prng } from '../prng.js';

export interface Stop {
  id: string;
  lat: number;
  lon: number;
}

export interface BusRoute {
  id: string;
  stops: string[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Share of the city's routes with any bus today: the rest keep L1.2.2 honest (below 100 %). */
const SERVED_SHARE = 0.85;

/** GTFS stops.txt; without one, made-up stop ids so any inventory can be recorded. */
export function readStops(path: string): Stop[] {
  if (!existsSync(path)) {
    return Array.from({ length: 200 }, (_, i) => ({
      id: `stop-${i + 1}`,
      lat: i % 20,
      lon: Math.floor(i / 20),
    }));
  }
  const rows = parse(readFileSync(path), { bom: true, columns: true, skip_empty_lines: true, trim: true });
  return (rows as Record<string, string>[]).map((r) => ({
    id: r.stop_id,
    lat: Number(r.stop_lat),
    lon: Number(r.stop_lon),
  }));
}

/**
 * A line of 15–30 neighbouring stops per route, ordered along a random bearing (GTFS stop_times would
 * say which stops a route really serves, but the sample keeps the feed small). Returns the routes that
 * have buses today, in a seeded order.
 */
export function planRoutes(routeIds: readonly string[], stops: readonly Stop[], rng: Prng): BusRoute[] {
  const routes = routeIds.map((id) => {
    const anchor = rng.pick(stops);
    const bearing = rng.range(0, Math.PI);
    const [dx, dy] = [Math.cos(bearing), Math.sin(bearing)];
    const nearest = stops
      .map((s) => ({ s, d: (s.lat - anchor.lat) ** 2 + (s.lon - anchor.lon) ** 2 }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 15 + rng.int(16))
      .map(({ s }) => ({ s, along: s.lon * dx + s.lat * dy }))
      .sort((a, b) => a.along - b.along);
    return { id, stops: nearest.map(({ s }) => s.id) };
  });
  return rng.shuffle(routes).slice(0, Math.max(1, Math.round(routes.length * SERVED_SHARE)));
}

export class BusState {
  stopIndex: number;
  direction: 1 | -1;
  /** Time to the next stop, counted down by each forecast. */
  etaMs: number;
  /** The bus changes route (its next block) at this time; 0 = not yet decided. */
  routeUntil = 0;
  parked = false;
  /** When the last forecast was made, to move the bus on by the time since. */
  lastAt = 0;
  /** Service day, local hours: out of the depot after 05:00, back before midnight (quiet 00–05). */
  readonly startH: number;
  readonly endH: number;

  constructor(
    public route: BusRoute,
    rng: Prng,
  ) {
    this.stopIndex = rng.int(route.stops.length);
    this.direction = rng.chance(0.5) ? 1 : -1;
    this.etaMs = rng.range(30_000, 180_000);
    this.startH = 5 + rng.range(0, 0.5);
    this.endH = 23 + rng.range(0, 0.9);
  }

  inService(t: number): boolean {
    const h = hourOfDay(t);
    return h >= this.startH && h < this.endH;
  }

  /** When the bus next leaves the depot, after `t`. */
  nextServiceStart(t: number): number {
    const dayStart = t - (((t % DAY_MS) + DAY_MS) % DAY_MS);
    const today = dayStart + Math.round(this.startH * HOUR_MS);
    return today > t ? today : today + DAY_MS;
  }

  /** Move along the route by `elapsedMs`; the stop it heads for next and the time to it. */
  advance(elapsedMs: number, rng: Prng): { stopId: string; etaMs: number } {
    this.etaMs -= elapsedMs;
    while (this.etaMs <= 0) {
      const last = this.route.stops.length - 1;
      if (last <= 0) break;
      // At a terminus the bus turns round.
      if (this.stopIndex + this.direction < 0 || this.stopIndex + this.direction > last) {
        this.direction = this.direction === 1 ? -1 : 1;
      }
      this.stopIndex += this.direction;
      this.etaMs += rng.range(50_000, 200_000);
    }
    return { stopId: this.route.stops[this.stopIndex], etaMs: Math.max(this.etaMs, 5_000) };
  }

  /** Start a new block on `route` (ends in 1.5–4 h). */
  assign(route: BusRoute, t: number, rng: Prng): void {
    if (route !== this.route) {
      this.route = route;
      this.stopIndex = rng.int(route.stops.length);
    }
    this.routeUntil = t + Math.round(rng.range(1.5, 4) * HOUR_MS);
  }
}

/**
 * Hours since midnight, UTC, on purpose: a recording is the same bytes for a seed on any machine and for any
 * city's zone (the live fleet keeps the city's hours: edge/local-time.ts).
 */
export function hourOfDay(t: number): number {
  return (((t % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}

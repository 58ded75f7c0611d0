// The payloads of regular messages (docs/contract.md §2), as JSON text built by hand: the recorder writes
// hundreds of thousands a second and every id in them is topic-safe, so nothing needs escaping.
import type { Prng } from '../prng.js';
import { hourOfDay } from './bus-service.js';
import type { SimDevice } from './fleet.js';

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Daily demand in [0.35, ~1.1]: water use and road traffic peak in the morning and the evening. */
export function demand(t: number): number {
  const h = hourOfDay(t);
  return 0.35 + 0.45 * Math.exp(-((h - 7.5) ** 2) / 4) + 0.35 * Math.exp(-((h - 19) ** 2) / 6);
}

/** Offices, hospitals and malls draw most power in working hours. */
function occupancy(t: number): number {
  const h = hourOfDay(t);
  return h >= 7 && h < 20 ? 1 : 0.35;
}

export function heartbeat(ts: number, seq: number): string {
  return `{"ts":${ts},"seq":${seq}}`;
}

/** docs/contract.md §2 status; a camera's carries `video` and `shared`. */
export function status(d: SimDevice, state: 'online' | 'offline', ts: number, seq: number): string {
  return d.kind === 0
    ? `{"state":"${state}","video":"${d.video}","shared":${d.shared},"ts":${ts},"seq":${seq}}`
    : `{"state":"${state}","ts":${ts},"seq":${seq}}`;
}

/** Pressure falls as demand rises; a leak drops it further and the flow climbs. */
export function pipeTelemetry(d: SimDevice, t: number, ts: number, seq: number, rng: Prng): string {
  const f = demand(t);
  const leak = t < d.leakUntil;
  const pressure = d.level - 70 * f - (leak ? 120 : 0) + 2.5 * rng.normal();
  const flow = d.flow * (0.3 + f) * (leak ? 1.4 : 1) + 0.4 * rng.normal();
  return `{"ts":${ts},"seq":${seq},"pressureKPa":${round1(pressure)},"flowLps":${round2(Math.max(0, flow))},"leak":${leak}}`;
}

/** Pollution sources report PM2.5 and NO2 (µg/m³); energy users the kWh used since the last report. */
export function sensorTelemetry(d: SimDevice, t: number, ts: number, seq: number, rng: Prng): string {
  if (d.energy) {
    const kwh = d.level * occupancy(t) * (1 + 0.05 * rng.normal());
    return `{"ts":${ts},"seq":${seq},"metrics":{"kwh":${round2(Math.max(0, kwh))}}}`;
  }
  const f = demand(t);
  const pm25 = d.level * (10 + 25 * f) + 2 * rng.normal();
  const no2 = d.level * (15 + 40 * f) + 3 * rng.normal();
  return `{"ts":${ts},"seq":${seq},"metrics":{"pm25":${round1(Math.max(0, pm25))},"no2":${round1(Math.max(0, no2))}}}`;
}

export function arrival(
  d: SimDevice,
  routeId: string,
  stopId: string,
  ts: number,
  seq: number,
  predictedMs: number,
): string {
  // Route and stop ids come from GTFS files: escape them like any outside text.
  return `{"ts":${ts},"seq":${seq},"routeId":${JSON.stringify(routeId)},"stopId":${JSON.stringify(stopId)},"vehicleId":"${d.id}","predictedArrival":"${new Date(predictedMs).toISOString()}"}`;
}

// The simulated devices of a recording: who publishes what, on which topic, how often, and the
// faults each one is prone to. Built from an inventory, so every id and route is the registry's own.
import type { Inventory } from '../registry/inventory.js';
import type { Rng } from './prng.js';

export interface SimDevice {
  id: string;
  kind: string;
  topic: string;
  intervalMs: number;
  /** Index of the gateway that publishes for this camera, or -1. */
  gateway: number;
  /** For a gateway: the indexes of its cameras. */
  cameras: number[];
  /** A bus's route, a sensor's site class. */
  route?: string;
  siteClass?: string;
  /** The device clock's error: payload `ts` is the receive time plus this. */
  skewMs: number;
  seq: number;
  down: boolean;
  videoLost: boolean;
  shared: boolean;
  /** A camera on a bad link: silent for a few intervals, on and off. */
  flappy: boolean;
}

export function buildFleet(inv: Inventory, rng: Rng): SimDevice[] {
  const routes = [...inv.routes.keys()];
  const fleet: SimDevice[] = [...inv.devices.values()].map((d, i) => ({
    id: d.id,
    kind: d.kind,
    topic: `city/${d.kind}/${d.id}/`,
    intervalMs: d.expectedIntervalS * 1000,
    gateway: -1,
    cameras: [],
    route: d.kind === 'transit-beacon' && routes.length ? routes[i % routes.length] : undefined,
    siteClass: d.kind === 'sensor' && d.assetId ? inv.sites.get(d.assetId)?.class : undefined,
    skewMs: Math.round(rng.normal() * 1500),
    seq: rng.int(1, 1000),
    down: false,
    videoLost: false,
    shared: d.kind === 'cctv' && rng.chance(0.8),
    flappy: d.kind === 'cctv' && rng.chance(0.02),
  }));
  const index = new Map(fleet.map((d, i) => [d.id, i]));
  for (const d of inv.devices.values()) {
    if (!d.gatewayId) continue;
    const cam = index.get(d.id)!;
    const gw = index.get(d.gatewayId)!;
    fleet[cam].gateway = gw;
    fleet[gw].cameras.push(cam);
  }
  return fleet;
}

/** Silent because it is down itself, or because the gateway that speaks for it is down. */
export function isSilent(fleet: SimDevice[], d: SimDevice): boolean {
  return d.down || (d.gateway >= 0 && fleet[d.gateway].down);
}

const HOUR = 3_600_000;

/** A smooth daily cycle in [0, 1], highest mid-afternoon (receive clock read as local time). */
export function daylight(t: number): number {
  const h = (t % (24 * HOUR)) / HOUR;
  return 0.5 - 0.5 * Math.cos(((h - 3) / 24) * 2 * Math.PI);
}

/** Buses run from 05:00 to midnight. */
export function inService(t: number): boolean {
  return (t % (24 * HOUR)) / HOUR >= 5;
}

/** The regular payload of a device at time t (device clock t + skew). */
export function regularPayload(
  d: SimDevice,
  t: number,
  rng: Rng,
  stops: readonly string[],
): { channel: string; payload: Record<string, unknown> } {
  const ts = t + d.skewMs;
  const seq = d.seq++;
  const day = daylight(t);
  switch (d.kind) {
    case 'pipe-monitor':
      return {
        channel: 'telemetry',
        payload: {
          ts,
          seq,
          pressureKPa: +(420 - 90 * day + rng.normal() * 6).toFixed(1),
          flowLps: +(8 + 30 * day + rng.normal() * 2).toFixed(2),
          leak: rng.chance(0.0005),
        },
      };
    case 'sensor':
      return {
        channel: 'telemetry',
        payload: {
          ts,
          seq,
          metrics:
            d.siteClass === 'energy'
              ? { kwh: +(60 + 400 * day + rng.normal() * 15).toFixed(1) }
              : {
                  pm25: +(8 + 40 * day + rng.normal() * 4).toFixed(1),
                  no2: +(15 + 50 * day + rng.normal() * 5).toFixed(1),
                },
        },
      };
    case 'transit-beacon':
      return {
        channel: 'arrival',
        payload: {
          ts,
          seq,
          routeId: d.route,
          stopId: stops.length ? rng.pick(stops) : `stop-${rng.int(1, 400)}`,
          vehicleId: d.id,
          predictedArrival: new Date(ts + rng.int(60, 900) * 1000).toISOString(),
        },
      };
    default:
      return { channel: 'heartbeat', payload: { ts, seq } };
  }
}

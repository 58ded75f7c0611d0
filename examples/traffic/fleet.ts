// The simulated devices of a recording, one per inventory device, with the state its behaviour and
// faults need. Built from the inventory so every id, gateway and asset is the registry's own.
import type { Inventory } from '../../registry/inventory.js';
import type { Prng } from '../prng.js';
import { type BusRoute, BusState } from './bus-service.js';
import type { Scheduled } from './event-queue.js';

export const CAMERA = 0;
export const GATEWAY = 1;
export const PIPE = 2;
export const BUS = 3;
export const SENSOR = 4;
const KIND_CODE = {
  cctv: CAMERA,
  'cctv-gateway': GATEWAY,
  'pipe-monitor': PIPE,
  'transit-beacon': BUS,
  sensor: SENSOR,
};
/** The channel carrying each kind's regular messages (docs/contract.md §2). */
const DATA_CHANNEL = ['heartbeat', 'heartbeat', 'telemetry', 'arrival', 'telemetry'];

export type Video = 'ok' | 'degraded' | 'lost';

export class SimDevice implements Scheduled {
  at = 0;
  order = 0;
  readonly type = 'device';
  readonly statusTopic: string;
  readonly dataTopic: string;
  /** Nominal time of the next regular message; the actual one is jittered around it. */
  base = 0;
  /** Outage: silent until this receive time. */
  downUntil = 0;
  /** Publish a `status` online (again) at the next chance: at start, after an outage, on a change. */
  announce = true;
  /** Gateway: bumped by each failure. Camera: the gateway epoch it last announced under. */
  epoch = 0;
  gateway: SimDevice | undefined;
  readonly cameras: SimDevice[] = [];
  // Camera: what its status says; a flapping link's remaining silent and loud intervals.
  video: Video = 'ok';
  videoLostUntil = 0;
  shared = false;
  flapUntil = 0;
  flapSilent = 0;
  flapLoud = 0;
  // Pipe monitor and sensor: the asset's typical readings; a leak until when.
  level = 0;
  flow = 0;
  leakUntil = 0;
  energy = false;
  bus: BusState | undefined;

  constructor(
    readonly id: string,
    readonly kind: number,
    readonly intervalMs: number,
    /** Device clock error: `ts` = send time + skew. */
    readonly skewMs: number,
    /** Per device, increasing (docs/contract.md §2); a device has been running for a while before we listen. */
    public seq: number,
    kindName: string,
  ) {
    const base = `city/${kindName}/${id}/`;
    this.statusTopic = `${base}status`;
    this.dataTopic = base + DATA_CHANNEL[kind];
  }
}

export interface Fleet {
  devices: SimDevice[];
  byId: Map<string, SimDevice>;
  cameras: SimDevice[];
  gateways: SimDevice[];
  pipes: SimDevice[];
  buses: SimDevice[];
  sensors: SimDevice[];
}

export function buildFleet(inv: Inventory, rng: Prng, routes: BusRoute[]): Fleet {
  const devices: SimDevice[] = [];
  let buses = 0;
  for (const d of inv.devices.values()) {
    const kind = KIND_CODE[d.kind];
    const sim = new SimDevice(
      d.id,
      kind,
      d.expectedIntervalS * 1000,
      Math.round(rng.normal() * 700),
      rng.int(50_000),
      d.kind,
    );
    if (kind === CAMERA) {
      sim.shared = rng.chance(0.8);
      sim.video = rng.chance(0.03) ? 'degraded' : 'ok';
    } else if (kind === PIPE) {
      sim.level = rng.range(380, 560); // kPa: typical mains pressure
      sim.flow = rng.logNormal(12, 0.6); // L/s at average demand
    } else if (kind === SENSOR) {
      sim.energy = d.assetId !== undefined && inv.sites.get(d.assetId)?.class === 'energy';
      sim.level = sim.energy ? rng.logNormal(2, 0.8) : rng.range(0.6, 1.6);
    } else if (kind === BUS && routes.length > 0) {
      // Every route that has service at all starts the day with a bus on it.
      sim.bus = new BusState(routes[buses++ % routes.length], rng);
    }
    devices.push(sim);
  }
  const byId = new Map(devices.map((d) => [d.id, d]));
  for (const d of inv.devices.values()) {
    if (!d.gatewayId) continue;
    const camera = byId.get(d.id)!;
    const gateway = byId.get(d.gatewayId)!;
    camera.gateway = gateway;
    gateway.cameras.push(camera);
  }
  const ofKind = (k: number) => devices.filter((d) => d.kind === k);
  return {
    devices,
    byId,
    cameras: ofKind(CAMERA),
    gateways: ofKind(GATEWAY),
    pipes: ofKind(PIPE),
    buses: ofKind(BUS),
    sensors: ofKind(SENSOR),
  };
}

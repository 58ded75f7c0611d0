// What goes wrong in a real fleet, injected into a simulated one at seeded random times: devices that go
// down (saying goodbye, or cut off so the broker sends their Last Will), flapping links, failed gateways
// whose cameras go dark with them, cameras that lose their picture or their gateway, leaking pipes.
// Each kind strikes at its hourly rate of simulated time, and once within the first few minutes, so even
// a short run exercises every liveness rule of docs/contract.md §3.

import { CameraAgent } from './camera.js';
import { GatewayAgent } from './gateway.js';
import type { EdgeLogger } from './logger.js';
import type { Prng } from './prng.js';
import type { SimClock, SimDevice } from './sim-device.js';

export const FAULT_KINDS = [
  'outage',
  'network-flap',
  'gateway-failure',
  'camera-unreachable',
  'lost-video',
  'leak',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultCounts = Record<FaultKind, number>;

export const zeroFaults = (): FaultCounts =>
  Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as FaultCounts;

/** Strikes per simulated hour in a fleet of the sample city's size; scaled by the fleet's connections. */
const RATE_PER_HOUR: Readonly<Record<FaultKind, number>> = {
  outage: 20,
  'network-flap': 6,
  'gateway-failure': 2,
  'camera-unreachable': 6,
  'lost-video': 10,
  leak: 2,
};
const SAMPLE_CONNECTIONS = 1270;
const MIN = 60_000;

/** A camera the fleet can blind: one with its own connection, or one behind a gateway. */
type Camera = { agent: CameraAgent; id: string } | { gateway: GatewayAgent; id: string };

export class FaultInjector {
  readonly counts = zeroFaults();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly busyCameras = new Map<string, number>();
  private readonly direct: SimDevice[];
  private readonly gateways: SimDevice[];
  private readonly pipes: SimDevice[];
  private readonly cameras: Camera[] = [];
  private stopped = false;

  constructor(
    private readonly devices: readonly SimDevice[],
    private readonly clock: SimClock,
    private readonly rng: Prng,
    private readonly logger?: EdgeLogger,
  ) {
    this.direct = devices.filter((d) => d.desc.kind !== 'cctv-gateway');
    this.gateways = devices.filter((d) => d.desc.kind === 'cctv-gateway');
    this.pipes = devices.filter((d) => d.desc.kind === 'pipe-monitor');
    for (const d of devices) {
      if (d.agent instanceof CameraAgent) this.cameras.push({ agent: d.agent, id: d.desc.id });
      if (d.agent instanceof GatewayAgent) {
        for (const id of d.agent.cameraIds) this.cameras.push({ gateway: d.agent, id });
      }
    }
  }

  start(): void {
    const scale = this.devices.length / SAMPLE_CONNECTIONS;
    for (const kind of FAULT_KINDS) {
      const meanMs = (60 * MIN) / (RATE_PER_HOUR[kind] * scale);
      const strikeThenReschedule = () => {
        this.strike(kind);
        this.after(this.rng.exponential(meanMs), strikeThenReschedule);
      };
      this.after(this.rng.range(0.5 * MIN, 3 * MIN), strikeThenReschedule);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private strike(kind: FaultKind): void {
    const struck = this.faults[kind]();
    if (!struck) return;
    this.counts[kind]++;
    this.logger?.debug({ fault: kind, device: struck }, 'fault injected');
  }

  /** Each returns the id of the device it struck, or undefined when every candidate was busy. */
  private readonly faults: Record<FaultKind, () => string | undefined> = {
    // 3–60 minutes down: half the time the device says goodbye, half the time the broker sends its Last Will.
    outage: () => {
      const d = this.victim(this.direct);
      if (!d) return undefined;
      const ms = this.hold(d, this.rng.logUniform(3 * MIN, 60 * MIN));
      d.offUntil = Date.now() + ms;
      if (this.rng.chance(0.5)) void d.agent.pause(ms);
      else d.agent.interrupt(ms);
      return d.desc.id;
    },
    // For 5–20 minutes the link drops every one to three intervals and comes back within seconds; the
    // device keeps measuring, and the outbox delivers what it took while cut off.
    'network-flap': () => {
      const d = this.victim(this.direct);
      if (!d) return undefined;
      const until = Date.now() + this.hold(d, this.rng.range(5 * MIN, 20 * MIN));
      const drop = () => {
        if (Date.now() >= until) return;
        d.agent.interrupt(this.clock.realMs(this.rng.range(2000, 20_000)));
        this.after(d.intervalMs * this.rng.range(1, 3), drop, false);
      };
      drop();
      return d.desc.id;
    },
    // 2–20 minutes: the gateway's connection dies without a DISCONNECT; its Last Will covers its cameras.
    'gateway-failure': () => {
      const g = this.victim(this.gateways);
      if (!g) return undefined;
      const ms = this.hold(g, this.rng.logUniform(2 * MIN, 20 * MIN));
      g.offUntil = Date.now() + ms;
      g.agent.interrupt(ms);
      return g.desc.id;
    },
    // 3–30 minutes: a camera's cable to its gateway is cut; the gateway reports it offline.
    'camera-unreachable': () => {
      const c = this.cameraVictim((x) => 'gateway' in x);
      if (!c || !('gateway' in c)) return undefined;
      const ms = this.holdCamera(c.id, this.rng.logUniform(3 * MIN, 30 * MIN));
      c.gateway.setCameraReachable(c.id, false);
      this.after(ms, () => c.gateway.setCameraReachable(c.id, true), false);
      return c.id;
    },
    // 5–40 minutes: a camera stays connected but its picture is lost (or, a third of the time, degraded).
    'lost-video': () => {
      const c = this.cameraVictim(() => true);
      if (!c) return undefined;
      const ms = this.holdCamera(c.id, this.rng.logUniform(5 * MIN, 40 * MIN));
      const video = this.rng.chance(2 / 3) ? 'lost' : 'degraded';
      const set = (v: 'ok' | 'lost' | 'degraded') =>
        'agent' in c ? c.agent.setVideo(v) : c.gateway.setCameraVideo(c.id, v);
      set(video);
      this.after(ms, () => set('ok'), false);
      return c.id;
    },
    // Not a device fault but what pipe monitors are for: a leak shows in their readings for 10–90 minutes.
    leak: () => {
      // Any pipe not already leaking, but one that is switched on: a leak nobody measures shows nothing.
      const now = Date.now();
      const d = this.firstFree(this.pipes, (p) => now >= p.offUntil && this.clock.now() >= p.leakUntil);
      if (!d) return undefined;
      d.leakUntil = this.clock.now() + this.rng.logUniform(10 * MIN, 90 * MIN);
      return d.desc.id;
    },
  };

  /** A device of `pool` not already suffering a fault, from a random place on; undefined when all are. */
  private victim(pool: readonly SimDevice[]): SimDevice | undefined {
    return this.firstFree(pool, (d) => Date.now() >= d.busyUntil);
  }

  private cameraVictim(fits: (c: Camera) => boolean): Camera | undefined {
    return this.firstFree(this.cameras, (c) => fits(c) && Date.now() >= (this.busyCameras.get(c.id) ?? 0));
  }

  private firstFree<T>(pool: readonly T[], free: (x: T) => boolean): T | undefined {
    const start = this.rng.int(pool.length);
    for (let i = 0; i < pool.length; i++) {
      const x = pool[(start + i) % pool.length];
      if (free(x)) return x;
    }
    return undefined;
  }

  /** Mark `d` busy for a simulated duration; returns it in real ms. */
  private hold(d: SimDevice, simMs: number): number {
    const ms = this.clock.realMs(simMs);
    d.busyUntil = Date.now() + ms;
    return ms;
  }

  private holdCamera(id: string, simMs: number): number {
    const ms = this.clock.realMs(simMs);
    this.busyCameras.set(id, Date.now() + ms);
    return ms;
  }

  /** A timer cleared on stop; `simulated` delays are in simulated ms, others already real. */
  private after(ms: number, f: () => void, simulated = true): void {
    if (this.stopped) return;
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        if (!this.stopped) f();
      },
      simulated ? this.clock.realMs(ms) : ms,
    );
    this.timers.add(t);
  }
}

// One device of a simulated fleet: the agent of its kind, its behaviour (behaviour.ts) and the timer that
// takes its readings. The fleet's clock may run faster than real time (`speed`): readings carry simulated
// `ts`, and every interval and fault duration shrinks by the same factor.
import { join } from 'node:path';
import type { DeviceAgent, DeviceAgentOptions } from './agent.js';
import type { BackoffOptions } from './backoff.js';
import {
  BusRun,
  madeUpStops,
  type PipeProfile,
  pipeProfile,
  pipeReading,
  type SensorProfile,
  type SiteClass,
  sensorProfile,
  sensorReading,
} from './behaviour.js';
import { CameraAgent } from './camera.js';
import { GatewayAgent } from './gateway.js';
import type { CityClock } from './local-time.js';
import type { EdgeLogger } from './logger.js';
import type { OutboxOptions } from './outbox.js';
import { PipeMonitorAgent } from './pipe-monitor.js';
import type { Prng } from './prng.js';
import { SensorAgent } from './sensor.js';
import { TransitBeaconAgent } from './transit-beacon.js';
import type { DeviceKind } from './wire.js';

/** A device to simulate, as the caller knows it from its inventory; one entry is one MQTT connection. */
export interface FleetDevice {
  id: string;
  kind: DeviceKind;
  token: string;
  /** Expected interval (docs/contract.md §1): readings and heartbeats come this often. */
  intervalS: number;
  /** A cctv-gateway's cameras: they report over the gateway's connection. */
  cameras?: { id: string; shared?: boolean }[];
  /** A cctv camera: connected to the sharing platform; seeded (80 % yes) when left out. */
  shared?: boolean;
  /** A transit-beacon's route; without one the bus only heartbeats. */
  routeId?: string;
  /** Stop ids along the route; made up from the route id when left out. */
  stops?: string[];
  /** A sensor's site class: pollution sources report PM2.5/NO2, energy users kWh. Default pollution. */
  siteClass?: SiteClass;
}

/** Simulated time: starts at `startAt` and runs `speed` times as fast as real time. */
export class SimClock {
  private readonly realStart = Date.now();

  constructor(
    readonly startAt: number,
    readonly speed: number,
  ) {}

  now = (): number => this.startAt + (Date.now() - this.realStart) * this.speed;

  /** Real milliseconds for a simulated duration. */
  realMs(simMs: number): number {
    return simMs / this.speed;
  }
}

export interface SimContext {
  /** This device's brokers, the one it tries first at the head. */
  url: string | readonly string[];
  outboxRoot: string;
  clock: SimClock;
  /** The city's wall clock: day and night, bus service hours. */
  cityClock: CityClock;
  logger?: EdgeLogger;
  outbox: OutboxOptions;
  reconnect?: BackoffOptions;
}

const SHARED_SHARE = 0.8;

export class SimDevice {
  readonly agent: DeviceAgent;
  /** Real time until which a fault holds this device: faults pick someone else meanwhile. */
  busyUntil = 0;
  /** Real time until which it is switched off and takes no readings (a power cut, a failed gateway). */
  offUntil = 0;
  /** Simulated time until which its pipe leaks. */
  leakUntil = 0;
  private readonly pipe: PipeProfile | undefined;
  private readonly sensor: SensorProfile | undefined;
  private readonly bus: BusRun | undefined;
  private timer: NodeJS.Timeout | undefined;
  private phase: NodeJS.Timeout | undefined;

  constructor(
    readonly desc: FleetDevice,
    private readonly ctx: SimContext,
    private readonly rng: Prng,
  ) {
    const base: DeviceAgentOptions = {
      url: ctx.url,
      deviceId: desc.id,
      kind: desc.kind,
      token: desc.token,
      intervalS: desc.intervalS / ctx.clock.speed,
      outboxDir: join(ctx.outboxRoot, desc.id),
      now: ctx.clock.now,
      logger: ctx.logger,
      outbox: ctx.outbox,
      reconnect: ctx.reconnect,
    };
    const shared = (s?: boolean) => s ?? rng.chance(SHARED_SHARE);
    switch (desc.kind) {
      case 'cctv':
        this.agent = new CameraAgent({ ...base, shared: shared(desc.shared) });
        break;
      case 'cctv-gateway': {
        const cameras = (desc.cameras ?? []).map((c) => ({ id: c.id, shared: shared(c.shared) }));
        this.agent = new GatewayAgent({ ...base, cameras });
        break;
      }
      case 'pipe-monitor':
        this.agent = new PipeMonitorAgent(base);
        this.pipe = pipeProfile(rng);
        break;
      case 'transit-beacon':
        this.agent = new TransitBeaconAgent(base);
        if (desc.routeId) this.bus = new BusRun(desc.routeId, desc.stops ?? madeUpStops(desc.routeId), rng);
        break;
      case 'sensor':
        this.agent = new SensorAgent(base);
        this.sensor = sensorProfile(desc.siteClass ?? 'pollution', rng);
        break;
    }
  }

  get intervalMs(): number {
    return this.ctx.clock.realMs(this.desc.intervalS * 1000);
  }

  start(): void {
    this.agent.start();
    if (!this.pipe && !this.sensor && !this.bus) return; // cameras and gateways only heartbeat
    // A random phase, so a thousand devices do not all report in the same millisecond.
    this.phase = setTimeout(
      () => {
        this.takeReading();
        this.timer = setInterval(() => this.takeReading(), this.intervalMs);
      },
      this.rng.range(0, this.intervalMs),
    );
  }

  async stop(graceful: boolean): Promise<void> {
    clearTimeout(this.phase);
    clearInterval(this.timer);
    await this.agent.stop({ graceful });
  }

  private takeReading(): void {
    if (Date.now() < this.offUntil) return;
    const t = this.ctx.clock.now();
    const hour = this.ctx.cityClock.hourOfDay(t);
    try {
      if (this.pipe) {
        (this.agent as PipeMonitorAgent).report(pipeReading(this.pipe, hour, t < this.leakUntil, this.rng));
      } else if (this.sensor) {
        const metrics = sensorReading(this.sensor, hour, this.desc.intervalS, this.rng);
        (this.agent as SensorAgent).report(metrics);
      } else if (this.bus?.inService(hour)) {
        const next = this.bus.next(t);
        (this.agent as TransitBeaconAgent).forecast({ routeId: this.bus.routeId, ...next });
      }
    } catch (err) {
      this.ctx.logger?.error({ device: this.desc.id, err: (err as Error).message }, 'reading not stored');
    }
  }
}

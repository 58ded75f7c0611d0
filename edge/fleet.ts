// A simulated city fleet: edge agents for a plain list of device descriptions, with seeded, realistic
// behaviour (behaviour.ts) and faults (faults.ts). The caller builds the list from its inventory and
// issues the tokens; edge/ never reads the registry.
//
// Connections: one MQTT connection per entry of the list — every directly connected device (a camera of
// its own, a pipe monitor, a sensor, a bus) and every CCTV gateway. The cameras behind a gateway are listed
// inside its entry and share its connection. The sample city (examples/sample-city: 40 gateways with
// 1,700 cameras, 300 direct cameras, 700 pipe monitors, 130 sensors, 100 buses) opens
// 40 + 300 + 700 + 130 + 100 = 1,270 connections for 2,970 devices.

import type { BackoffOptions } from './backoff.js';
import { brokerList, rotated } from './brokers.js';
import { type FaultCounts, FaultInjector, zeroFaults } from './faults.js';
import { CityClock } from './local-time.js';
import type { EdgeLogger } from './logger.js';
import type { OutboxOptions } from './outbox.js';
import { Prng } from './prng.js';
import { type FleetDevice, SimClock, SimDevice } from './sim-device.js';

export type { FleetDevice } from './sim-device.js';

export interface FleetOptions {
  /**
   * The broker, or several front doors of one city: device i starts at the i-th (wrapping), so the fleet's
   * connections spread over them, and fails over to the next.
   */
  url: string | readonly string[];
  /** Each device keeps its outbox in `<outboxRoot>/<deviceId>`. */
  outboxRoot: string;
  seed?: number;
  /** Simulated time runs this many times faster than real time; default 1 (live). */
  speed?: number;
  /** Where the simulated clock starts (epoch ms); default now. */
  startAt?: number;
  /**
   * The city's IANA time zone (city.json `timeZone`) for day and night and bus service hours; default UTC,
   * never the machine's zone. An unknown name throws a RangeError naming it.
   */
  timeZone?: string;
  /** Inject faults (default true); false gives a calm fleet. */
  faults?: boolean;
  /** Spread the first connections over this long, so the broker does not take them all at once. */
  rampMs?: number;
  logger?: EdgeLogger;
  /** Default: 128 KiB per device, fsync left to the OS (a simulator's readings are not precious). */
  outbox?: OutboxOptions;
  reconnect?: BackoffOptions;
}

export interface FleetStats {
  /** MQTT connections the fleet opens: one per entry of its list. */
  connections: number;
  /** Of those, connected right now. */
  connected: number;
  /** Devices simulated, cameras behind gateways included. */
  devices: number;
  messagesSent: number;
  messagesAcked: number;
  /** Waiting in outboxes for the broker. */
  pending: number;
  /** Thrown away by full outboxes. */
  dropped: number;
  faults: FaultCounts;
}

/** How many MQTT connections a fleet of `devices` opens: one per entry; a gateway's cameras ride along. */
export function connectionsFor(devices: readonly Pick<FleetDevice, 'cameras'>[]): number {
  return devices.length;
}

/** Devices simulated, cameras behind gateways included. */
export function devicesIn(devices: readonly Pick<FleetDevice, 'cameras'>[]): number {
  return devices.reduce((n, d) => n + 1 + (d.cameras?.length ?? 0), 0);
}

export class Fleet {
  /** MQTT connections this fleet opens: one per entry of its list. */
  readonly connections: number;
  /** Devices it simulates, cameras behind gateways included. */
  readonly devices: number;
  private readonly members: SimDevice[];
  private readonly injector: FaultInjector | undefined;
  private readonly ramp: NodeJS.Timeout[] = [];
  private stopping: Promise<FleetStats> | undefined;

  private constructor(list: readonly FleetDevice[], options: FleetOptions) {
    this.connections = connectionsFor(list);
    this.devices = devicesIn(list);
    const speed = options.speed ?? 1;
    if (!(speed > 0)) throw new RangeError(`speed must be a positive number, got ${speed}`);
    const clock = new SimClock(options.startAt ?? Date.now(), speed);
    const rng = new Prng(options.seed ?? 1);
    const brokers = brokerList(options.url);
    const ctx = {
      url: brokers,
      outboxRoot: options.outboxRoot,
      clock,
      cityClock: new CityClock(options.timeZone ?? 'UTC'),
      logger: options.logger,
      outbox: options.outbox ?? { maxBytes: 128 * 1024, segmentBytes: 16 * 1024, fsync: 'never' as const },
      reconnect: options.reconnect,
    };
    // A stream per device, so one device's behaviour does not change when another is added.
    this.members = [];
    try {
      for (const [i, d] of list.entries())
        this.members.push(new SimDevice(d, { ...ctx, url: rotated(brokers, i) }, rng.fork(d.id)));
    } catch (err) {
      // An outbox that cannot be opened (in use by another simulator): release the ones already opened.
      for (const m of this.members) void m.stop(false);
      throw err;
    }
    if (options.faults !== false) {
      this.injector = new FaultInjector(this.members, clock, rng.fork('faults'), options.logger);
    }
  }

  /** Start every device, spread over `rampMs` (default 5 ms a connection, at most 20 s). */
  static start(devices: readonly FleetDevice[], options: FleetOptions): Fleet {
    const fleet = new Fleet(devices, options);
    const rampMs = options.rampMs ?? Math.min(20_000, devices.length * 5);
    fleet.members.forEach((m, i) => {
      fleet.ramp.push(setTimeout(() => m.start(), (rampMs * i) / Math.max(1, devices.length)));
    });
    fleet.injector?.start();
    return fleet;
  }

  stats(): FleetStats {
    const s: FleetStats = {
      connections: this.connections,
      connected: 0,
      devices: this.devices,
      messagesSent: 0,
      messagesAcked: 0,
      pending: 0,
      dropped: 0,
      faults: this.injector ? { ...this.injector.counts } : zeroFaults(),
    };
    for (const m of this.members) {
      const a = m.agent.stats;
      if (m.agent.isConnected) s.connected++;
      s.messagesSent += a.published;
      s.messagesAcked += a.acked;
      s.pending += a.pending;
      s.dropped += a.dropped;
    }
    return s;
  }

  /** Stop every device; `graceful` (default) has each say offline first, else their Last Wills fire. */
  stop({ graceful = true }: { graceful?: boolean } = {}): Promise<FleetStats> {
    this.stopping ??= (async () => {
      for (const t of this.ramp) clearTimeout(t);
      this.injector?.stop();
      await Promise.all(this.members.map((m) => m.stop(graceful)));
      return this.stats();
    })();
    return this.stopping;
  }
}

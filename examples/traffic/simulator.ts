// The recorder's engine room: pops whatever is due next (a device's regular message, a delayed line, a
// fault), lets it publish, and writes replay lines (docs/contract.md §5) in receive-time order.
import type { Prng } from '../prng.js';
import type { BusRoute } from './bus-service.js';
import { ClockText } from './clock-text.js';
import { EventQueue, type Scheduled } from './event-queue.js';
import {
  type FaultCounts,
  type FaultKind,
  type FaultTimeline,
  faultTimelines,
  zeroFaults,
} from './faults.js';
import { BUS, CAMERA, type Fleet, GATEWAY, PIPE, type SimDevice } from './fleet.js';
import type { LineSink } from './line-sink.js';
import { arrival, heartbeat, pipeTelemetry, sensorTelemetry, status } from './readings.js';

/** A line that arrives later: a QoS 1 redelivery, a Last Will, a gateway's report for a lost camera. */
class LaterLine implements Scheduled {
  at = 0;
  order = 0;
  readonly type = 'line';
  constructor(
    readonly topic: string,
    readonly payload: string,
    readonly fault: FaultKind | undefined,
  ) {}
}

type Due = SimDevice | LaterLine | FaultTimeline;

// Per message, in one draw: QoS 1 redelivery, truncated JSON, JSON that breaks the channel's schema.
const P_REDELIVERY = 0.005;
const P_MALFORMED = 0.0005;
const P_SCHEMA_INVALID = 0.0002;
const P_ANY_FAULT = P_REDELIVERY + P_MALFORMED + P_SCHEMA_INVALID;
/** Regular messages wander ±5 % of the interval around their nominal time. */
const JITTER = 0.1;
/** Status messages retained by the broker reach a new subscriber within its first two seconds. */
const STARTUP_MS = 2000;
/** A gateway polls its cameras one after another, a few milliseconds apart. */
const POLL_STEP_MS = 4;

export class Simulator {
  readonly faults: FaultCounts = zeroFaults();
  private readonly queue = new EventQueue<Due>();
  private readonly clock = new ClockText();

  constructor(
    readonly fleet: Fleet,
    /** Routes with service today, for buses changing blocks. */
    private readonly served: readonly BusRoute[],
    readonly routeIds: ReadonlySet<string>,
    readonly rng: Prng,
    private readonly sink: LineSink,
    private readonly start: number,
    private readonly end: number,
  ) {}

  async run(onProgress?: (fractionDone: number) => void): Promise<void> {
    const { rng, queue } = this;
    for (const d of this.fleet.devices) {
      if (d.gateway) continue; // polled by its gateway
      // The first message is the retained status; regular ones follow at a random phase, after it.
      const phase = STARTUP_MS + (JITTER / 2) * d.intervalMs + rng.next() * d.intervalMs;
      d.base = this.start + Math.round(phase) - d.intervalMs;
      queue.push(d, this.start + rng.int(STARTUP_MS));
    }
    // Each fault strikes first within four minutes: a ten-minute recording already shows them all.
    for (const f of faultTimelines(this.fleet.devices.length))
      queue.push(f, this.start + 20_000 + rng.int(220_000));

    const span = this.end - this.start;
    while (queue.nextAt < this.end) {
      const due = queue.pop()!;
      const t = due.at;
      if (due.type === 'device') this.tick(due, t);
      else if (due.type === 'line') this.emit(t, due.topic, due.payload, due.fault);
      else {
        due.strike(this, t);
        queue.push(due, t + Math.max(1, Math.round(rng.exponential(3_600_000 / due.perHour))));
      }
      if (this.sink.full) {
        await this.sink.flush();
        onProgress?.((t - this.start) / span);
      }
    }
  }

  count(kind: FaultKind): void {
    this.faults[kind]++;
  }

  /** The device's clock when a message received at `t` was sent: network latency, then clock error. */
  deviceTs(d: SimDevice, t: number): number {
    return t - 15 - this.rng.int(60) + d.skewMs;
  }

  /** One line, as is. */
  emit(t: number, topic: string, payload: string, fault?: FaultKind): void {
    this.sink.add(`{"t":"${this.clock.format(t)}","topic":"${topic}","payload":${payload}}\n`);
    if (fault) this.faults[fault]++;
  }

  later(at: number, topic: string, payload: string, fault?: FaultKind): void {
    this.queue.push(new LaterLine(topic, payload, fault), at);
  }

  /** A device's message, exposed to the faults of the way there. */
  publish(t: number, topic: string, payload: string): void {
    const r = this.rng.next();
    if (r >= P_ANY_FAULT) this.emit(t, topic, payload);
    else if (r < P_REDELIVERY) {
      // QoS 1: the broker did not see the PUBACK, so the same packet (same seq) comes again.
      this.emit(t, topic, payload);
      this.later(t + this.rng.int(3001), topic, payload, 'redelivery');
    } else if (r < P_REDELIVERY + P_MALFORMED) {
      // Cut off mid-message (a firmware buffer overrun): recorded as the string that arrived.
      const cut = 1 + this.rng.int(payload.length - 2);
      this.emit(t, topic, JSON.stringify(payload.slice(0, cut)), 'malformed');
    } else this.emit(t, topic, breakSchema(topic, payload), 'schema-invalid');
  }

  private tick(d: SimDevice, t: number): void {
    if (d.kind === BUS) {
      this.busTick(d, t);
      return;
    }
    if (!d.gateway) this.reschedule(d, t);
    if (t < d.downUntil) return;
    if (d.kind === GATEWAY) {
      this.gatewayTick(d, t);
      return;
    }
    if (d.gateway && d.epoch !== d.gateway.epoch) {
      // Back after its gateway's failure: the gateway republishes the camera's retained status.
      d.epoch = d.gateway.epoch;
      d.announce = true;
    }
    if (d.kind === CAMERA) {
      if (d.video === 'lost' && t >= d.videoLostUntil) {
        d.video = 'ok';
        d.announce = true;
      }
      if (t < d.flapUntil && this.flapsSilent(d)) return;
    }
    const ts = this.deviceTs(d, t);
    if (d.announce) {
      d.announce = false;
      this.publish(t, d.statusTopic, status(d, 'online', ts, d.seq++));
    } else if (d.kind === CAMERA) this.publish(t, d.dataTopic, heartbeat(ts, d.seq++));
    else if (d.kind === PIPE) this.publish(t, d.dataTopic, pipeTelemetry(d, t, ts, d.seq++, this.rng));
    else this.publish(t, d.dataTopic, sensorTelemetry(d, t, ts, d.seq++, this.rng));
  }

  /** A gateway speaks for itself, then polls its cameras and publishes for each (docs/contract.md §2). */
  private gatewayTick(gw: SimDevice, t: number): void {
    const ts = this.deviceTs(gw, t);
    if (gw.announce) {
      gw.announce = false;
      this.publish(t, gw.statusTopic, status(gw, 'online', ts, gw.seq++));
    } else this.publish(t, gw.dataTopic, heartbeat(ts, gw.seq++));
    for (let k = 0; k < gw.cameras.length; k++) this.queue.push(gw.cameras[k], t + POLL_STEP_MS * (k + 1));
  }

  private busTick(d: SimDevice, t: number): void {
    const bus = d.bus;
    if (!bus) {
      // No routes in this inventory: the beacon only heartbeats.
      this.reschedule(d, t);
      if (t >= d.downUntil)
        this.publish(t, `city/transit-beacon/${d.id}/heartbeat`, heartbeat(this.deviceTs(d, t), d.seq++));
      return;
    }
    if (!bus.inService(t)) {
      // Back to the depot for the night: the beacon signs off and stays quiet until morning.
      if (!bus.parked && t >= d.downUntil)
        this.publish(t, d.statusTopic, status(d, 'offline', this.deviceTs(d, t), d.seq++));
      bus.parked = true;
      d.announce = true;
      d.base = bus.nextServiceStart(t) + this.rng.int(d.intervalMs);
      this.queue.push(d, d.base);
      return;
    }
    const elapsed = bus.parked || bus.lastAt === 0 ? d.intervalMs : t - bus.lastAt;
    bus.parked = false;
    bus.lastAt = t;
    this.reschedule(d, t);
    if (t < d.downUntil) return;
    if (t >= bus.routeUntil)
      bus.assign(bus.routeUntil === 0 ? bus.route : this.rng.pick(this.served), t, this.rng);
    const ts = this.deviceTs(d, t);
    if (d.announce) {
      d.announce = false;
      this.publish(t, d.statusTopic, status(d, 'online', ts, d.seq++));
      return;
    }
    const next = bus.advance(elapsed, this.rng);
    this.publish(t, d.dataTopic, arrival(d, bus.route.id, next.stopId, ts, d.seq++, ts + next.etaMs));
  }

  /** Flapping link: true while the camera is in one of its silent stretches. */
  private flapsSilent(d: SimDevice): boolean {
    if (d.flapSilent > 0) {
      if (--d.flapSilent === 0) d.flapLoud = 1 + this.rng.int(3);
      return true;
    }
    if (--d.flapLoud <= 0) d.flapSilent = 2 + this.rng.int(2);
    return false;
  }

  private reschedule(d: SimDevice, t: number): void {
    d.base += d.intervalMs;
    while (d.base <= t) d.base += d.intervalMs;
    const at = Math.round(d.base + (this.rng.next() - 0.5) * JITTER * d.intervalMs);
    this.queue.push(d, Math.max(at, t + 1)); // never into the past: lines stay in receive order
  }
}

/** The same message with one field its channel's schema refuses, as buggy firmware sends it. */
export function breakSchema(topic: string, payload: string): string {
  if (topic.endsWith('/status')) return payload.replace(/"state":"[a-z]+"/, '"state":"rebooting"');
  if (payload.includes('"pressureKPa":'))
    return payload.replace(/"pressureKPa":[^,}]+/, '"pressureKPa":"high"');
  if (payload.includes('"metrics":{'))
    return payload.replace('"metrics":{', '"metrics":{"status":"calibrating",');
  if (payload.includes('"stopId":')) return payload.replace(/"stopId":"[^"]*"/, '"stopId":null');
  if (/^\{"ts":\d+/.test(payload)) return payload.replace(/^\{"ts":(\d+)/, '{"ts":"$1"'); // a number sent as text
  return `[${payload}]`;
}

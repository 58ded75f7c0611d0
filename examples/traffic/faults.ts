// What goes wrong in a real fleet, as seeded timelines: each fault kind strikes at its hourly rate, at a
// random device. Every kind strikes once within the first minutes, so even a short recording exercises
// every liveness rule of docs/contract.md §3.
import type { Scheduled } from './event-queue.js';
import { GATEWAY, type SimDevice } from './fleet.js';
import { status } from './readings.js';
import { badTopic, kindMismatch, oversized, unknownDevice, unknownRoute } from './rogue-messages.js';
import type { Simulator } from './simulator.js';

export const FAULT_KINDS = [
  'outage',
  'offline-status',
  'last-will',
  'flapping',
  'gateway-failure',
  'lost-video',
  'leak',
  'redelivery',
  'malformed',
  'schema-invalid',
  'oversized',
  'unknown-device',
  'kind-mismatch',
  'bad-topic',
  'unknown-route',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultCounts = Record<FaultKind, number>;

export const zeroFaults = () => Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as FaultCounts;

const MIN = 60_000;
/** A device's MQTT Last Will reaches subscribers about 1.5 keep-alives (30 s) after it goes quiet. */
const WILL_DELAY_MS = [45_000, 75_000] as const;
const LAST_WILL = '{"state":"offline"}';

export class FaultTimeline implements Scheduled {
  at = 0;
  order = 0;
  readonly type = 'fault';

  constructor(
    readonly name: string,
    readonly perHour: number,
    readonly strike: (sim: Simulator, t: number) => void,
  ) {}
}

/** A device of `pool` not already suffering `busy`; undefined when none was found in a few tries. */
function victim(sim: Simulator, pool: readonly SimDevice[], busy: (d: SimDevice) => boolean) {
  for (let tries = 0; tries < 8 && pool.length > 0; tries++) {
    const d = sim.rng.pick(pool);
    if (!busy(d)) return d;
  }
  return undefined;
}

/** A device goes down for 3–60 minutes: it says goodbye, or the broker sends its Last Will, or nothing. */
function outage(sim: Simulator, t: number): void {
  const { fleet, rng } = sim;
  const d = victim(
    sim,
    fleet.devices,
    (x) => x.kind === GATEWAY || t < x.downUntil || x.bus?.parked === true,
  );
  if (!d) return;
  d.downUntil = t + Math.round(rng.logUniform(3 * MIN, 60 * MIN));
  d.announce = true;
  sim.count('outage');
  const how = rng.next();
  if (how < 0.35) {
    sim.publish(t, d.statusTopic, status(d, 'offline', sim.deviceTs(d, t), d.seq++));
    sim.count('offline-status');
  } else if (how < 0.7) {
    if (d.gateway) {
      // A camera has no MQTT session of its own: its gateway notices and reports it offline.
      const at = t + d.intervalMs;
      sim.later(at, d.statusTopic, status(d, 'offline', sim.deviceTs(d, at), d.seq++), 'offline-status');
    } else {
      sim.later(t + Math.round(rng.range(...WILL_DELAY_MS)), d.statusTopic, LAST_WILL, 'last-will');
    }
  }
}

/** A camera's link flaps for 10–30 minutes: silent 2–3 intervals, back for 1–3, and again. */
function flapping(sim: Simulator, t: number): void {
  const d = victim(sim, sim.fleet.cameras, (x) => t < x.flapUntil);
  if (!d) return;
  d.flapUntil = t + Math.round(sim.rng.range(10 * MIN, 30 * MIN));
  d.flapSilent = 2 + sim.rng.int(2);
  sim.count('flapping');
}

/** A gateway dies for 2–20 minutes: the broker publishes its Last Will, and all its cameras go quiet. */
function gatewayFailure(sim: Simulator, t: number): void {
  const gw = victim(sim, sim.fleet.gateways, (x) => t < x.downUntil);
  if (!gw) return;
  gw.downUntil = t + Math.round(sim.rng.logUniform(2 * MIN, 20 * MIN));
  gw.announce = true;
  gw.epoch++; // its cameras re-announce once it is back
  sim.later(t + Math.round(sim.rng.range(...WILL_DELAY_MS)), gw.statusTopic, LAST_WILL, 'last-will');
  sim.count('gateway-failure');
}

/** A camera keeps its connection but loses its picture for 5–40 minutes (it still heartbeats). */
function lostVideo(sim: Simulator, t: number): void {
  const d = victim(sim, sim.fleet.cameras, (x) => x.video === 'lost');
  if (!d) return;
  d.video = 'lost';
  d.videoLostUntil = t + Math.round(sim.rng.logUniform(5 * MIN, 40 * MIN));
  d.announce = true;
  sim.count('lost-video');
}

/** Not a device fault but what pipe monitors are for: a leak shows for 10–90 minutes. */
function leak(sim: Simulator, t: number): void {
  const d = victim(sim, sim.fleet.pipes, (x) => t < x.leakUntil);
  if (!d) return;
  d.leakUntil = t + Math.round(sim.rng.logUniform(10 * MIN, 90 * MIN));
  sim.count('leak');
}

/** The fleet size the hourly rates below are for: the sample city's. */
export const RATED_FLEET = 2970;

/**
 * Rates per simulated hour for a city the size of the sample; a larger fleet has proportionally more
 * (a smaller one keeps the sample's, so a short recording still shows every fault).
 */
export function faultTimelines(devices = RATED_FLEET): FaultTimeline[] {
  const scale = Math.max(1, devices / RATED_FLEET);
  const timeline = (name: string, perHour: number, strike: FaultTimeline['strike']) =>
    new FaultTimeline(name, perHour * scale, strike);
  return [
    timeline('outage', 40, outage),
    timeline('flapping', 8, flapping),
    timeline('gateway-failure', 2, gatewayFailure),
    timeline('lost-video', 10, lostVideo),
    timeline('leak', 2, leak),
    timeline('unknown-device', 24, unknownDevice),
    timeline('kind-mismatch', 8, kindMismatch),
    timeline('bad-topic', 6, badTopic),
    timeline('oversized', 4, oversized),
    timeline('unknown-route', 8, unknownRoute),
  ];
}

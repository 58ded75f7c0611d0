// Traffic the engine must refuse and count (docs/contract.md §3): devices it has never heard of, registered ids
// under the wrong kind, malformed topics, oversized payloads and forecasts for routes the city lacks.
import { heartbeat } from './readings.js';
import type { Simulator } from './simulator.js';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Routes a bus may be sent on that the registry does not list: a rail-replacement shuttle, a special. */
const FOREIGN_ROUTES = ['999', 'SHUTTLE-7', 'RR-BART', 'X17', 'EVENT-SAP'];

/** A registered-looking id that is not registered: a spoofing client, a forgotten test rig, a typo. */
export function unknownDevice(sim: Simulator, t: number): void {
  const { rng } = sim;
  const ts = t + rng.int(2000);
  for (let tries = 0; tries < 8; tries++) {
    const variant = rng.int(4);
    const [kind, id, channel, payload] =
      variant === 0
        ? [
            'cctv',
            `cam-${2000 + rng.int(8000)}`,
            'status',
            `{"state":"online","video":"ok","shared":true,"ts":${ts}}`,
          ]
        : variant === 1
          ? [
              'sensor',
              `sen-${String(200 + rng.int(800))}`,
              'telemetry',
              `{"ts":${ts},"metrics":{"pm25":${rng.int(90)}}}`,
            ]
          : variant === 2
            ? ['pipe-monitor', `pm-test-${rng.int(100)}`, 'heartbeat', heartbeat(ts, rng.int(100))]
            : [
                'cctv-gateway',
                `esp32-${rng.int(0xffffff).toString(16).padStart(6, '0')}`,
                'status',
                `{"state":"online","ts":${ts}}`,
              ];
    if (sim.fleet.byId.has(id)) continue;
    sim.emit(t, `city/${kind}/${id}/${channel}`, payload);
    sim.count('unknown-device');
    return;
  }
}

/** A registered id publishing under another kind: a misconfigured or spoofed client. */
export function kindMismatch(sim: Simulator, t: number): void {
  const { fleet, rng } = sim;
  const ts = t + rng.int(2000);
  const variant = rng.int(3);
  if (variant === 0 && fleet.cameras.length) {
    const cam = rng.pick(fleet.cameras);
    sim.emit(t, `city/sensor/${cam.id}/telemetry`, `{"ts":${ts},"metrics":{"pm25":${rng.int(90)}}}`);
  } else if (variant === 1 && fleet.sensors.length) {
    const sensor = rng.pick(fleet.sensors);
    const payload = `{"ts":${ts},"pressureKPa":${300 + rng.int(200)},"flowLps":4.2,"leak":false}`;
    sim.emit(t, `city/pipe-monitor/${sensor.id}/telemetry`, payload);
  } else if (fleet.pipes.length) {
    sim.emit(t, `city/cctv/${rng.pick(fleet.pipes).id}/heartbeat`, heartbeat(ts, rng.int(100)));
  } else return;
  sim.count('kind-mismatch');
}

/** Topics outside `city/<kind>/<id>/<channel>`: a missing or unknown channel, an unknown kind. */
export function badTopic(sim: Simulator, t: number): void {
  const { fleet, rng } = sim;
  if (!fleet.cameras.length) return;
  const cam = rng.pick(fleet.cameras).id;
  const topic = rng.pick([
    `city/cctv/${cam}`,
    `city/cctv/${cam}/video`,
    `city/cctv/${cam}/status/extra`,
    `city/traffic-light/tl-${String(1 + rng.int(40)).padStart(2, '0')}/status`,
  ]);
  sim.emit(t, topic, `{"state":"online","ts":${t + rng.int(2000)}}`);
  sim.count('bad-topic');
}

/** A registered device sends more than 16 KiB (docs/contract.md §2): a camera snapshot, a sensor's raw dump. */
export function oversized(sim: Simulator, t: number): void {
  const { fleet, rng } = sim;
  const pool = rng.chance(0.5) ? fleet.cameras : fleet.sensors;
  if (!pool.length) return;
  const d = rng.pick(pool);
  const size = 17_000 + rng.int(24_000);
  const from = rng.int(BASE64.length);
  const blob = BASE64.repeat(Math.ceil(size / BASE64.length) + 1).slice(from, from + size);
  const ts = sim.deviceTs(d, t);
  const camera = pool === fleet.cameras;
  const payload = `{"ts":${ts},"seq":${d.seq++},"${camera ? 'snapshot' : 'raw'}":"${blob}"}`;
  sim.emit(t, camera ? `city/cctv/${d.id}/heartbeat` : d.dataTopic, payload);
  sim.count('oversized');
}

/** A bus in service forecasts for a route the city has not imported. */
export function unknownRoute(sim: Simulator, t: number): void {
  const { fleet, rng } = sim;
  const routeId = rng.pick(FOREIGN_ROUTES);
  const first = rng.int(fleet.buses.length);
  let bus: (typeof fleet.buses)[number] | undefined;
  for (let k = 0; k < fleet.buses.length && !bus; k++) {
    const b = fleet.buses[(first + k) % fleet.buses.length];
    if (b.bus && !b.bus.parked && t >= b.downUntil) bus = b;
  }
  if (!bus?.bus || sim.routeIds.has(routeId)) return;
  const stopId = bus.bus.route.stops[bus.bus.stopIndex];
  const ts = sim.deviceTs(bus, t);
  const predicted = new Date(ts + 60_000 + rng.int(240_000)).toISOString();
  sim.emit(
    t,
    bus.dataTopic,
    `{"ts":${ts},"seq":${bus.seq++},"routeId":"${routeId}","stopId":${JSON.stringify(stopId)},"vehicleId":"${bus.id}","predictedArrival":"${predicted}"}`,
  );
  sim.count('unknown-route');
}

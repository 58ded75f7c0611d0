// Small random cities and recordings for the merge property: gateways with cameras, assets shared by
// devices, routes served by several buses, short intervals so devices lapse, and every kind of bad line a
// recording can hold (unreadable, out of order, refused, in the recorder's shape or not).
import { fc } from '@fast-check/vitest';
import { Prng } from '../../edge/prng.js';
import type { Device, DeviceKind, Inventory } from '../../registry/inventory.js';
import { makeInventory, T0 } from './city.js';

interface DeviceSpec {
  kind: DeviceKind;
  asset: number;
  gateway: number;
  hd: boolean;
  intervalS: number;
  district: number;
}

const kinds: DeviceKind[] = ['cctv', 'cctv', 'cctv-gateway', 'pipe-monitor', 'transit-beacon', 'sensor'];

export const mergeCity = fc.array(
  fc.record({
    kind: fc.constantFrom(...kinds),
    asset: fc.integer({ min: -1, max: 2 }),
    gateway: fc.integer({ min: -1, max: 2 }),
    hd: fc.boolean(),
    intervalS: fc.integer({ min: 2, max: 20 }),
    district: fc.integer({ min: -1, max: 1 }),
  }),
  { minLength: 1, maxLength: 24 },
);

const DISTRICTS = ['north', 'south'];

function inventoryOf(specs: readonly DeviceSpec[]): Inventory {
  const gateways = specs.map((s, i) => (s.kind === 'cctv-gateway' ? `d${i}` : '')).filter(Boolean);
  const devices: (Partial<Device> & { id: string; kind: DeviceKind })[] = specs.map((s, i) => {
    const asset = s.asset < 0 ? undefined : s.kind === 'transit-beacon' ? `r${s.asset}` : `a${s.asset}`;
    return {
      id: `d${i}`,
      kind: s.kind,
      hd: s.hd,
      expectedIntervalS: s.intervalS,
      district: s.district < 0 ? undefined : DISTRICTS[s.district],
      assetId: s.kind === 'cctv-gateway' ? undefined : asset,
      gatewayId:
        s.kind === 'cctv' && s.gateway >= 0 && gateways.length
          ? gateways[s.gateway % gateways.length]
          : undefined,
    };
  });
  const ids = [0, 1, 2];
  return makeInventory({
    areas: ids.map((i) => ({
      id: `a${i}`,
      class: i === 1 ? 'key-industry' : 'key-public',
      district: DISTRICTS[i % 2],
    })),
    pipes: ids.map((i) => ({ id: `a${i}`, lengthM: 100.5 * (i + 1), district: DISTRICTS[(i + 1) % 2] })),
    sites: ids.map((i) => ({
      id: `a${i}`,
      class: i === 2 ? 'energy' : 'pollution',
      district: DISTRICTS[i % 2],
    })),
    routes: ids.map((i) => ({ id: `r${i}`, district: i === 2 ? undefined : DISTRICTS[i] })),
    devices,
  });
}

const iso = (t: number) => new Date(t).toISOString();

/** A recording of about 200 lines for the city, seeded, and instants to report at. */
export function mergeRecording(specs: readonly DeviceSpec[], seed: number) {
  const inventory = inventoryOf(specs);
  const rng = new Prng(seed);
  const devices = [...inventory.devices.values()];
  const lines: string[] = [];
  const times: number[] = [];
  let t = T0 + rng.int(5000);
  const seq = new Map<string, number>();
  const n = 100 + rng.int(200);
  for (let k = 0; k < n; k++) {
    // Often the same instant, sometimes a pause long enough for everything to lapse.
    t += rng.chance(0.3) ? 0 : rng.chance(0.05) ? rng.int(120_000) : rng.int(4000);
    // A line earlier than the one before it is applied at the current time (docs/contract.md §5).
    const stamp = rng.chance(0.08) ? t - rng.int(10_000) : t;
    times.push(stamp);
    const unknown = rng.chance(0.05);
    const d = devices[rng.int(devices.length)];
    const id = unknown ? `ghost-${rng.int(3)}` : d.id;
    const kind = unknown ? 'sensor' : d.kind;
    const s = (seq.get(id) ?? 0) + (rng.chance(0.1) ? 0 : 1); // a repeated seq is a redelivery
    seq.set(id, s);
    const r = rng.next();
    let topic: string;
    let payload: unknown;
    if (kind === 'transit-beacon' && r < 0.5) {
      topic = `city/${kind}/${id}/arrival`;
      const route = rng.chance(0.1) ? 'r-unknown' : `r${rng.int(3)}`;
      payload = {
        ts: stamp,
        seq: s,
        routeId: route,
        stopId: 's1',
        vehicleId: id,
        predictedArrival: stamp + 60_000,
      };
    } else if (r < 0.75) {
      topic = `city/${kind}/${id}/status`;
      const offline = rng.chance(0.25);
      payload =
        kind === 'cctv'
          ? {
              state: offline ? 'offline' : 'online',
              video: ['ok', 'degraded', 'lost'][rng.int(3)],
              shared: rng.chance(0.5),
              seq: s,
            }
          : { state: offline ? 'offline' : 'online', seq: s };
    } else {
      topic = `city/${kind}/${id}/heartbeat`;
      payload = { ts: stamp, seq: s };
    }
    const bad = rng.next();
    if (bad < 0.03)
      lines.push(`{"t":"${iso(stamp)}","topic":"${topic}","payload":{"ts":`); // cut off
    else if (bad < 0.05) lines.push(JSON.stringify({ t: 'yesterday', topic, payload }));
    else if (bad < 0.08) lines.push(JSON.stringify({ t: iso(stamp), topic, payload: '{"state":' }));
    else if (bad < 0.1)
      lines.push(JSON.stringify({ t: iso(stamp), topic, payload: { ...(payload as object), seq: -1 } }));
    else if (bad < 0.14)
      lines.push(JSON.stringify({ topic, payload, t: iso(stamp) })); // not the recorder's shape
    else if (bad < 0.17)
      lines.push(JSON.stringify({ t: stamp, topic, payload })); // epoch ms
    else if (bad < 0.18) lines.push('');
    else lines.push(JSON.stringify({ t: iso(stamp), topic, payload }));
  }
  // Instants between lines, on lines, and past the end, where deadlines have run out.
  const ats = Array.from({ length: 6 }, () => {
    const x = times[rng.int(times.length)];
    return rng.chance(0.5) ? x : x + rng.int(60_000) - 1000;
  });
  ats.push(t + 200_000);
  return { inventory, lines, ats: [...new Set(ats)] };
}

// Property tests of the engine's gate (CONTRACT §3) over hostile topics, payload bytes and JSON shapes:
// nothing throws, every refusal is one of the contract's reasons, and a refused message changes nothing —
// not the indicators, not a device's liveness, not what later messages are judged against.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CityEngine } from '../../engine/city-engine.js';
import { Decoded, type Inbound } from '../../engine/inbound.js';
import { REJECTION_REASONS } from '../../engine/rejections.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { makeInventory, T0 } from '../support/city.js';
import { deeplyNested, mutated, oddJsonValue } from './arbitraries.js';
import { fuzzParams, fuzzTimeout } from './runs.js';

const SPEC = {
  routes: [{ id: 'R1' }, { id: 'R2' }],
  pipes: [{ id: 'p1', lengthM: 10, district: 'centre' }],
  areas: [{ id: 'a1', class: 'key-public' as const, district: 'north' }],
  sites: [{ id: 's1', class: 'pollution' as const, district: 'north' }],
  devices: [
    { id: 'pm-1', kind: 'pipe-monitor' as const, assetId: 'p1' },
    { id: 'bus-1', kind: 'transit-beacon' as const, district: 'centre' },
    { id: 'gw-1', kind: 'cctv-gateway' as const, district: 'north' },
    { id: 'cam-1', kind: 'cctv' as const, assetId: 'a1', gatewayId: 'gw-1', hd: true },
    { id: 'sen-1', kind: 'sensor' as const, assetId: 's1' },
  ],
};

const INVENTORY = makeInventory(SPEC);
const CATALOGUE = buildCatalogue(LIVE_CATALOGUE);
const newEngine = () => new CityEngine(INVENTORY, CATALOGUE);

/** The valid payload of each device's channels: the seeds the mutations start from. */
const VALID: Record<string, Record<string, Record<string, unknown>>> = {
  'pipe-monitor/pm-1': {
    status: { state: 'online', ts: 1, seq: 1 },
    heartbeat: { ts: 1 },
    telemetry: { ts: 1, seq: 2, pressureKPa: 310, flowLps: 1, leak: false },
  },
  'transit-beacon/bus-1': {
    arrival: {
      ts: '2026-01-05T08:00:00Z',
      seq: 1,
      routeId: 'R1',
      stopId: 's',
      vehicleId: 'v',
      predictedArrival: 2,
    },
    status: { state: 'offline' },
  },
  'cctv-gateway/gw-1': { status: { state: 'online' }, heartbeat: { ts: 5, seq: 3 } },
  'cctv/cam-1': { status: { state: 'online', video: 'degraded', shared: true, seq: 4 } },
  'sensor/sen-1': { telemetry: { ts: 1, metrics: { pm25: 3, no2: 40 } }, status: { state: 'online' } },
};
const DEVICE_TOPICS = Object.keys(VALID);

const topic: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      ...DEVICE_TOPICS.flatMap((d) => Object.keys(VALID[d]).map((c) => `city/${d}/${c}`)),
    ),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('city', 'City', '', 'city/', '/city'),
        fc.constantFrom(
          'cctv',
          'cctv-gateway',
          'pipe-monitor',
          'transit-beacon',
          'sensor',
          'lamp',
          '',
          '+',
          '#',
        ),
        fc.constantFrom(
          'pm-1',
          'bus-1',
          'gw-1',
          'cam-1',
          'sen-1',
          'ghost',
          '',
          '+',
          '#',
          'x'.repeat(70),
          'pm-1/extra',
        ),
        fc.constantFrom('status', 'heartbeat', 'telemetry', 'arrival', 'cmd', '', 'status/', '#'),
      )
      .map((parts) => parts.join('/')),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constant('city/'.repeat(3000)) },
);

/** A payload for a topic: valid, mutated, wrong JSON, random bytes, deep, oversized; as bytes or decoded. */
function payloadFor(t: string): fc.Arbitrary<Buffer | string | Decoded> {
  const [, kind, id, channel] = t.split('/');
  const valid = VALID[`${kind}/${id}`]?.[channel] ?? { ts: 1 };
  const json = fc.oneof(
    { weight: 3, arbitrary: fc.constant(valid) },
    { weight: 6, arbitrary: mutated(valid) },
    { weight: 2, arbitrary: oddJsonValue },
  );
  return fc.oneof(
    { weight: 5, arbitrary: json.map((v) => Buffer.from(JSON.stringify(v) ?? 'undefined')) },
    { weight: 3, arbitrary: json.map((v) => new Decoded(v, 100)) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
    { weight: 1, arbitrary: deeplyNested },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(16 * 1024 + 1, 0x20)) },
    { weight: 1, arbitrary: json.map((v) => new Decoded(v, 16 * 1024 + 1)) },
  );
}

const message = topic.chain((t) =>
  fc.record({ topic: fc.constant(t), payload: payloadFor(t), afterMs: fc.integer({ min: 0, max: 200_000 }) }),
);

/** Everything a message may change: indicator values and numerators, each device's liveness, as bytes. */
function state(engine: CityEngine): Buffer {
  const d = engine.devices;
  const arrays = [
    engine.indicators.numerator,
    engine.indicators.value,
    d.alive,
    d.saidOffline,
    d.video,
    d.shared,
    d.mask,
    d.changedAt,
    d.lastSeen,
    d.staleAt,
  ];
  return Buffer.concat([
    ...arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)),
    Buffer.from(String(engine.accepted)),
  ]);
}

/** The whole answer a person reads, means included: compared once per case, at the end. */
const indicators = (engine: CityEngine) => engine.snapshot().indicators;

describe('fuzzing the engine gate', () => {
  it(
    'never throws, refuses only for contract reasons, and a refused message changes no state',
    () => {
      fc.assert(
        fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), (messages) => {
          const engine = newEngine();
          // The same city fed only what the first accepted: it must end in exactly the same state, so a
          // refusal left nothing behind (duplicate filter, route freshness) that later messages could see.
          const twin = newEngine();
          let t = T0;
          for (const m of messages) {
            t += m.afterMs;
            engine.advanceTo(t);
            twin.advanceTo(t);
            const before = state(engine);
            const rejectedBefore = { ...engine.rejected };
            const msg: Inbound = { receivedAt: t, topic: m.topic, payload: m.payload };
            const outcome = engine.ingest(msg);
            if (outcome === undefined) {
              expect(twin.ingest(msg)).toBeUndefined();
              continue;
            }
            expect(REJECTION_REASONS).toContain(outcome);
            expect(state(engine).equals(before), `state changed by a message refused as ${outcome}`).toBe(
              true,
            );
            expect(engine.rejected).toEqual({ ...rejectedBefore, [outcome]: rejectedBefore[outcome] + 1 });
          }
          engine.advanceTo(t + 1000);
          twin.advanceTo(t + 1000);
          expect(state(twin).equals(state(engine))).toBe(true);
          expect(indicators(twin)).toEqual(indicators(engine));
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(8_000),
  );
});

// Property tests of the engine's gate (docs/contract.md §3) over hostile topics, payload bytes and JSON shapes:
// nothing throws, every refusal is one of the contract's reasons, and a refused message changes nothing —
// not the indicators, not a device's liveness, not what later messages are judged against.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CityEngine } from '../../engine/city-engine.js';
import { Decoded } from '../../engine/inbound.js';
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
/** Every channel of every device: the streams the duplicate filter keeps apart. */
const STREAMS = DEVICE_TOPICS.flatMap((d) => Object.keys(VALID[d]).map((c) => `city/${d}/${c}`));

const topic: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(...STREAMS),
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

/**
 * Plausible values per field, right and wrong, from a small set: so that messages collide (the same `seq`
 * refused once and sent again, a known route after an unknown one) often enough to catch a refusal that
 * leaves something behind.
 */
const VARIANTS: Record<string, unknown[]> = {
  seq: [1, 2, 3, -1, 1.5, '2', undefined],
  ts: [1, 0, -1, '2026-01-05T08:00:00Z', 'yesterday', undefined],
  state: ['online', 'offline', 'sleeping', undefined],
  video: ['ok', 'degraded', 'lost', 'blurry'],
  shared: [true, false, 'yes'],
  routeId: ['R1', 'R2', 'R9', ''],
  stopId: ['s', '', 7],
  vehicleId: ['v', ''],
  predictedArrival: [2, 'soon'],
  pressureKPa: [310, -5, '310', null],
  flowLps: [1, 0],
  leak: [true, false, 0],
  metrics: [{ pm25: 1 }, {}, { pm25: 'x' }, []],
};
function nearValid(valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = [...new Set([...Object.keys(valid), 'seq'])];
  return fc
    .tuple(
      ...keys.map((k) =>
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(valid[k]) },
          { weight: 1, arbitrary: fc.constantFrom(...(VARIANTS[k] ?? [undefined])) },
        ),
      ),
    )
    .map((values) => {
      const out: Record<string, unknown> = {};
      keys.forEach((k, i) => {
        if (values[i] !== undefined) out[k] = values[i];
      });
      return out;
    });
}

/** A payload for a topic: valid, near valid, mutated, wrong JSON, random bytes, deep, oversized; as bytes or decoded. */
function payloadFor(t: string): fc.Arbitrary<Buffer | string | Decoded> {
  const [, kind, id, channel] = t.split('/');
  const valid = VALID[`${kind}/${id}`]?.[channel] ?? { ts: 1 };
  const json = fc.oneof(
    { weight: 3, arbitrary: fc.constant(valid) },
    { weight: 6, arbitrary: nearValid(valid) },
    { weight: 3, arbitrary: mutated(valid) },
    { weight: 2, arbitrary: oddJsonValue },
  );
  return fc.oneof(
    { weight: 6, arbitrary: json.map((v) => Buffer.from(JSON.stringify(v) ?? 'undefined')) },
    { weight: 3, arbitrary: json.map((v) => new Decoded(v, 100)) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
    { weight: 1, arbitrary: deeplyNested },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(16 * 1024 + 1, 0x20)) },
    { weight: 1, arbitrary: json.map((v) => new Decoded(v, 16 * 1024 + 1)) },
  );
}

const messageOn = (topics: fc.Arbitrary<string>) =>
  topics.chain((t) =>
    fc.record({
      topic: fc.constant(t),
      payload: payloadFor(t),
      afterMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 200_000 })),
    }),
  );

/**
 * A case's messages: mostly on one or two device streams chosen for the case, so that what one message
 * leaves behind meets the next on the same stream; some on any topic at all.
 */
const messages = fc
  .shuffledSubarray(STREAMS, { minLength: 1, maxLength: 2 })
  .chain((streams) =>
    fc.array(
      messageOn(
        fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...streams) }, { weight: 1, arbitrary: topic }),
      ),
      { minLength: 1, maxLength: 8 },
    ),
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
        fc.property(messages, fc.nat(), (messages, pick) => {
          const engine = newEngine();
          const times: number[] = [];
          const outcomes: (string | undefined)[] = [];
          let t = T0;
          for (const m of messages) {
            t += m.afterMs;
            times.push(t);
            engine.advanceTo(t);
            const before = state(engine);
            const rejectedBefore = { ...engine.rejected };
            const outcome = engine.ingest({ receivedAt: t, topic: m.topic, payload: m.payload });
            outcomes.push(outcome);
            if (outcome === undefined) continue;
            expect(REJECTION_REASONS).toContain(outcome);
            expect(state(engine).equals(before), `state changed by a message refused as ${outcome}`).toBe(
              true,
            );
            expect(engine.rejected).toEqual({ ...rejectedBefore, [outcome]: rejectedBefore[outcome] + 1 });
          }
          // The same messages without one of the refused ones, on a twin: every other message must be
          // judged the same and the city end the same, so a refusal left nothing behind (in the duplicate
          // filter, route freshness, liveness) that a later message could meet.
          const refused = outcomes.flatMap((o, i) => (o === undefined ? [] : [i]));
          if (refused.length === 0) return;
          const skip = refused[pick % refused.length];
          const twin = newEngine();
          messages.forEach((m, i) => {
            twin.advanceTo(times[i]);
            if (i === skip) return;
            const outcome = twin.ingest({ receivedAt: times[i], topic: m.topic, payload: m.payload });
            expect(
              outcome,
              `message ${i} judged differently once message ${skip} (${outcomes[skip]}) is left out`,
            ).toBe(outcomes[i]);
          });
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

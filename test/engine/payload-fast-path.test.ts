// The admission fast path builds what zod would return, or leaves the payload to zod: for any JSON a
// device could send, the two agree on accept/refuse and on the output, down to the order of its keys.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastPathFor, schemaFor } from '../../engine/payloads.js';
import { CHANNELS } from '../../engine/topic.js';
import { DEVICE_KINDS } from '../../registry/inventory.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);

/** Field values near each schema's edges: right types, wrong types, out of range, as text. */
const value = fc.oneof(
  fc.constantFrom(
    'online',
    'offline',
    'ok',
    'degraded',
    'lost',
    'rebooting',
    '',
    'r-1',
    '2026-01-05T06:00:00Z',
  ),
  fc.constantFrom(0, -0, 1, -1, 2 ** 53, 2 ** 53 - 1, 1.5, 1e300, 1767592800000),
  fc.integer({ min: -5, max: 100_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  // RFC 3339 times: the canonical form, other offsets and precisions, impossible dates.
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '2026-02-29T00:00:00.000Z',
    '2024-02-29T23:59:59.999Z',
    '2026-01-05T24:00:00.000Z',
    '2026-01-05T06:00:00.000+01:00',
    '2026-01-05T06:00:60.000Z',
    '2026-13-05T06:00:00.000Z',
  ),
  fc.dictionary(
    fc.constantFrom('pm25', 'kwh', '__proto__', '1', 'x'),
    fc.oneof(fc.double({ noNaN: true }), fc.string()),
  ),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const FIELDS = [
  'ts',
  'seq',
  'state',
  'video',
  'shared',
  'pressureKPa',
  'flowLps',
  'leak',
  'metrics',
  'routeId',
  'stopId',
  'vehicleId',
  'predictedArrival',
  'extra',
];
/** A payload as JSON.parse would give it: keys in any order, any of them missing or extra. */
const payload = fc
  .oneof(fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 8 }), value)
  .map((p) => JSON.parse(JSON.stringify(p)) as unknown);

/** A valid payload of each shape, so the accepting paths are exercised as often as the refusing ones. */
const time = fc.oneof(
  fc.nat(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);
const valid = fc
  .record({
    ts: time,
    seq: fc.option(fc.nat(), { nil: undefined }),
    state: fc.constantFrom('online', 'offline'),
    video: fc.option(fc.constantFrom('ok', 'degraded', 'lost'), { nil: undefined }),
    shared: fc.option(fc.boolean(), { nil: undefined }),
    pressureKPa: fc.double({ noNaN: true, noDefaultInfinity: true }),
    flowLps: fc.double({ noNaN: true, noDefaultInfinity: true }),
    leak: fc.boolean(),
    metrics: fc.dictionary(
      fc.constantFrom('pm25', 'no2', 'kwh', '7'),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    ),
    routeId: fc.string({ minLength: 1, maxLength: 4 }),
    stopId: fc.string({ minLength: 1, maxLength: 4 }),
    vehicleId: fc.string({ minLength: 1, maxLength: 4 }),
    predictedArrival: time,
  })
  .chain((p) =>
    fc
      .shuffledSubarray(Object.keys(p), { minLength: 8 })
      .map(
        (keys) =>
          JSON.parse(
            JSON.stringify(Object.fromEntries(keys.map((k) => [k, p[k as keyof typeof p]]))),
          ) as unknown,
      ),
  );

/** Output with key order made visible: JSON.stringify keeps insertion order. */
const shown = (x: unknown) => (x === undefined ? 'refused' : JSON.stringify(x));

describe('fastPathFor', () => {
  for (const kind of DEVICE_KINDS) {
    for (const channel of CHANNELS) {
      it(`${kind} ${channel}: same verdict and output as the zod schema`, () => {
        const fast = fastPathFor(kind, channel);
        const schema = schemaFor(kind, channel);
        let taken = 0;
        fc.assert(
          fc.property(fc.oneof(payload, valid), (json) => {
            const quick = fast(json);
            const slow = schema.safeParse(json);
            if (quick === undefined) return; // zod decides: nothing to compare
            taken++;
            expect(slow.success, JSON.stringify(json)).toBe(true);
            expect(shown(quick)).toBe(shown(slow.data));
            expect(Object.getPrototypeOf(quick)).toBe(Object.prototype);
          }),
          { numRuns: RUNS },
        );
        // The fast path must actually take the common case, or it saves nothing. Random cases reach a valid
        // arrival (four fields all present) about one time in twenty: the bound sits far below that, so it
        // fails for a fast path that takes nothing, never for an unlucky draw.
        expect(taken).toBeGreaterThan(RUNS / 100);
      });
    }
  }

  it('takes the plain payloads the fleet sends and leaves the unusual ones to zod', () => {
    const hb = fastPathFor('cctv', 'heartbeat');
    expect(hb({ seq: 7, ts: 1767592800000, fw: '2.1' })).toEqual({ ts: 1767592800000, seq: 7 });
    expect(hb({ ts: '2026-01-05T06:00:00.000Z' })).toEqual({ ts: '2026-01-05T06:00:00.000Z' });
    expect(hb({ ts: '2026-01-05T06:00:00Z' })).toBeUndefined(); // another RFC 3339 form: zod checks it
    expect(hb({ ts: '2026-02-29T06:00:00.000Z' })).toBeUndefined(); // no such day
    expect(hb({ ts: 1, seq: 2 ** 53 })).toBeUndefined();
    const cam = fastPathFor('cctv', 'status');
    expect(shown(cam({ seq: 1, state: 'online' }))).toBe(
      '{"state":"online","video":"ok","shared":false,"seq":1}',
    );
    const sensor = fastPathFor('sensor', 'telemetry');
    expect(sensor(JSON.parse('{"ts":1,"metrics":{"__proto__":1}}'))).toBeUndefined();
  });
});

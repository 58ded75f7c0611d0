// The audit trail's hash chain as `citygauge audit verify` checks it: an untouched chain of any length
// verifies with its last hash as head, and any entry edited (in any field), removed, swapped with another or
// inserted is found, named by the first sequence number that no longer holds.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  type AuditDraft,
  type AuditEntry,
  type AuditVia,
  type ChainCheck,
  ChainVerifier,
  canonicalJson,
  chainNext,
  GENESIS,
} from '../../people/audit-chain.js';

const VIAS: AuditVia[] = ['session', 'token', 'dashboard', 'break-glass', 'cli', 'oidc', 'system'];
const name = fc.stringMatching(/^[a-z][a-z0-9._-]{0,11}$/);

const draft: fc.Arbitrary<AuditDraft> = fc.record({
  actor: name,
  role: fc.option(fc.constantFrom('viewer', 'operator', 'engineer', 'admin'), { nil: null }),
  via: fc.constantFrom(...VIAS),
  address: fc.option(fc.ipV4(), { nil: null }),
  action: fc.constantFrom(
    'person.add',
    'person.role',
    'token.issue',
    'signin',
    'signin.refused',
    'device.create',
  ),
  target: fc.option(name, { nil: null }),
  before: fc.jsonValue({ maxDepth: 2 }),
  after: fc.jsonValue({ maxDepth: 2 }),
  outcome: fc.constantFrom('ok', 'refused'),
});

/** A chain as the stores write it: each entry chained on the one before, a few seconds apart. */
const chain = fc
  .array(fc.tuple(draft, fc.integer({ min: 0, max: 10_000 })), { minLength: 1, maxLength: 16 })
  .map((steps) => {
    const entries: AuditEntry[] = [];
    let at = Date.parse('2026-03-02T08:00:00Z');
    for (const [d, gap] of steps) {
      at += gap;
      entries.push(chainNext(entries[entries.length - 1], d, at));
    }
    return entries;
  });

function verify(entries: AuditEntry[]): ChainCheck {
  const v = new ChainVerifier();
  for (const e of entries) if (v.add(e)) break;
  return v.result();
}

type Field = Exclude<keyof AuditEntry, never>;
const FIELDS: Field[] = [
  'seq',
  'at',
  'actor',
  'role',
  'via',
  'address',
  'action',
  'target',
  'before',
  'after',
  'outcome',
  'prevHash',
  'hash',
];

/** Another value for a field of `e`: anything of the field's kind that reads differently once stored. */
const otherValue = (e: AuditEntry, field: Field): fc.Arbitrary<unknown> => {
  const differs = (v: unknown) => canonicalJson(v) !== canonicalJson(e[field]);
  const kind: Record<Field, fc.Arbitrary<unknown>> = {
    seq: fc.integer({ min: 0, max: 60 }),
    at: fc.integer({ min: -86_400_000, max: 86_400_000 }).map((d) => e.at + d),
    actor: name,
    role: fc.option(fc.constantFrom('viewer', 'operator', 'engineer', 'admin'), { nil: null }),
    via: fc.constantFrom(...VIAS),
    address: fc.option(fc.ipV4(), { nil: null }),
    action: fc.string({ minLength: 1, maxLength: 12 }),
    target: fc.option(name, { nil: null }),
    before: fc.jsonValue({ maxDepth: 2 }),
    after: fc.jsonValue({ maxDepth: 2 }),
    outcome: fc.constantFrom('ok', 'refused'),
    prevHash: fc.stringMatching(/^[0-9a-f]{64}$/),
    hash: fc.stringMatching(/^[0-9a-f]{64}$/),
  };
  // As the store reads it back: a value JSON cannot tell from the original is no edit.
  return kind[field].map((v) => JSON.parse(JSON.stringify(v ?? null)) as unknown).filter(differs);
};

const broken = (r: ChainCheck) => (r.ok ? undefined : r.seq);

describe('the audit hash chain', () => {
  test.prop([chain], { numRuns: 200 })('an untouched chain verifies, its head the last hash', (entries) => {
    expect(verify(entries)).toEqual({
      ok: true,
      entries: entries.length,
      head: entries[entries.length - 1].hash,
    });
  });

  it('an empty chain verifies with the genesis hash as head', () => {
    expect(verify([])).toEqual({ ok: true, entries: 0, head: GENESIS });
  });

  test.prop(
    [
      chain.chain((entries) =>
        fc
          .tuple(fc.nat(entries.length - 1), fc.constantFrom(...FIELDS))
          .chain(([i, field]) =>
            otherValue(entries[i], field).map((value) => ({ entries, i, field, value })),
          ),
      ),
    ],
    { numRuns: 300 },
  )('editing any field of any entry is found at that entry', ({ entries, i, field, value }) => {
    const edited = entries.map((e, k) => (k === i ? { ...e, [field]: value } : e));
    const r = verify(edited);
    expect(
      broken(r),
      `${field} of entry ${i + 1} edited to ${JSON.stringify(value)}: ${JSON.stringify(r)}`,
    ).toBe(i + 1);
  });

  test.prop(
    [chain.chain((entries) => fc.record({ entries: fc.constant(entries), i: fc.nat(entries.length - 1) }))],
    {
      numRuns: 300,
    },
  )('removing an entry is found at its number; removing the last one changes the head', ({ entries, i }) => {
    const removed = entries.filter((_, k) => k !== i);
    const r = verify(removed);
    if (i < entries.length - 1) expect(broken(r)).toBe(i + 1);
    // Nothing follows the last entry to miss it: the head hash, kept elsewhere, is what shows it.
    else expect(r).toEqual({ ok: true, entries: i, head: i === 0 ? GENESIS : entries[i - 1].hash });
    if (r.ok) expect(r.head).not.toBe(entries[entries.length - 1].hash);
  });

  test.prop(
    [
      chain
        .filter((entries) => entries.length >= 2)
        .chain((entries) =>
          fc
            .uniqueArray(fc.nat(entries.length - 1), { minLength: 2, maxLength: 2 })
            .map(([a, b]) => ({ entries, i: Math.min(a, b), j: Math.max(a, b) })),
        ),
    ],
    { numRuns: 300 },
  )('swapping two entries is found at the first of them', ({ entries, i, j }) => {
    const swapped = [...entries];
    [swapped[i], swapped[j]] = [swapped[j], swapped[i]];
    expect(broken(verify(swapped))).toBe(i + 1);
  });

  test.prop(
    [
      chain.chain((entries) =>
        fc.record({
          entries: fc.constant(entries),
          at: fc.nat(entries.length),
          forged: draft,
        }),
      ),
    ],
    { numRuns: 300 },
  )(
    'inserting an entry, even one chained correctly on its predecessor, is found at the number it takes',
    ({ entries, at, forged }) => {
      // The strongest forgery: the right number, the predecessor's hash and a hash of its own that matches.
      const fake = chainNext(entries[at - 1], forged, (entries[at - 1]?.at ?? 0) + 1);
      const inserted = [...entries.slice(0, at), fake, ...entries.slice(at)];
      const r = verify(inserted);
      if (at < entries.length) expect(broken(r)).toBe(at + 1);
      // Appended at the end it is a valid chain of its own; only a head kept elsewhere tells it apart.
      else expect(r).toEqual({ ok: true, entries: entries.length + 1, head: fake.hash });
    },
  );
});

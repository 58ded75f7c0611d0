// Generators of hostile input shared by the fuzz properties: topics, payload bytes and JSON shapes that
// look valid but are not, CSV cells that break quoting.
import fc from 'fast-check';

/** Values JSON may carry that a schema does not expect: wrong types, huge and tiny numbers, NaN-ish text. */
export const oddJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -0,
    -1,
    1.5,
    1e308,
    -1e308,
    5e-324,
    Number.MAX_SAFE_INTEGER + 2,
    'NaN',
    'Infinity',
    '-Infinity',
    '1e999',
    '',
    ' ',
    '0x10',
    '12',
    'online',
    'ok',
    'true',
    '2026-13-45T99:99:99Z',
    '2026-01-05T08:00:00Z',
    '__proto__',
    '\u0000',
    '\uD800',
    [],
    {},
    { __proto__: null },
  ),
  fc.double(),
  fc.integer(),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A value nested `depth` levels deep in arrays or objects. */
export const deeplyNested = fc
  .tuple(fc.integer({ min: 1, max: 2000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );

/** Keys that stress object handling: prototype names, empty, huge, non-ASCII. */
export const oddKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '', 'seq', 'ts', 'x'.repeat(300)),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);

/**
 * A valid-looking payload turned bad: a field replaced by an odd value, extra keys added, fields
 * dropped. Kept as an object (the caller serialises it, or nests it to stress the parser).
 */
export function mutated(valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.keys(valid);
  return fc
    .record({
      replace: fc.array(fc.tuple(fc.constantFrom(...fields), oddJsonValue), { maxLength: 3 }),
      extra: fc.array(fc.tuple(oddKey, oddJsonValue), { maxLength: 3 }),
      drop: fc.subarray(fields, { maxLength: Math.min(2, fields.length) }),
    })
    .map(({ replace, extra, drop }) => {
      const out: Record<string, unknown> = { ...valid };
      for (const [k, v] of replace) out[k] = v;
      for (const [k, v] of extra)
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      for (const k of drop) delete out[k];
      return out;
    });
}

/** Cell text for CSV: commas, quotes, line breaks of every kind, BOMs, non-ASCII, long and empty. */
export const csvCell = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,10}$/) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '"',
      '""',
      ',',
      '\n',
      '\r\n',
      '\r',
      '\uFEFF',
      'true',
      'false',
      '-1',
      '0',
      '1e400',
      'NaN',
      '12.5',
      '=cmd()',
      'é',
      '\u0000',
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
);

/** One CSV record as text, quoted when a cell needs it (RFC 4180), and how many line breaks it spans. */
export function csvRecord(cells: readonly string[]): { text: string; breaks: number } {
  let breaks = 0;
  const text = cells
    .map((c) => {
      if (!/[",\r\n]/.test(c) && c.trim() === c) return c;
      breaks += c.match(/\r\n|\r|\n/g)?.length ?? 0;
      return `"${c.replaceAll('"', '""')}"`;
    })
    .join(',');
  return { text, breaks };
}

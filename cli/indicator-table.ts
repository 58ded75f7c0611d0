// A readable table of indicator values for a terminal: one row per indicator, one column per scope,
// with the indicators' names in a legend below so the table stays narrow.
import type { Snapshot } from '../engine/city-engine.js';
import type { ValueQuality } from '../indicators/quality.js';

const fmt = (v: number | null) => (v === null ? '—' : v.toFixed(1));
/** `good 100 %`, `degraded 66 %`, `unknown`: the flag and the share of devices heard, to the whole %. */
const quality = (q: ValueQuality | undefined) =>
  q === undefined ? '' : q.coverage === null ? q.flag : `${q.flag} ${Math.floor(q.coverage * 100)} %`;

export function indicatorTable(snapshot: Snapshot, names: ReadonlyMap<string, string>): string {
  const scopes = [...new Set(snapshot.indicators.map((i) => i.scope))];
  const ids = [...new Set(snapshot.indicators.map((i) => i.id))];
  const cell = new Map(snapshot.indicators.map((i) => [`${i.id}\u0000${i.scope}`, i]));
  const firstWindow = Object.keys(snapshot.indicators[0]?.means ?? {})[0];
  const withQuality = snapshot.indicators.some((i) => i.quality !== undefined);
  const header = [
    'indicator',
    ...scopes,
    ...(firstWindow ? [`city ${firstWindow} mean`] : []),
    ...(withQuality ? ['city quality'] : []),
  ];
  const rows = ids.map((id) => [
    id,
    ...scopes.map((s) => fmt(cell.get(`${id}\u0000${s}`)?.value ?? null)),
    ...(firstWindow ? [fmt(cell.get(`${id}\u0000city`)?.means[firstWindow] ?? null)] : []),
    ...(withQuality ? [quality(cell.get(`${id}\u0000city`)?.quality)] : []),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.map(line),
    '',
    'Values in % (the hundred-mark scale); — where a district has nothing to count.',
    ...(withQuality
      ? [
          'City quality: the share of its devices heard within their interval; degraded under 90 %',
          '(docs/indicators.md, "Data quality").',
        ]
      : []),
    ...ids.map((id) => `  ${id.padEnd(widths[0])}  ${names.get(id) ?? ''}`),
  ].join('\n');
}

// CSV text for the inventory files: RFC 4180 quoting, `\n` line ends, a header row (docs/contract.md §1).

type Cell = string | number | boolean;

const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;

/** Quote only where needed, as spreadsheet and GIS exports do. */
function cell(v: Cell): string {
  const s = String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? quote(s) : s;
}

export function csvText<T extends object>(
  columns: readonly (keyof T & string)[],
  rows: readonly T[],
): string {
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c] as Cell)).join(','));
  return `${lines.join('\n')}\n`;
}

/** Every cell quoted, the way GTFS feeds (VTA's among them) are usually published. */
export function gtfsText(columns: readonly string[], rows: readonly Record<string, string>[]): string {
  const lines = [columns.map(quote).join(',')];
  for (const r of rows) lines.push(columns.map((c) => quote(r[c] ?? '')).join(','));
  return `${lines.join('\n')}\n`;
}

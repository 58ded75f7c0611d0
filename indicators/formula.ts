// The pure arithmetic of docs/contract.md §4: every value on the hundred-mark scale, null for an empty denominator.

export function percent(numerator: number, denominator: number): number | null {
  return denominator > 0 ? (numerator * 100) / denominator : null;
}

/** `"90s"`, `"15m"`, `"1h"`, `"7d"` (and `"500ms"`) → milliseconds. */
export function windowMs(window: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(window);
  if (!m) throw new Error(`bad window '${window}': write a whole number with ms, s, m, h or d, e.g. "1h"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    m[2] as 'ms' | 's' | 'm' | 'h' | 'd'
  ];
  return Number(m[1]) * unit;
}

// Lifetimes people type: `90m`, `12h`, `30d`, `2w`, `1y` (365 days).
const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/** Milliseconds, or undefined when `text` is not a whole number of minutes, hours, days, weeks or years. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,6})([mhdwy])$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]];
}

export const DURATION_HINT = 'a whole number and a unit: 90m, 12h, 30d, 2w or 1y';

// How long a personal token lives, as people write it: `12h`, `30d`, `1y`. Pure; the command line and the
// API read `--expires` and `expires` with it.

const UNIT_MS = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
} as const;

/** Ten years: a longer token is a typo, or a password by another name. */
export const MAX_TOKEN_LIFETIME_MS = 10 * UNIT_MS.y;

const DURATION = /^([1-9]\d{0,5})([mhdwy])$/;

export type Duration = { ok: true; ms: number } | { ok: false; reason: string };

/** `30d` → 30 days in milliseconds; anything else is refused with what is accepted. */
export function parseDuration(text: string): Duration {
  const m = DURATION.exec(text.trim());
  const accepted = 'a whole number and a unit: m (minutes), h, d, w or y (365 days), like 12h, 30d or 1y';
  if (!m) return { ok: false, reason: `'${text}' is not a duration: use ${accepted}` };
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  if (ms > MAX_TOKEN_LIFETIME_MS)
    return { ok: false, reason: `'${text}' is longer than 10y, the longest a token lives` };
  return { ok: true, ms };
}

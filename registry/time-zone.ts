// The city's IANA time zone (city.json `timeZone`): report periods, service hours and every time shown to a
// person follow it; machine-readable instants stay ISO-8601 UTC. Pure, on the runtime's Intl (ICU) data.

/** What a city without a `timeZone` gets. */
export const DEFAULT_TIME_ZONE = 'UTC';

/** An example for error messages and the log. */
export const TIME_ZONE_EXAMPLE = 'Europe/Paris';

/**
 * The canonical IANA name of `name` (`us/pacific` → `America/Los_Angeles`), or undefined when the runtime
 * does not know it. Offsets such as `+02:00` are refused: they have no daylight-saving rules.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.trim() === '' || /^[+-]/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export const timeZoneProblem = (name: string) =>
  `unknown time zone ${JSON.stringify(name)}: use an IANA name such as "${TIME_ZONE_EXAMPLE}" or "America/Los_Angeles"`;

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClockFormat(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Milliseconds `zone` is ahead of UTC at the instant `t` (negative west of Greenwich). */
export function zoneOffsetMs(t: number, zone: string): number {
  const p: Record<string, number> = {};
  for (const part of wallClockFormat(zone).formatToParts(t))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - (t - (((t % 1000) + 1000) % 1000));
}

/**
 * The instant at which clocks in `zone` show the wall-clock time `wallMs` (that time written as if it were
 * UTC, e.g. `Date.UTC(2026, 0, 1)`). As Temporal's 'compatible' rule: a time skipped by a daylight-saving
 * jump moves forward by the jump (02:30 → 03:30); a time that happens twice is its first occurrence.
 */
export function wallClockToInstant(wallMs: number, zone: string): number {
  const first = wallMs - zoneOffsetMs(wallMs, zone);
  const second = wallMs - zoneOffsetMs(first, zone);
  if (first === second) return first;
  // Around a jump the two guesses differ: take the earlier one that shows the wall time, else the later.
  const [early, late] = first < second ? [first, second] : [second, first];
  return early + zoneOffsetMs(early, zone) === wallMs ? early : late;
}

const displayFormatters = new Map<string, Intl.DateTimeFormat>();

/** `2026-01-05 06:00 PST`: an instant as a person in `zone` reads it (24-hour clock, zone abbreviation). */
export function formatInZone(t: number, zone: string): string {
  let f = displayFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    });
    displayFormatters.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(t)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.timeZoneName}`;
}

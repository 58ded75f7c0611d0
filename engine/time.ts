// Receive times: RFC 3339 strings (docs/contract.md §5 replay lines and --at) or epoch milliseconds.

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

// Recordings repeat one shape (`2026-01-05T06:00:00.000Z`) millions of times, mostly within the same
// minute as the line before: keep that minute's prefix and value, and read only seconds and millis.
let minutePrefix = '';
let minuteMs = 0;

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const two = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);
const isDigit = (s: string, i: number) => s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

/** Epoch ms, or NaN when `t` is neither RFC 3339 nor a finite number. */
export function parseTime(t: unknown): number {
  if (typeof t === 'number') return Number.isFinite(t) ? t : Number.NaN;
  if (typeof t !== 'string') return Number.NaN;
  if (t.length === 24 && t.charCodeAt(23) === 90 /* Z */ && t.charCodeAt(19) === 46 /* . */) {
    if (!t.startsWith(minutePrefix) || minutePrefix === '') {
      if (!RFC3339.test(t)) return Number.NaN;
      const ms = Date.parse(`${t.slice(0, 16)}:00.000Z`);
      if (Number.isNaN(ms)) return Number.NaN;
      minutePrefix = t.slice(0, 17);
      minuteMs = ms;
    }
    if (!(isDigit(t, 17) && isDigit(t, 18) && isDigit(t, 20) && isDigit(t, 21) && isDigit(t, 22)))
      return Number.NaN;
    const s = two(t, 17);
    if (s > 60) return Number.NaN;
    return minuteMs + s * 1000 + digit(t, 20) * 100 + two(t, 21);
  }
  if (!RFC3339.test(t)) return Number.NaN;
  return Date.parse(t.toUpperCase().replace(' ', 'T'));
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

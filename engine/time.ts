// Receive times: RFC 3339 strings (CONTRACT §5 replay lines and --at) or epoch milliseconds.

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const FAST = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let cachedDay = '';
let cachedDayMs = 0;

/** Epoch ms, or NaN when `t` is neither RFC 3339 nor a finite number. */
export function parseTime(t: unknown): number {
  if (typeof t === 'number') return Number.isFinite(t) ? t : Number.NaN;
  if (typeof t !== 'string') return Number.NaN;
  // Recordings repeat one shape, millions of times: parse it by hand, the date part cached per day.
  if (t.length === 24 && FAST.test(t)) {
    const day = t.slice(0, 10);
    if (day !== cachedDay) {
      const ms = Date.parse(`${day}T00:00:00.000Z`);
      if (Number.isNaN(ms)) return Number.NaN;
      cachedDay = day;
      cachedDayMs = ms;
    }
    const h = +t.slice(11, 13);
    const m = +t.slice(14, 16);
    const s = +t.slice(17, 19);
    if (h > 23 || m > 59 || s > 60) return Number.NaN;
    return cachedDayMs + ((h * 60 + m) * 60 + s) * 1000 + +t.slice(20, 23);
  }
  if (!RFC3339.test(t)) return Number.NaN;
  return Date.parse(t.toUpperCase().replace(' ', 'T'));
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

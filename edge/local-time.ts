// The city's wall clock for simulated devices: the hour of day in the city's IANA time zone (city.json
// `timeZone`), never the machine's. edge/ shares no code with the server, so this repeats the little of
// registry/time-zone.ts it needs, on the runtime's Intl data.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Offsets change only at a quarter hour (UTC) in every zone there is: one lookup per quarter hour. */
const STEP_MS = 15 * 60_000;

export class CityClock {
  private readonly format: Intl.DateTimeFormat;
  private step = Number.NaN;
  private offsetMs = 0;

  /** @throws RangeError naming the zone when the runtime does not know it. */
  constructor(readonly timeZone = 'UTC') {
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      });
    } catch {
      throw new RangeError(
        `unknown time zone ${JSON.stringify(timeZone)}: use an IANA name such as "Europe/Paris"`,
      );
    }
  }

  /** Milliseconds the city is ahead of UTC at epoch ms `t`. */
  offsetAt(t: number): number {
    const step = Math.floor(t / STEP_MS);
    if (step !== this.step) {
      const at = step * STEP_MS;
      const p: Record<string, number> = {};
      for (const part of this.format.formatToParts(at))
        if (part.type !== 'literal') p[part.type] = Number(part.value);
      this.offsetMs = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - at;
      this.step = step;
    }
    return this.offsetMs;
  }

  /** Local hour of day in [0, 24) at epoch ms `t`. */
  hourOfDay(t: number): number {
    const local = t + this.offsetAt(t);
    return (((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  }

  /** Epoch ms of the latest local midnight at or before `t`. */
  dayStart(t: number): number {
    const local = t + this.offsetAt(t);
    const midnight = t - (((local % DAY_MS) + DAY_MS) % DAY_MS);
    // On a day whose offset changed since midnight, correct by the change.
    return midnight + (this.offsetAt(t) - this.offsetAt(midnight));
  }
}

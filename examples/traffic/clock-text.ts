// RFC 3339 receive times (`2026-01-05T06:00:00.123Z`) for every line. Date#toISOString per line is a
// large share of the recorder's time, so the text is cached per second and only the milliseconds change.

const MILLIS = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(3, '0')}Z`);

export class ClockText {
  private second = Number.NaN;
  private prefix = '';

  /** `ms` must be a whole number of epoch milliseconds. */
  format(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      this.prefix = new Date(second * 1000).toISOString().slice(0, 20);
    }
    return this.prefix + MILLIS[ms - second * 1000];
  }
}

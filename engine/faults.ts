// Faults contained: a throw while the live city handles one message or one tick (a bug in the engine or
// in a consumer) is counted by where it happened, logged with its stack at most once a minute per place
// (with how many were left out meanwhile), and the message or tick is skipped; the city goes on.

/** Where a fault happened: 'engine', or the consumer's name ('history', 'alerts', 'devices-down', …). */
export type FaultSite = string;

/**
 * One stack for `where` (with the topic of the message, if one was being handled); `suppressed` faults
 * there since the last stack logged were only counted.
 */
export type FaultLog = (where: FaultSite, err: unknown, suppressed: number, topic?: string) => void;

export interface FaultsOptions {
  log?: FaultLog;
  /** At most one stack per place per this many ms (default a minute). */
  everyMs?: number;
  now?: () => number;
}

export class Faults {
  private readonly counts = new Map<FaultSite, number>();
  private readonly lastLogged = new Map<FaultSite, number>();
  private readonly suppressed = new Map<FaultSite, number>();
  private readonly log: FaultLog;
  private readonly everyMs: number;
  private readonly now: () => number;

  constructor(opts: FaultsOptions = {}) {
    this.log = opts.log ?? (() => {});
    this.everyMs = opts.everyMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  report(where: FaultSite, err: unknown, topic?: string): void {
    this.counts.set(where, (this.counts.get(where) ?? 0) + 1);
    const t = this.now();
    const last = this.lastLogged.get(where);
    if (last !== undefined && t - last < this.everyMs) {
      this.suppressed.set(where, (this.suppressed.get(where) ?? 0) + 1);
      return;
    }
    this.lastLogged.set(where, t);
    const suppressed = this.suppressed.get(where) ?? 0;
    this.suppressed.delete(where);
    try {
      this.log(where, err, suppressed, topic);
    } catch {
      // A log that throws must not undo the containment.
    }
  }

  /** `fn`, with any throw reported as a fault at `where` instead of thrown. */
  guard<A extends unknown[]>(where: FaultSite, fn: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      try {
        fn(...args);
      } catch (err) {
        this.report(where, err);
      }
    };
  }

  /** Faults so far by place (for `/metrics`). */
  tally(): Record<FaultSite, number> {
    return Object.fromEntries(this.counts);
  }
}

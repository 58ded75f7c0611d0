// The per-client publish rate limit (issue 3): a token bucket, kept as GCRA's "theoretical arrival time"
// so it is one number per client and needs no timer. `perSecond` sustained, `burst` at once.
//
// QoS 0 over the limit is dropped (at most once allows it) and counted; a client that keeps offering at
// least twice its rate for `floodDisconnectAfterS` seconds in a row is disconnected. QoS 1 and 2 over the
// limit are paced instead: held until their slot comes, so the client's next reads wait and TCP pushes back.
// At least once stays at least once, and an edge outbox flushing after an outage loses nothing.

export interface PublishRateLimits {
  perSecond: number;
  burst: number;
  floodDisconnectAfterS: number;
}

export type RateVerdict = 'pass' | 'drop' | 'disconnect';

export class PublishRate {
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  /** When the next message would conform if the client sent exactly at the rate. */
  private tat: number;
  private windowStart: number;
  private dropsInWindow = 0;
  /** Consecutive seconds in which the client offered at least twice its rate. */
  private floodSeconds = 0;

  constructor(
    private readonly limits: PublishRateLimits,
    now: number,
  ) {
    this.intervalMs = 1000 / limits.perSecond;
    this.toleranceMs = (Math.max(1, limits.burst) - 1) * this.intervalMs;
    this.tat = now;
    this.windowStart = now;
  }

  /** A QoS 0 publish: pass it, drop it, or (far over for long) disconnect the client. */
  admit(now: number): RateVerdict {
    this.roll(now);
    const tat = Math.max(this.tat, now);
    if (tat - now <= this.toleranceMs) {
      this.tat = tat + this.intervalMs;
      return 'pass';
    }
    this.dropsInWindow++;
    return this.floodSeconds >= this.limits.floodDisconnectAfterS ? 'disconnect' : 'drop';
  }

  /** A QoS 1/2 publish: reserve its slot and return how many ms to hold it (0 = at once). */
  reserve(now: number): number {
    const tat = Math.max(this.tat, now);
    this.tat = tat + this.intervalMs;
    return Math.max(0, tat - this.toleranceMs - now);
  }

  private roll(now: number): void {
    const elapsed = now - this.windowStart;
    if (elapsed < 1000) return;
    // Dropped at least `perSecond` in the second just ended: it offered at least twice its rate.
    // A longer gap means it paused, so the streak is broken.
    const farOver = elapsed < 2000 && this.dropsInWindow >= this.limits.perSecond;
    this.floodSeconds = farOver ? this.floodSeconds + 1 : 0;
    this.windowStart = now;
    this.dropsInWindow = 0;
  }
}

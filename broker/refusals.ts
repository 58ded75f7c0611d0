// Every refusal at the broker is counted by reason (for /metrics) and logged with the client id and
// address. Logging is aggregated per client and reason to one line a second, so a flooding or misconfigured
// client cannot turn the log into a second flood; the counters stay exact.
import type { Logger } from 'pino';

export const REFUSAL_REASONS = [
  'bad-credentials',
  'unknown-user',
  'rate-limited-login',
  'bad-client-id',
  'publish-denied',
  'subscribe-denied',
  'too-large',
  'rate-limited-publish',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface RefusalContext {
  clientId?: string;
  address: string;
  username?: string;
  topic?: string;
  /** What happened to the client, when more than the refusal itself (e.g. `disconnected`). */
  action?: string;
}

const LOG_EVERY_MS = 1000;

export class Refusals {
  readonly counts: Record<RefusalReason, number> = Object.fromEntries(
    REFUSAL_REASONS.map((r) => [r, 0]),
  ) as Record<RefusalReason, number>;
  /** Per client and reason: until when further refusals are only tallied, and how many were. */
  private readonly quiet = new Map<string, { until: number; suppressed: number; ctx: RefusalContext }>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly log: Logger) {
    this.timer = setInterval(() => this.flush(Date.now()), LOG_EVERY_MS);
    this.timer.unref();
  }

  record(reason: RefusalReason, ctx: RefusalContext, now = Date.now()): void {
    this.counts[reason]++;
    const key = `${reason}\u0000${ctx.clientId ?? ''}\u0000${ctx.address}`;
    const entry = this.quiet.get(key);
    if (entry && now < entry.until) {
      entry.suppressed++;
      entry.ctx = ctx;
      return;
    }
    this.log.warn({ event: 'refused', reason, ...ctx }, `refused: ${reason}`);
    this.quiet.set(key, { until: now + LOG_EVERY_MS, suppressed: 0, ctx });
  }

  /** Report what was tallied silently, and forget clients that went quiet. */
  flush(now: number): void {
    for (const [key, entry] of this.quiet) {
      if (now < entry.until) continue;
      if (entry.suppressed > 0) {
        const reason = key.slice(0, key.indexOf('\u0000'));
        this.log.warn(
          { event: 'refused', reason, ...entry.ctx, repeated: entry.suppressed },
          `refused: ${reason} (${entry.suppressed} more in the last second)`,
        );
      }
      this.quiet.delete(key);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush(Number.POSITIVE_INFINITY);
  }
}

// CONTRACT §3: a message whose device, channel and seq repeat one accepted in the previous 10 minutes is a
// QoS 1 redelivery. One map of recent (device, channel, seq) plus a time-ordered queue to forget them:
// amortised O(1) per message, memory bounded by 10 minutes of traffic.

export const DUPLICATE_WINDOW_MS = 10 * 60_000;

export class DuplicateFilter {
  private readonly acceptedAt = new Map<string, number>();
  private queueKeys: string[] = [];
  private queueTimes: number[] = [];
  private queueHead = 0;

  constructor(private readonly windowMs = DUPLICATE_WINDOW_MS) {}

  static key(device: number, channel: number, seq: number): string {
    return `${device}/${channel}/${seq}`;
  }

  /** True when `key` was accepted at most windowMs before `now` (inclusive: exactly 10 minutes is a repeat). */
  isDuplicate(key: string, now: number): boolean {
    this.forgetBefore(now - this.windowMs);
    return this.acceptedAt.has(key);
  }

  remember(key: string, now: number): void {
    this.acceptedAt.set(key, now);
    this.queueKeys.push(key);
    this.queueTimes.push(now);
  }

  get size(): number {
    return this.acceptedAt.size;
  }

  private forgetBefore(cutoff: number): void {
    let h = this.queueHead;
    const keys = this.queueKeys;
    const times = this.queueTimes;
    while (h < times.length && times[h] < cutoff) {
      // A key accepted again later (after its window) has a newer time: keep that one.
      if (this.acceptedAt.get(keys[h]) === times[h]) this.acceptedAt.delete(keys[h]);
      h++;
    }
    this.queueHead = h;
    if (h > 4096 && h * 2 > times.length) {
      this.queueKeys = keys.slice(h);
      this.queueTimes = times.slice(h);
      this.queueHead = 0;
    }
  }
}

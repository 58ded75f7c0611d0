// Failed logins are rate limited per client address and per username (issue 3): after `limit` failures
// within a minute, further attempts from that address or for that username are refused unchecked until
// the minute is over. The broker keys by both; the HTTP API's bearer tokens and the editor's login
// (http/attempt-limit.ts) by address only, so a stranger cannot lock the admin's name out. Only failures count, so a reconnect storm of correctly configured devices is never
// slowed. The windows are fixed minutes per key: simple, and at most 2 × limit failures slip through per
// key at a window boundary.

const WINDOW_MS = 60_000;

interface Window {
  startedAt: number;
  failures: number;
}

export class LoginThrottle {
  private readonly byAddress = new Map<string, Window>();
  private readonly byUsername = new Map<string, Window>();

  constructor(private readonly limit: number) {}

  /** True when this address or username has used up its failures for the current minute. */
  isBlocked(address: string, username: string | undefined, now: number): boolean {
    if (this.limit <= 0) return false;
    return (
      this.failures(this.byAddress, address, now) >= this.limit ||
      (username !== undefined &&
        username !== '' &&
        this.failures(this.byUsername, username, now) >= this.limit)
    );
  }

  /** Milliseconds until this address (and username) may try again; 0 when it may now. */
  retryAfterMs(address: string, username: string | undefined, now: number): number {
    if (!this.isBlocked(address, username, now)) return 0;
    const ends = [this.byAddress.get(address), username ? this.byUsername.get(username) : undefined]
      .filter((w): w is Window => !!w && now - w.startedAt < WINDOW_MS && w.failures >= this.limit)
      .map((w) => w.startedAt + WINDOW_MS - now);
    return Math.max(1, ...ends);
  }

  recordFailure(address: string, username: string | undefined, now: number): void {
    bump(this.byAddress, address, now);
    if (username) bump(this.byUsername, username, now);
  }

  /** Drop windows that are over: called periodically, so a spray of random usernames cannot grow the maps. */
  prune(now: number): void {
    for (const map of [this.byAddress, this.byUsername]) {
      for (const [key, w] of map) if (now - w.startedAt >= WINDOW_MS) map.delete(key);
    }
  }

  private failures(map: Map<string, Window>, key: string, now: number): number {
    const w = map.get(key);
    return w && now - w.startedAt < WINDOW_MS ? w.failures : 0;
  }
}

function bump(map: Map<string, Window>, key: string, now: number): void {
  const w = map.get(key);
  if (w && now - w.startedAt < WINDOW_MS) w.failures++;
  else map.set(key, { startedAt: now, failures: 1 });
}

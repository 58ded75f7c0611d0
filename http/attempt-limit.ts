// Attempt limits per client address for the admin token over HTTP (issue 10): the API's bearer tokens and
// the flows editor's login share one limit per process, the broker's LoginThrottle keyed by address only.
// After LIMIT wrong tokens from one address within a minute, that address gets 429 with Retry-After until
// the minute is over; every other address, the admin's included, is served as before. A missing token is
// not a guess and does not count.
import { LoginThrottle } from '../broker/login-throttle.js';
import type { CredentialStore } from '../registry/credentials.js';
import { HttpError } from './errors.js';

/** Wrong admin tokens per client address per minute. */
export const AUTH_FAILURES_PER_MINUTE = 10;
const PRUNE_EVERY_MS = 60_000;

export class AttemptLimit {
  private readonly throttle: LoginThrottle;
  private prunedAt = 0;

  constructor(
    limit = AUTH_FAILURES_PER_MINUTE,
    private readonly now: () => number = Date.now,
  ) {
    this.throttle = new LoginThrottle(limit);
  }

  /** Whole seconds until `address` may try again (for Retry-After); 0 when it may now. */
  retryAfterS(address: string | undefined): number {
    const ms = this.throttle.retryAfterMs(address ?? '', undefined, this.now());
    return ms === 0 ? 0 : Math.ceil(ms / 1000);
  }

  failed(address: string | undefined): void {
    const now = this.now();
    this.throttle.recordFailure(address ?? '', undefined, now);
    // Pruned as failures come, no timer: a spray from many addresses cannot grow the map past a minute's.
    if (now - this.prunedAt >= PRUNE_EVERY_MS) {
      this.throttle.prune(now);
      this.prunedAt = now;
    }
  }
}

export function tooManyAttempts(retryAfterS: number): HttpError {
  return new HttpError(
    'too-many-requests',
    `too many wrong tokens from this address: try again in ${retryAfterS} s`,
  );
}

// One limit per credential store, that is per city process: the API plugins and the editor's login reach
// it through the store they already hold.
const limits = new WeakMap<CredentialStore, AttemptLimit>();

export function attemptLimitOf(credentials: CredentialStore): AttemptLimit {
  let limit = limits.get(credentials);
  if (!limit) {
    limit = new AttemptLimit();
    limits.set(credentials, limit);
  }
  return limit;
}

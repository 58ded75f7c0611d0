// Wrong tokens limited per client address (http/attempt-limit.ts) as a pure rule over an explicit clock.
import { describe, expect, it } from 'vitest';
import { AttemptLimit } from '../../http/attempt-limit.js';

describe('AttemptLimit', () => {
  it('blocks an address after its failures for the rest of its minute, and only that address', () => {
    let now = 1_000_000;
    const limit = new AttemptLimit(3, () => now);
    for (let i = 0; i < 2; i++) limit.failed('10.0.0.1');
    expect(limit.retryAfterS('10.0.0.1')).toBe(0);
    now += 15_000;
    limit.failed('10.0.0.1');
    // The window opened at the first failure: 45 s of it are left.
    expect(limit.retryAfterS('10.0.0.1')).toBe(45);
    expect(limit.retryAfterS('10.0.0.2')).toBe(0);
    now += 44_500;
    expect(limit.retryAfterS('10.0.0.1')).toBe(1);
    now += 500;
    expect(limit.retryAfterS('10.0.0.1')).toBe(0);
  });
});

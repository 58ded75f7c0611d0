// The broker's limits as pure rules over an explicit clock: publish rate (GCRA) and failed-login throttle.
import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../broker/login-throttle.js';
import { PublishRate } from '../../broker/publish-rate.js';

const T0 = 1_000_000;

describe('PublishRate', () => {
  it('passes a burst at once, then one message per interval', () => {
    const rate = new PublishRate({ perSecond: 10, burst: 3, floodDisconnectAfterS: 5 }, T0);
    expect([rate.admit(T0), rate.admit(T0), rate.admit(T0), rate.admit(T0)]).toEqual([
      'pass',
      'pass',
      'pass',
      'drop',
    ]);
    expect(rate.admit(T0 + 99)).toBe('drop');
    expect(rate.admit(T0 + 100)).toBe('pass');
    expect(rate.admit(T0 + 100)).toBe('drop');
  });

  it('refills to the burst, never beyond, after a pause', () => {
    const rate = new PublishRate({ perSecond: 10, burst: 3, floodDisconnectAfterS: 5 }, T0);
    const t = T0 + 60_000;
    expect([1, 2, 3, 4].map(() => rate.admit(t))).toEqual(['pass', 'pass', 'pass', 'drop']);
  });

  it('disconnects a client offering twice its rate for floodDisconnectAfterS seconds in a row', () => {
    const rate = new PublishRate({ perSecond: 10, burst: 1, floodDisconnectAfterS: 3 }, T0);
    let verdict = '';
    let at = T0;
    // 40 messages a second: 10 pass, 30 dropped per second
    for (; at < T0 + 10_000 && verdict !== 'disconnect'; at += 25) verdict = rate.admit(at);
    expect(verdict).toBe('disconnect');
    expect(at - T0).toBeGreaterThanOrEqual(3000);
    expect(at - T0).toBeLessThan(4100);
  });

  it('does not disconnect a client only a little over its rate', () => {
    const rate = new PublishRate({ perSecond: 10, burst: 1, floodDisconnectAfterS: 3 }, T0);
    const verdicts = new Set<string>();
    for (let at = T0; at < T0 + 20_000; at += 80) verdicts.add(rate.admit(at)); // 12.5 a second
    expect(verdicts).toEqual(new Set(['pass', 'drop']));
  });

  it('paces QoS 1 reservations one interval apart after the burst', () => {
    const rate = new PublishRate({ perSecond: 10, burst: 2, floodDisconnectAfterS: 5 }, T0);
    expect([1, 2, 3, 4, 5].map(() => rate.reserve(T0))).toEqual([0, 0, 100, 200, 300]);
    expect(rate.admit(T0)).toBe('drop'); // QoS 0 does not jump the queue
  });
});

describe('LoginThrottle', () => {
  it('blocks an address after N failures for the rest of the minute', () => {
    const throttle = new LoginThrottle(2);
    throttle.recordFailure('10.0.0.1', 'a', T0);
    expect(throttle.isBlocked('10.0.0.1', 'b', T0)).toBe(false);
    throttle.recordFailure('10.0.0.1', 'b', T0 + 1000);
    expect(throttle.isBlocked('10.0.0.1', 'c', T0 + 1000)).toBe(true);
    expect(throttle.isBlocked('10.0.0.2', 'c', T0 + 1000)).toBe(false);
    expect(throttle.isBlocked('10.0.0.1', 'c', T0 + 60_000)).toBe(false);
  });

  it('blocks a username after N failures from anywhere', () => {
    const throttle = new LoginThrottle(2);
    throttle.recordFailure('10.0.0.1', 'pm-1', T0);
    throttle.recordFailure('10.0.0.2', 'pm-1', T0);
    expect(throttle.isBlocked('10.0.0.3', 'pm-1', T0)).toBe(true);
    expect(throttle.isBlocked('10.0.0.3', 'pm-2', T0)).toBe(false);
  });

  it('forgets finished windows when pruned', () => {
    const throttle = new LoginThrottle(1);
    for (let i = 0; i < 1000; i++) throttle.recordFailure('10.0.0.1', `user-${i}`, T0);
    throttle.prune(T0 + 60_000);
    expect(throttle.isBlocked('10.0.0.1', 'user-1', T0 + 60_000)).toBe(false);
  });
});

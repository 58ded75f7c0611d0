import { describe, expect, it } from 'vitest';
import { percent, windowMs } from '../../indicators/formula.js';

describe('formula', () => {
  it('gives null, not 0, for an empty denominator', () => {
    expect(percent(0, 0)).toBeNull();
    expect(percent(3, 4)).toBe(75);
  });

  it('reads window lengths', () => {
    expect(windowMs('1h')).toBe(3_600_000);
    expect(windowMs('24h')).toBe(86_400_000);
    expect(windowMs('15m')).toBe(900_000);
    expect(windowMs('7d')).toBe(604_800_000);
    expect(() => windowMs('1 hour')).toThrow(/whole number with ms, s, m, h or d/);
  });
});

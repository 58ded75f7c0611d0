import { describe, expect, it } from 'vitest';
import type { IndicatorValue, Snapshot } from '../../engine/city-engine.js';
import { IndicatorPublisher, indicatorTopic } from '../../engine/indicator-publisher.js';
import { zeroCounts } from '../../engine/rejections.js';

const value = (v: Partial<IndicatorValue>): IndicatorValue => ({
  id: 'availability.cctv',
  scope: 'city',
  value: 90,
  numerator: 9,
  denominator: 10,
  means: { '1h': 90 },
  ...v,
});
const snap = (at: number, ...indicators: IndicatorValue[]): Snapshot => ({
  at,
  indicators,
  rejected: zeroCounts(),
  accepted: 0,
});

describe('IndicatorPublisher', () => {
  it('publishes each indicator and scope once, then only what changed', () => {
    const sent: [string, Record<string, unknown>][] = [];
    const p = new IndicatorPublisher(
      new Map([['availability.cctv', { name: 'Cameras online', unit: '%' }]]),
      (t, payload) => sent.push([t, JSON.parse(payload)]),
    );
    expect(p.onSnapshot(snap(1000, value({}), value({ scope: 'harbor' })))).toBe(2);
    expect(sent[0]).toEqual([
      'city/indicators/availability.cctv',
      {
        id: 'availability.cctv',
        name: 'Cameras online',
        scope: 'city',
        value: 90,
        numerator: 9,
        denominator: 10,
        unit: '%',
        ts: '1970-01-01T00:00:01.000Z',
        means: { '1h': 90 },
      },
    ]);
    expect(sent[1][0]).toBe('city/indicators/availability.cctv/harbor');
    // unchanged, or a mean drifting by less than 0.01: nothing
    expect(p.onSnapshot(snap(2000, value({ means: { '1h': 90.005 } }), value({ scope: 'harbor' })))).toBe(0);
    // a changed value, a mean moved by 0.01 or more: published
    expect(
      p.onSnapshot(
        snap(3000, value({ value: 80, numerator: 8 }), value({ scope: 'harbor', means: { '1h': 89.98 } })),
      ),
    ).toBe(2);
    expect(p.published).toBe(4);
  });

  it('carries the quality and publishes again when its flag or coverage moves, not when only staleness grows', () => {
    const sent: Record<string, unknown>[] = [];
    const p = new IndicatorPublisher(new Map(), (_t, payload) => sent.push(JSON.parse(payload)));
    const q = (heard: number, stalenessMs: number) => ({
      flag: heard >= 180 ? ('good' as const) : ('degraded' as const),
      coverage: heard / 200,
      stalenessMs,
      heard,
      expected: 200,
      ...(heard >= 180 ? {} : { reason: `${heard} of 200 devices heard within their interval` }),
    });
    p.onSnapshot(snap(1000, value({ quality: q(200, 1_000) })));
    expect(sent[0].quality).toEqual({
      flag: 'good',
      coverage: 1,
      stalenessMs: 1_000,
      heard: 200,
      expected: 200,
    });
    // staleness grows, coverage moves by less than 0.01: nothing
    expect(p.onSnapshot(snap(2000, value({ quality: q(199, 2_000) })))).toBe(0);
    // coverage down by 0.01: published
    expect(p.onSnapshot(snap(3000, value({ quality: q(198, 3_000) })))).toBe(1);
    // the flag turns degraded: published, with why
    expect(p.onSnapshot(snap(4000, value({ quality: q(179, 4_000) })))).toBe(1);
    expect(sent[2].quality).toMatchObject({
      flag: 'degraded',
      reason: '179 of 200 devices heard within their interval',
    });
  });

  it('names topics as docs/contract.md §2 does', () => {
    expect(indicatorTopic('L2.1.1', 'city')).toBe('city/indicators/L2.1.1');
    expect(indicatorTopic('L2.1.1', 'old-town')).toBe('city/indicators/L2.1.1/old-town');
  });
});

// Error-budget objectives in city.json (issue 14 item 5): defaults, and a target that leaves no budget refused
// with the path and reason.
import { describe, expect, it } from 'vitest';
import { parseCityJson } from '../../registry/city-file.js';

describe('city.json objectives', () => {
  it('reads objectives with scope city and window 30d by default, and leaves them out when there are none', () => {
    const r = parseCityJson(
      JSON.stringify({ objectives: [{ indicator: 'availability.cctv', target: 99.5 }] }),
    );
    expect(r).toMatchObject({
      city: { objectives: [{ indicator: 'availability.cctv', scope: 'city', target: 99.5, window: '30d' }] },
    });
    const none = parseCityJson('{}');
    expect('city' in none && none.city.objectives).toBeUndefined();
  });

  it('refuses a target of 100, a bad window and an unknown key, naming each', () => {
    const r = parseCityJson(
      JSON.stringify({
        objectives: [
          { indicator: 'availability.cctv', target: 100 },
          { indicator: 'availability.sensor', target: 99, window: '30 days' },
          { indicator: 'availability.sensor', target: 99, budget: 1 },
        ],
      }),
    );
    expect('error' in r && r.error).toMatch(/objectives\.0\.target: must be below 100/);
    expect('error' in r && r.error).toMatch(/objectives\.1\.window: must be a whole number/);
    expect('error' in r && r.error).toMatch(/objectives\.2.*budget/);
  });

  it('refuses a window of nothing (its coverage would be 0 ÷ 0) or past a year, naming the range', () => {
    for (const window of ['0s', '59m', '367d']) {
      const r = parseCityJson(
        JSON.stringify({ objectives: [{ indicator: 'availability.cctv', target: 99, window }] }),
      );
      expect('error' in r && r.error, window).toMatch(/objectives\.0\.window: must be from 1h to 366d/);
    }
    for (const window of ['1h', '366d'])
      expect(
        parseCityJson(
          JSON.stringify({ objectives: [{ indicator: 'availability.cctv', target: 99, window }] }),
        ),
      ).toMatchObject({ city: { objectives: [{ window }] } });
  });
});

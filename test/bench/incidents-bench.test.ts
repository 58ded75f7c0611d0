// bench:incidents on small districts: a power cut through the real grouper is one district incident (the
// four devices before the threshold merged into it), and all of it resolves once the devices are back.
import { describe, expect, it } from 'vitest';
import { powerCut, runIncidentsBench } from '../../bench/incidents/run.js';

describe('bench:incidents', () => {
  it('groups a district power cut into one incident that resolves, in the small, large and metro districts', () => {
    const r = runIncidentsBench(200, 2_000, 1);
    for (const run of [r.small, r.large, r.metro.run]) {
      expect(run.transitions).toBe(2 * run.devices);
      // Four device incidents raised before the fifth device made it a district's, merged into it.
      expect(run.incidents).toBe(5);
      expect(run.openAfter).toBe(0);
    }
    expect(r.large.devices).toBe(2_000);
    expect(r.metro.devices).toBeGreaterThan(500);
  });

  it('leaves no incident open once every device is back and the hold has passed', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `d-${i}`);
    const run = powerCut(new Map([['east', ids]]), ids);
    expect(run.incidents).toBe(5);
    expect(run.openAfter).toBe(0);
  });
});

// city.json `incidents` (docs/incidents.md): the grouping constants a city may change, checked once at the
// edge, every key defaulted, and taken by the grouper in its own units.
import { describe, expect, it } from 'vitest';
import { IncidentGrouper } from '../../engine/incidents/grouper.js';
import { incidentRule } from '../../engine/incidents/incident-service.js';
import { parseCityJson } from '../../registry/city-file.js';

const parsed = (text: string) => {
  const r = parseCityJson(text);
  if ('error' in r) throw new Error(r.error);
  return r.city;
};

describe('city.json incidents', () => {
  it('defaults every key it leaves out, and is absent when the file says nothing', () => {
    expect(parsed('{"incidents": {"holdS": 60}}').incidents).toEqual({
      districtWindowS: 60,
      districtMinDevices: 5,
      districtMinShare: 50,
      holdS: 60,
    });
    expect(parsed('{}').incidents).toBeUndefined();
  });

  it('refuses a typo or a value out of range, naming the key', () => {
    expect(parseCityJson('{"incidents": {"hold": 60}}')).toMatchObject({
      error: expect.stringContaining('incidents'),
    });
    expect(parseCityJson('{"incidents": {"holdS": -1}}')).toMatchObject({
      error: expect.stringContaining('incidents.holdS'),
    });
    expect(parseCityJson('{"incidents": {"districtMinDevices": 1}}')).toMatchObject({
      error: expect.stringContaining('incidents.districtMinDevices'),
    });
  });

  it('gives the grouper milliseconds and a fraction, and the defaults when absent', () => {
    const rule = incidentRule(parsed('{"incidents": {"holdS": 60, "districtMinShare": 25}}').incidents);
    expect(rule).toEqual({
      districtWindowMs: 60_000,
      districtMinDevices: 5,
      districtMinShare: 0.25,
      holdMs: 60_000,
    });
    expect(incidentRule(undefined).holdMs).toBe(300_000);
    // A hold of 60 s: down at 0, back at 10 s, resolved at exactly 70 s.
    const g = new IncidentGrouper(
      { gatewayOf: () => undefined, isGateway: () => false, districtOf: () => null, districtSize: () => 0 },
      rule,
    );
    g.onDown('s-1', 0);
    g.onUp('s-1', 10_000);
    g.advance(100_000);
    expect(g.takeEvents().at(-1)).toMatchObject({ type: 'resolved', at: 70_000 });
  });
});

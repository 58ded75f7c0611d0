// Why an indicator reads 0, in words (engine/why.ts).
import { describe, expect, it } from 'vitest';
import { whyZero } from '../../engine/why.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';

const defs = buildCatalogue(LIVE_CATALOGUE);
const def = (id: string) => defs.find((d) => d.id === id)!;
const LA = { timeZone: 'America/Los_Angeles' };

describe('why an indicator reads 0', () => {
  it('counts the routes with a bus in service, with the forecast window when nothing is simulated', () => {
    expect(whyZero(def('L1.2.2'), { value: 0, numerator: 0, denominator: 60 }, LA)).toBe(
      '0 of 60 routes have a bus in service (no arrival forecast in the last 5 min)',
    );
    expect(
      whyZero(
        def('L1.2.2'),
        { value: 0, numerator: 0, denominator: 60 },
        { ...LA, simulatedBusHours: '05:00–24:00' },
      ),
    ).toBe('0 of 60 routes have a bus in service (service hours 05:00–24:00 America/Los_Angeles)');
  });

  it("names each GTFS-Realtime feed's last poll when the city counts on feeds", () => {
    expect(
      whyZero(
        def('L1.2.2'),
        { value: 0, numerator: 0, denominator: 60 },
        {
          ...LA,
          gtfsRt: [
            { url: 'https://agency.example/trips.pb', lastOutcome: 'http-error' },
            { url: 'https://agency.example/vehicles.pb', lastOutcome: null },
          ],
        },
      ),
    ).toBe(
      '0 of 60 routes have a bus in service (no arrival forecast in the last 5 min; ' +
        'GTFS-Realtime https://agency.example/trips.pb: last poll http-error; ' +
        'GTFS-Realtime https://agency.example/vehicles.pb: not polled yet)',
    );
  });

  it('says nothing above 0, and names an empty inventory', () => {
    expect(whyZero(def('L1.2.2'), { value: 12.5, numerator: 1, denominator: 8 }, LA)).toBeUndefined();
    expect(whyZero(def('L1.2.2'), { value: null, numerator: 0, denominator: 0 }, LA)).toBe(
      'no routes in the inventory',
    );
    expect(whyZero(def('L2.2.1.b4'), { value: 0, numerator: 0, denominator: 40 }, LA)).toBe(
      '0 of 40 cctv devices are available',
    );
    expect(whyZero(def('L2.1.1'), { value: 0, numerator: 0, denominator: 5200 }, LA)).toBe(
      'no pipe-segment covered by an online pipe-monitor',
    );
    expect(whyZero(def('L2.2.1.b1'), { value: 0, numerator: 0, denominator: 3 }, LA)).toBe(
      '0 of 3 areas covered by a registered cctv',
    );
  });
});

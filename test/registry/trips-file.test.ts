// The static GTFS trips.txt beside routes.txt (registry/trips-file.ts): trip_id → route_id, each row through
// its schema, every bad row an error naming its line.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTripRoutes } from '../../registry/trips-file.js';
import { inventoryDir } from '../support/tmp.js';

const trips = (text: string) => join(inventoryDir({ 'trips.txt': text }), 'trips.txt');

describe('trips.txt', () => {
  it('maps each trip to its route, quoted or not, extra GTFS columns allowed', async () => {
    const { routes, errors } = await loadTripRoutes(
      trips(
        '"route_id","service_id","trip_id","trip_headsign"\n"10","Weekdays","2073836","AIRPORT "\n23,Weekdays,2074001,\n',
      ),
    );
    expect(errors).toEqual([]);
    expect([...routes]).toEqual([
      ['2073836', '10'],
      ['2074001', '23'],
    ]);
  });

  it('names the line and the column of every bad row, and keeps the first of a repeated trip', async () => {
    const { routes, errors } = await loadTripRoutes(
      trips(
        ['route_id,trip_id', '10,t1', ',t2', '10,', `10,${'x'.repeat(200)}`, '23,t1', '10,t3,extra'].join(
          '\n',
        ),
      ),
    );
    expect(routes.get('t1')).toBe('10');
    expect(errors.map((e) => `${e.file}:${e.line}: ${e.reason}`)).toEqual([
      'trips.txt:3: route_id: is required',
      'trips.txt:4: trip_id: is required',
      expect.stringMatching(/^trips\.txt:5: trip_id: .*128/),
      "trips.txt:6: trip_id 't1' repeats line 2",
      'trips.txt:7: has 3 fields, the header has 2',
    ]);
  });

  it('refuses a file without the two columns, and reads a folder without trips.txt as none', async () => {
    const { errors } = await loadTripRoutes(trips('route_id,service_id\n10,Weekdays\n'));
    expect(errors).toEqual([
      { file: 'trips.txt', line: 1, reason: 'header lacks column(s) trip_id: a GTFS trips.txt has both' },
    ]);
    const none = await loadTripRoutes(join(inventoryDir({}), 'trips.txt'));
    expect(none).toEqual({ routes: new Map(), errors: [] });
  });
});

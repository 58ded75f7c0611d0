// Transit for a city without a real feed: GTFS-shaped stops along each district's streets and routes
// joining districts, so the recorder's buses have stops to forecast and L1.2.2 has routes to count.
import type { Prng } from '../prng.js';
import { type District, pointIn } from './districts.js';
import type { GtfsTable } from './gtfs.js';
import type { CityShape } from './shape.js';

const STREETS = ['Colfax', 'Broadway', 'Federal', 'Alameda', 'Evans', 'Hampden', 'Quebec', 'Sheridan'];
const CROSS = ['Ave', 'St', 'Blvd', 'Pkwy', 'Way'];
const STOP_COLUMNS = ['stop_id', 'stop_code', 'stop_name', 'stop_desc', 'stop_lat', 'stop_lon', 'zone_id'];
const ROUTE_COLUMNS = [
  'route_id',
  'agency_id',
  'route_short_name',
  'route_long_name',
  'route_type',
  'district',
];

/** 1st, 2nd, 3rd, 4th, 11th, 12th, 21st ... */
function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  return `${n}${teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;
}

/** Stops spread over the districts by their public weight, in id order. */
export function syntheticStops(rng: Prng, shape: CityShape): GtfsTable {
  const weights = shape.districts.map((d) => d.weights.public);
  const sum = weights.reduce((a, b) => a + b, 0);
  const district = (): District => {
    let r = rng.next() * sum;
    for (let k = 0; k < weights.length - 1; k++) {
      r -= weights[k];
      if (r < 0) return shape.districts[k];
    }
    return shape.districts[weights.length - 1];
  };
  const rows = Array.from({ length: shape.transit.stops }, (_, i) => {
    const at = pointIn(district(), 1.8, () => rng.normal(), shape.centre);
    const id = String(10_001 + i);
    return {
      stop_id: id,
      stop_code: `6${id}`,
      stop_name: `${rng.pick(STREETS)} & ${ordinal(1 + rng.int(120))} ${rng.pick(CROSS)}`,
      stop_desc: '',
      stop_lat: String(at.lat),
      stop_lon: String(at.lon),
      zone_id: String(1 + (i % 4)),
    };
  });
  return { header: STOP_COLUMNS, rows };
}

/** Routes from one district to another (a few circulators stay in theirs), placed in the first. */
export function syntheticRoutes(rng: Prng, shape: CityShape): GtfsTable {
  const rows = Array.from({ length: shape.transit.routes }, (_, i) => {
    const from = rng.pick(shape.districts);
    const to = rng.pick(shape.districts);
    const name = from === to ? `${from.title.toUpperCase()} CIRCULATOR` : `${from.title} - ${to.title}`;
    return {
      route_id: String(200 + i),
      agency_id: 'FRM',
      route_short_name: from === to ? `C${i + 1}` : String(200 + i),
      route_long_name: name.toUpperCase(),
      route_type: '3',
      district: from.id,
    };
  });
  return { header: ROUTE_COLUMNS, rows };
}

// The districts of the generated cities: where they lie and what is typically found in each. The sample
// city's centre is downtown San José, so the real VTA stops and routes the buses use fall inside the city.

export const CITY_CENTRE = { lat: 37.3382, lon: -121.8863 };

export interface District {
  id: string;
  title: string;
  /** Offset of the district's centre from the city centre, in km (east, north). */
  offsetKm: [number, number];
  /** Relative weight of key public areas, key industry areas, pipes and sites in this district. */
  weights: { public: number; industry: number; pipes: number; sites: number };
}

export const SAMPLE_DISTRICTS: readonly District[] = [
  {
    id: 'old-town',
    title: 'Old Town',
    offsetKm: [0, 0],
    weights: { public: 16, industry: 1, pipes: 14, sites: 12 },
  },
  {
    id: 'harbor',
    title: 'Harbor',
    offsetKm: [-4.5, 3],
    weights: { public: 9, industry: 8, pipes: 15, sites: 24 },
  },
  {
    id: 'northgate',
    title: 'Northgate',
    offsetKm: [1, 5],
    weights: { public: 9, industry: 4, pipes: 17, sites: 18 },
  },
  {
    id: 'riverside',
    title: 'Riverside',
    offsetKm: [-3, -3],
    weights: { public: 10, industry: 2, pipes: 18, sites: 16 },
  },
  {
    id: 'university',
    title: 'University',
    offsetKm: [3, -2.5],
    weights: { public: 11, industry: 1, pipes: 14, sites: 20 },
  },
  {
    id: 'eastfield',
    title: 'Eastfield',
    offsetKm: [5.5, 2],
    weights: { public: 5, industry: 8, pipes: 22, sites: 30 },
  },
];

/** The metro's twelve districts, spread over some 30 km: a dense core, industry to the north and east. */
export const METRO_DISTRICTS: readonly District[] = [
  d('union-core', 'Union Core', [0, 0], [20, 1, 10, 10]),
  d('capitol-hill', 'Capitol Hill', [2.5, -1.5], [14, 1, 12, 9]),
  d('stockyards', 'Stockyards', [-2, 6], [4, 14, 16, 26]),
  d('airport-gate', 'Airport Gate', [13, 5], [6, 12, 14, 18]),
  d('foothills', 'Foothills', [-10, -1], [7, 2, 22, 8]),
  d('south-platte', 'South Platte', [-3, -6], [8, 6, 18, 14]),
  d('tech-centre', 'Tech Centre', [4, -12], [9, 4, 12, 22]),
  d('lakewood-flats', 'Lakewood Flats', [-7, -5], [7, 3, 20, 10]),
  d('aurora-east', 'Aurora East', [9, -2], [10, 5, 24, 16]),
  d('north-bank', 'North Bank', [1, 9], [6, 9, 15, 20]),
  d('cherry-creek', 'Cherry Creek', [3, -5], [12, 1, 11, 12]),
  d('rail-yards', 'Rail Yards', [-4, 2.5], [5, 16, 13, 24]),
];

function d(
  id: string,
  title: string,
  offsetKm: [number, number],
  w: [number, number, number, number],
): District {
  return { id, title, offsetKm, weights: { public: w[0], industry: w[1], pipes: w[2], sites: w[3] } };
}

/** The sample city's districts, under the name other modules have always imported. */
export const DISTRICTS = SAMPLE_DISTRICTS;

/** Kinds of key public areas (ISO/IEC 30146 L2.2.1: crowded places that need CCTV coverage). */
export const PUBLIC_PLACES = [
  'Square',
  'Market',
  'Central Station',
  'Park',
  'Library',
  'Stadium',
  'Hospital Entrance',
  'Bus Interchange',
  'Promenade',
  'School Gate',
  'Shopping Street',
  'Town Hall Plaza',
  'Night Market',
  'Ferry Pier',
  'Sports Centre',
] as const;

/** Kinds of key industry areas. */
export const INDUSTRY_PLACES = [
  'Container Yard',
  'Logistics Park',
  'Substation',
  'Water Treatment Works',
  'Chemical Depot',
  'Freight Rail Yard',
  'Industrial Estate',
  'Recycling Centre',
  'Fuel Terminal',
] as const;

/** Key pollution sources (ISO/IEC 30146 L3.1.1). */
export const POLLUTION_SOURCES = [
  'Cement Works',
  'Power Station',
  'Incinerator',
  'Paint Factory',
  'Asphalt Plant',
  'Foundry',
  'Bus Depot',
  'Printing Works',
  'Food Processing Plant',
  'Brickworks',
] as const;

/** Key energy-using institutions (ISO/IEC 30146 L3.2.2). */
export const ENERGY_INSTITUTIONS = [
  'General Hospital',
  'Campus',
  'Data Centre',
  'Shopping Mall',
  'Civic Centre',
  'Swimming Pool',
  'Ice Rink',
  'Office Tower',
  'Cold Store',
  'Convention Centre',
] as const;

const KM_PER_DEG_LAT = 111.32;

/** A point `spreadKm` (one standard deviation) around a district's centre, rounded to ~1 m. */
export function pointIn(
  d: District,
  spreadKm: number,
  normal: () => number,
  centre: { lat: number; lon: number } = CITY_CENTRE,
): { lat: number; lon: number } {
  const eastKm = d.offsetKm[0] + spreadKm * normal();
  const northKm = d.offsetKm[1] + spreadKm * normal();
  return near(centre, eastKm, northKm);
}

/** The point `eastKm`, `northKm` away from `from`, rounded to 6 decimals (~0.1 m). */
export function near(from: { lat: number; lon: number }, eastKm: number, northKm: number) {
  const lat = from.lat + northKm / KM_PER_DEG_LAT;
  const lon = from.lon + eastKm / (KM_PER_DEG_LAT * Math.cos((from.lat * Math.PI) / 180));
  return { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 };
}

/** Split `total` over `weights` in whole numbers that add up exactly (largest remainder). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const missing = total - out.reduce((a, b) => a + b, 0);
  for (let k = 0; k < missing; k++) out[order[k][1]]++;
  return out;
}

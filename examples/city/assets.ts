// The sample city's assets, the denominators of the indicators (CONTRACT §1): key areas, pipe segments
// and key sites, spread over the districts by each district's character.
import type { Prng } from '../prng.js';
import {
  apportion,
  DISTRICTS,
  type District,
  ENERGY_INSTITUTIONS,
  INDUSTRY_PLACES,
  POLLUTION_SOURCES,
  PUBLIC_PLACES,
  pointIn,
} from './districts.js';

export interface AreaRow {
  id: string;
  class: 'key-public' | 'key-industry';
  district: string;
  name: string;
  lat: number;
  lon: number;
}

export interface PipeSegmentRow {
  id: string;
  length_m: number;
  district: string;
  material: string;
  diameter_mm: number;
  installed: number;
}

export interface SiteRow {
  id: string;
  class: 'pollution' | 'energy';
  district: string;
  name: string;
  lat: number;
  lon: number;
}

export const AREA_COUNTS = { 'key-public': 60, 'key-industry': 24 } as const;
export const PIPE_SEGMENT_COUNT = 800;
export const SITE_COUNTS = { pollution: 60, energy: 60 } as const;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Distinct place names within a district: "Old Town Park", then "Old Town Park 2" if a kind repeats. */
function namer(places: readonly string[], rng: Prng) {
  return (d: District, count: number): string[] => {
    const kinds = rng.shuffle([...places]);
    return Array.from({ length: count }, (_, i) => {
      const round = Math.floor(i / kinds.length);
      return `${d.title} ${kinds[i % kinds.length]}${round ? ` ${round + 1}` : ''}`;
    });
  };
}

export function buildAreas(rng: Prng): AreaRow[] {
  const rows: AreaRow[] = [];
  const classes = [
    ['key-public', 'pub', PUBLIC_PLACES, (d: District) => d.weights.public],
    ['key-industry', 'ind', INDUSTRY_PLACES, (d: District) => d.weights.industry],
  ] as const;
  for (const [cls, prefix, places, weight] of classes) {
    const perDistrict = apportion(AREA_COUNTS[cls], DISTRICTS.map(weight));
    const names = namer(places, rng);
    DISTRICTS.forEach((d, i) => {
      names(d, perDistrict[i]).forEach((name, k) => {
        const at = pointIn(d, 1.2, () => rng.normal());
        rows.push({ id: `${prefix}-${d.id}-${pad(k + 1, 2)}`, class: cls, district: d.id, name, ...at });
      });
    });
  }
  return rows;
}

const MATERIALS = ['ductile-iron', 'ductile-iron', 'pvc', 'pvc', 'hdpe', 'cast-iron', 'steel'];
const DIAMETERS_MM = [100, 150, 150, 200, 200, 300, 450, 600];

export function buildPipeSegments(rng: Prng): PipeSegmentRow[] {
  const perDistrict = apportion(
    PIPE_SEGMENT_COUNT,
    DISTRICTS.map((d) => d.weights.pipes),
  );
  const districts = DISTRICTS.flatMap((d, i) => Array<string>(perDistrict[i]).fill(d.id));
  return districts.map((district, i) => ({
    id: `seg-${pad(i + 1, 4)}`,
    // Distribution mains are mostly a few hundred metres between valves, with a long tail of trunk mains.
    length_m: Math.round(Math.min(1500, Math.max(50, rng.logNormal(280, 0.7))) * 10) / 10,
    district,
    material: rng.pick(MATERIALS),
    diameter_mm: rng.pick(DIAMETERS_MM),
    installed: 1955 + rng.int(68),
  }));
}

export function buildSites(rng: Prng): SiteRow[] {
  const rows: SiteRow[] = [];
  const classes = [
    // Pollution sources cluster where industry is; energy users where people are.
    ['pollution', 'pol', POLLUTION_SOURCES, (d: District) => d.weights.industry + d.weights.sites / 4],
    ['energy', 'nrg', ENERGY_INSTITUTIONS, (d: District) => d.weights.public + d.weights.sites / 4],
  ] as const;
  for (const [cls, prefix, kinds, weight] of classes) {
    const perDistrict = apportion(SITE_COUNTS[cls], DISTRICTS.map(weight));
    const names = namer(kinds, rng);
    let n = 0;
    DISTRICTS.forEach((d, i) => {
      for (const name of names(d, perDistrict[i])) {
        const at = pointIn(d, 1.5, () => rng.normal());
        rows.push({ id: `${prefix}-${pad(++n, 3)}`, class: cls, district: d.id, name, ...at });
      }
    });
  }
  return rows;
}

// A generated city's assets, the denominators of the indicators (docs/contract.md §1): key areas, pipe segments
// and key sites, spread over the districts by each district's character.
import type { Prng } from '../prng.js';
import {
  apportion,
  type District,
  ENERGY_INSTITUTIONS,
  INDUSTRY_PLACES,
  POLLUTION_SOURCES,
  PUBLIC_PLACES,
  pointIn,
} from './districts.js';
import { type CityShape, SAMPLE_SHAPE } from './shape.js';

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

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Digits in ids: the sample city's widths, wider where a larger city needs them. */
export const idWidth = (count: number, least: number) => Math.max(least, String(count).length);

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

export function buildAreas(rng: Prng, shape: CityShape = SAMPLE_SHAPE): AreaRow[] {
  const { districts, centre } = shape;
  const rows: AreaRow[] = [];
  const classes = [
    ['key-public', 'pub', PUBLIC_PLACES, (d: District) => d.weights.public],
    ['key-industry', 'ind', INDUSTRY_PLACES, (d: District) => d.weights.industry],
  ] as const;
  for (const [cls, prefix, places, weight] of classes) {
    const perDistrict = apportion(shape.areas[cls], districts.map(weight));
    const width = idWidth(Math.max(...perDistrict), 2);
    const names = namer(places, rng);
    districts.forEach((d, i) => {
      names(d, perDistrict[i]).forEach((name, k) => {
        const at = pointIn(d, 1.2, () => rng.normal(), centre);
        rows.push({ id: `${prefix}-${d.id}-${pad(k + 1, width)}`, class: cls, district: d.id, name, ...at });
      });
    });
  }
  return rows;
}

const MATERIALS = ['ductile-iron', 'ductile-iron', 'pvc', 'pvc', 'hdpe', 'cast-iron', 'steel'];
const DIAMETERS_MM = [100, 150, 150, 200, 200, 300, 450, 600];

export function buildPipeSegments(rng: Prng, shape: CityShape = SAMPLE_SHAPE): PipeSegmentRow[] {
  const perDistrict = apportion(
    shape.pipeSegments,
    shape.districts.map((d) => d.weights.pipes),
  );
  const districts = shape.districts.flatMap((d, i) => Array<string>(perDistrict[i]).fill(d.id));
  const width = idWidth(shape.pipeSegments, 4);
  return districts.map((district, i) => ({
    id: `seg-${pad(i + 1, width)}`,
    // Distribution mains are mostly a few hundred metres between valves, with a long tail of trunk mains.
    length_m: Math.round(Math.min(1500, Math.max(50, rng.logNormal(280, 0.7))) * 10) / 10,
    district,
    material: rng.pick(MATERIALS),
    diameter_mm: rng.pick(DIAMETERS_MM),
    installed: 1955 + rng.int(68),
  }));
}

export function buildSites(rng: Prng, shape: CityShape = SAMPLE_SHAPE): SiteRow[] {
  const { districts, centre } = shape;
  const rows: SiteRow[] = [];
  const classes = [
    // Pollution sources cluster where industry is; energy users where people are.
    ['pollution', 'pol', POLLUTION_SOURCES, (d: District) => d.weights.industry + d.weights.sites / 4],
    ['energy', 'nrg', ENERGY_INSTITUTIONS, (d: District) => d.weights.public + d.weights.sites / 4],
  ] as const;
  for (const [cls, prefix, kinds, weight] of classes) {
    const perDistrict = apportion(shape.sites[cls], districts.map(weight));
    const width = idWidth(shape.sites[cls], 3);
    const names = namer(kinds, rng);
    let n = 0;
    districts.forEach((d, i) => {
      for (const name of names(d, perDistrict[i])) {
        const at = pointIn(d, 1.5, () => rng.normal(), centre);
        rows.push({ id: `${prefix}-${pad(++n, width)}`, class: cls, district: d.id, name, ...at });
      }
    });
  }
  return rows;
}

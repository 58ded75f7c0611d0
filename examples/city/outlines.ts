// The generated cities' district outlines (issue 15 item 1): each district is the part of the city nearer its
// centre than any other (a Voronoi cell), inside a box around all centres. Every generated place is then
// kept inside its own district's outline, so a map's outlines and its devices agree.
import type { District } from './districts.js';
import { near } from './districts.js';

/** How far beyond the outermost district centres the city reaches, in km. */
const REACH_KM = 5;
const KM_PER_DEG_LAT = 111.32;

type Km = [number, number];

/** The polygon `poly` (east, north in km) cut to the side of the line through `p` with normal `n` that is ≤ 0. */
function cut(poly: Km[], n: Km, c: number): Km[] {
  const side = (q: Km) => q[0] * n[0] + q[1] * n[1] - c;
  const out: Km[] = [];
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i];
    const b = poly[(i + 1) % poly.length];
    const sa = side(a);
    const sb = side(b);
    if (sa <= 0) out.push(a);
    if ((sa < 0 && sb > 0) || (sa > 0 && sb < 0)) {
      const t = sa / (sa - sb);
      out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
    }
  }
  return out;
}

/** Each district's cell in km from the city centre, counter-clockwise, in the districts' order. */
export function districtCells(districts: readonly District[]): Km[][] {
  const xs = districts.map((d) => d.offsetKm[0]);
  const ys = districts.map((d) => d.offsetKm[1]);
  const [w, e] = [Math.min(...xs) - REACH_KM, Math.max(...xs) + REACH_KM];
  const [s, n] = [Math.min(...ys) - REACH_KM, Math.max(...ys) + REACH_KM];
  return districts.map((d) => {
    let cell: Km[] = [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
    ];
    const [px, py] = d.offsetKm;
    for (const o of districts) {
      if (o === d) continue;
      // Nearer o than d: (q − midpoint) · (o − d) > 0.
      const nx = o.offsetKm[0] - px;
      const ny = o.offsetKm[1] - py;
      const mx = (o.offsetKm[0] + px) / 2;
      const my = (o.offsetKm[1] + py) / 2;
      cell = cut(cell, [nx, ny], nx * mx + ny * my);
    }
    return cell;
  });
}

const inside = (cell: Km[], q: Km) =>
  cell.every((a, i) => {
    const b = cell[(i + 1) % cell.length];
    return (b[0] - a[0]) * (q[1] - a[1]) - (b[1] - a[1]) * (q[0] - a[0]) >= 0;
  });

/**
 * The point `q` if it lies in `cell`, else a point on the way from the district's centre to it, inside: at
 * the fraction f² of the way, where f is the fraction at which that way leaves the cell (the cell is convex
 * and holds its centre). Squaring spreads the points that were far outside over the cell instead of
 * piling them on its edge.
 */
export function keepInside(cell: Km[], centre: Km, q: Km): Km {
  if (inside(cell, q)) return q;
  let [lo, hi] = [0, 1];
  for (let k = 0; k < 30; k++) {
    const mid = (lo + hi) / 2;
    if (inside(cell, [centre[0] + mid * (q[0] - centre[0]), centre[1] + mid * (q[1] - centre[1])])) lo = mid;
    else hi = mid;
  }
  // At least 20 m from the edge, so rounding positions to 6 decimals cannot cross it.
  const len = Math.hypot(q[0] - centre[0], q[1] - centre[1]);
  const t = Math.max(0, Math.min(lo * lo, lo - 0.02 / len));
  return [centre[0] + t * (q[0] - centre[0]), centre[1] + t * (q[1] - centre[1])];
}

/** A place's offset from the city centre in km, inverse of near(). */
export function offsetKm(centre: { lat: number; lon: number }, p: { lat: number; lon: number }): Km {
  const north = (p.lat - centre.lat) * KM_PER_DEG_LAT;
  const east = (p.lon - centre.lon) * KM_PER_DEG_LAT * Math.cos((centre.lat * Math.PI) / 180);
  return [east, north];
}

/** A GeoJSON Polygon ([lon, lat], closed, counter-clockwise as RFC 7946 asks of outer rings). */
export function outlineOf(cell: Km[], centre: { lat: number; lon: number }) {
  const ring = cell.map(([x, y]) => {
    const p = near(centre, x, y);
    return [p.lon, p.lat];
  });
  return { type: 'Polygon' as const, coordinates: [[...ring, ring[0]]] };
}

/** Move every row with a district and a position into that district's cell (rows without either stay). */
export function keepInDistricts<R extends { district: string; lat: number; lon: number }>(
  rows: R[],
  districts: readonly District[],
  cells: Km[][],
  centre: { lat: number; lon: number },
): void {
  const index = new Map(districts.map((d, i) => [d.id, i]));
  for (const r of rows) {
    const i = index.get(r.district);
    if (i === undefined || (r.lat === 0 && r.lon === 0)) continue;
    const q = offsetKm(centre, r);
    const kept = keepInside(cells[i], districts[i].offsetKm, q);
    if (kept === q) continue;
    const p = near(centre, kept[0], kept[1]);
    r.lat = p.lat;
    r.lon = p.lon;
  }
}

// Device positions gathered into square cells on the ground for a map (issue 15 item 1): a city of a million
// devices reaches the browser as at most cells² counts, with the devices that are down listed one by one up
// to a cap. Pure: positions and liveness in, cells out; one pass over the devices, no allocation per device.

/** Positions by device index (the engine's order); NaN where a device has no coordinates. */
export interface Positions {
  lat: Float64Array;
  lon: Float64Array;
}

export interface CellOptions {
  /** Cells along the longer side of the devices' bounding box (the other side gets as many as fit). */
  cells: number;
  /** Devices down listed one by one, at most. */
  downCap: number;
}

export interface MapCell {
  /** The mean position of the cell's devices, so a cluster sits where its devices are. */
  lat: number;
  lon: number;
  count: number;
  down: number;
}

export interface MapCells {
  /** Devices with coordinates. */
  placed: number;
  /** Of `placed`, those down. */
  downPlaced: number;
  /** null when no device has coordinates. */
  bounds: { south: number; west: number; north: number; east: number } | null;
  /** Every non-empty cell, in row-major order from the south-west. */
  cells: MapCell[];
  /** Indices of placed devices that are down, in index order, at most `downCap`. */
  down: number[];
}

/** Gather the placed devices into cells; `isDown(i)` says whether device i is down. */
export function mapCells(pos: Positions, isDown: (i: number) => boolean, opts: CellOptions): MapCells {
  const { lat, lon } = pos;
  const n = lat.length;
  let [south, north, west, east] = [90, -90, 180, -180];
  let placed = 0;
  for (let i = 0; i < n; i++) {
    const y = lat[i];
    const x = lon[i];
    if (Number.isNaN(y) || Number.isNaN(x)) continue;
    placed++;
    if (y < south) south = y;
    if (y > north) north = y;
    if (x < west) west = x;
    if (x > east) east = x;
  }
  if (placed === 0) return { placed: 0, downPlaced: 0, bounds: null, cells: [], down: [] };
  // Square cells on the ground: a degree of longitude is cos(latitude) of a degree of latitude.
  const shrink = Math.max(Math.cos((((south + north) / 2) * Math.PI) / 180), 1e-6);
  const side = Math.max(north - south, (east - west) * shrink, 1e-9) / Math.max(1, Math.floor(opts.cells));
  const cellLat = side;
  const cellLon = side / shrink;
  const rows = Math.max(1, Math.ceil((north - south) / cellLat));
  const cols = Math.max(1, Math.ceil((east - west) / cellLon));
  const count = new Uint32Array(rows * cols);
  const downs = new Uint32Array(rows * cols);
  const sumLat = new Float64Array(rows * cols);
  const sumLon = new Float64Array(rows * cols);
  const down: number[] = [];
  let downPlaced = 0;
  // Offsets are ≥ 0, so truncation is floor; multiplying by the inverse spares a division per device.
  const perLat = 1 / cellLat;
  const perLon = 1 / cellLon;
  for (let i = 0; i < n; i++) {
    const y = lat[i];
    const x = lon[i];
    if (Number.isNaN(y) || Number.isNaN(x)) continue;
    // The north and east edges belong to the last row and column.
    const r = Math.min(rows - 1, ((y - south) * perLat) | 0);
    const c = Math.min(cols - 1, ((x - west) * perLon) | 0);
    const k = r * cols + c;
    count[k]++;
    sumLat[k] += y;
    sumLon[k] += x;
    if (isDown(i)) {
      downs[k]++;
      downPlaced++;
      if (down.length < opts.downCap) down.push(i);
    }
  }
  const cells: MapCell[] = [];
  for (let k = 0; k < count.length; k++)
    if (count[k] > 0)
      cells.push({ lat: sumLat[k] / count[k], lon: sumLon[k] / count[k], count: count[k], down: downs[k] });
  return { placed, downPlaced, bounds: { south, west, north, east }, cells, down };
}

// The map's cells: a city of any size reaches the browser as at most cells² counts, and the devices down one
// by one up to a cap (issue 15 item 1).
import { describe, expect, it } from 'vitest';
import { mapCells } from '../../engine/map-cells.js';

const positions = (points: [number, number][]) => ({
  lat: Float64Array.from(points, (p) => p[0]),
  lon: Float64Array.from(points, (p) => p[1]),
});

describe('mapCells', () => {
  it('gathers devices into square cells at their mean position, counting the ones down', () => {
    // At the equator a degree of longitude is (nearly) a degree of latitude: 2 cells of 0.5° a side.
    const pos = positions([
      [0, 0],
      [0, 0.4],
      [1, 0],
      [1, 1],
      [Number.NaN, Number.NaN],
    ]);
    const grid = mapCells(pos, (i) => i === 1 || i === 3 || i === 4, { cells: 2, downCap: 10 });
    expect(grid.placed).toBe(4);
    expect(grid.downPlaced).toBe(2);
    expect(grid.bounds).toEqual({ south: 0, west: 0, north: 1, east: 1 });
    expect(grid.cells).toEqual([
      { lat: 0, lon: 0.2, count: 2, down: 1 },
      { lat: 1, lon: 0, count: 1, down: 0 },
      { lat: 1, lon: 1, count: 1, down: 1 },
    ]);
    // The device without coordinates is down but cannot be drawn: it is not listed.
    expect(grid.down).toEqual([1, 3]);
  });

  it('lists the devices down in index order up to the cap, and still counts them all', () => {
    const pos = positions([
      [10, 10],
      [10, 10.001],
      [10.002, 10],
    ]);
    const grid = mapCells(pos, () => true, { cells: 8, downCap: 2 });
    expect(grid.down).toEqual([0, 1]);
    expect(grid.downPlaced).toBe(3);
    expect(grid.cells.reduce((s, c) => s + c.down, 0)).toBe(3);
  });

  it('makes cells square on the ground away from the equator', () => {
    // At 60° a degree of longitude is half a degree of latitude: a box 2° wide and 1° tall is square.
    const pos = positions([
      [60, 0],
      [61, 2],
    ]);
    const grid = mapCells(pos, () => false, { cells: 2, downCap: 0 });
    expect(grid.cells.map((c) => [c.lat, c.lon])).toEqual([
      [60, 0],
      [61, 2],
    ]);
    // Two columns of 1° of longitude, two rows of 0.5° of latitude: opposite corners.
    const three = mapCells(
      positions([
        [60, 0],
        [60.6, 0.1],
        [61, 2],
      ]),
      () => false,
      { cells: 2, downCap: 0 },
    );
    expect(three.cells.map((c) => c.count)).toEqual([1, 1, 1]);
  });

  it('answers no cells and no bounds when no device has coordinates', () => {
    const grid = mapCells(positions([[Number.NaN, 1]]), () => true, { cells: 4, downCap: 4 });
    expect(grid).toEqual({ placed: 0, downPlaced: 0, bounds: null, cells: [], down: [] });
  });

  it('keeps a hundred thousand scattered devices to at most cells² cells, every device counted once', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const n = 100_000;
    const pos = positions(Array.from({ length: n }, () => [37 + random() * 0.2, -122 + random() * 0.3]));
    const grid = mapCells(pos, (i) => i % 10 === 0, { cells: 16, downCap: 500 });
    expect(grid.cells.length).toBeLessThanOrEqual(16 * 16);
    expect(grid.cells.reduce((s, c) => s + c.count, 0)).toBe(n);
    expect(grid.downPlaced).toBe(n / 10);
    expect(grid.down).toHaveLength(500);
  });
});

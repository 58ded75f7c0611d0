// Inventory folders for the registry tests: each test writes the few rows it is about (test/support/tmp.ts).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  formatRowError,
  type LoadOptions,
  type LoadResult,
  loadInventoryDir,
} from '../../registry/load-inventory.js';
import { DEVICE_HEADER, inventoryDir } from '../support/tmp.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const GOOD = join(FIXTURES, 'inventory-good');
export const BAD = join(FIXTURES, 'inventory-bad');

export const load = (files: Record<string, string>, opts?: LoadOptions): Promise<LoadResult> =>
  loadInventoryDir(inventoryDir(files), opts);

export const messages = (r: LoadResult): string[] => r.errors.map(formatRowError);

/** One asset of each table, for devices to refer to. */
export const ASSETS = {
  'areas.csv': 'id,class,district,name\nplaza,key-public,centre,Plaza\n',
  'pipe_segments.csv': 'id,length_m,district\np-1,100,centre\n',
  'sites.csv': 'id,class,district,name\nsmelter,pollution,east,Smelter\n',
  'routes.txt': 'route_id,route_short_name\n22,22\n',
};

/** Pad a devices.csv row to the header's nine cells, so a test writes only the cells it is about. */
export const deviceRow = (row: string): string => {
  const cells = row.split(',');
  return [...cells, ...Array(Math.max(0, 9 - cells.length)).fill('')].join(',');
};

/** The assets plus a devices.csv of `rows`, padded; data rows start on line 2. */
export const withDevices = (...rows: string[]): Record<string, string> => ({
  ...ASSETS,
  'devices.csv': `${[DEVICE_HEADER, ...rows.map(deviceRow)].join('\n')}\n`,
});

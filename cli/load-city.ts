// Load an inventory folder and the indicator catalogue (standard plus the city's own) for a command.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIVE_CATALOGUE } from '../indicators/catalogue.js';
import type { IndicatorDef } from '../indicators/definition.js';
import { buildCatalogue, parseIndicatorText } from '../indicators/load-definitions.js';
import type { Inventory } from '../registry/inventory.js';
import { formatRowError, loadInventoryDir } from '../registry/load-inventory.js';
import { CliError, UsageError } from './errors.js';

const CITY_INDICATOR_FILES = ['indicators.yaml', 'indicators.yml', 'indicators.json'];

export interface City {
  inventory: Inventory;
  catalogue: IndicatorDef[];
}

export async function loadInventoryStrictly(dir: string): Promise<Inventory> {
  if (!existsSync(dir)) throw new UsageError(`inventory folder '${dir}' does not exist`);
  const { inventory, errors } = await loadInventoryDir(dir, { strict: true }).catch((err: Error) => {
    throw new CliError(err.message);
  });
  if (errors.length > 0) {
    const shown = errors.slice(0, 20).map(formatRowError).join('\n');
    const more = errors.length > 20 ? `\n... and ${errors.length - 20} more` : '';
    throw new CliError(
      `${shown}${more}\ninventory '${dir}' has ${errors.length} bad row(s): fix them and run again`,
    );
  }
  return inventory;
}

/** User-defined indicators: `--indicators FILE`, else an indicators.yaml/.json inside the inventory folder. */
export function loadCatalogue(inventoryDir: string | undefined, indicatorsFile?: string): IndicatorDef[] {
  const file =
    indicatorsFile ??
    (inventoryDir
      ? CITY_INDICATOR_FILES.map((f) => join(inventoryDir, f)).find((f) => existsSync(f))
      : undefined);
  if (indicatorsFile && !existsSync(indicatorsFile))
    throw new UsageError(`indicators file '${indicatorsFile}' does not exist`);
  try {
    const extra = file ? parseIndicatorText(readFileSync(file, 'utf8'), file) : [];
    return buildCatalogue(LIVE_CATALOGUE, extra);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

export async function loadCity(inventoryDir: string, indicatorsFile?: string): Promise<City> {
  return {
    inventory: await loadInventoryStrictly(inventoryDir),
    catalogue: loadCatalogue(inventoryDir, indicatorsFile),
  };
}

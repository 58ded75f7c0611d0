// Times shown to a person follow the city's time zone (city.json `timeZone`) when the registry beside the
// people store knows it; without a registry they are UTC, written as ISO-8601.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type CityConfig, cityTimeZone } from '../registry/inventory.js';
import { REGISTRY_FILE } from '../registry/store.js';
import { formatInZone } from '../registry/time-zone.js';
import { type DbFlag, openRegistryBackend } from './open-registry.js';

/** The city's zone from the registry of `--db` or `--data-dir`, or undefined when there is none. */
export async function registryTimeZone(opts: DbFlag): Promise<string | undefined> {
  if (!opts.db && !existsSync(join(opts.dataDir, REGISTRY_FILE))) return undefined;
  const registry = await openRegistryBackend(opts);
  try {
    const city = registry.meta('city');
    return city === undefined ? undefined : cityTimeZone(JSON.parse(city) as Pick<CityConfig, 'timeZone'>);
  } finally {
    await registry.close();
  }
}

/** An instant as the table shows it: in the city's zone, else UTC ISO-8601; `—` for never. */
export function shownAt(t: number | null, zone: string | undefined): string {
  if (t === null) return '—';
  return zone ? formatInZone(t, zone) : new Date(t).toISOString();
}

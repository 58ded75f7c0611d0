// The registry of `citygauge start`: opened, the city imported on first start (its devices the ones the
// simulated fleet plays), and a registry from an older version brought up to date, said in the log.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { csvRows } from '../registry/csv-rows.js';
import type { RegistryBackend } from '../registry/registry-backend.js';
import { Registry } from '../registry/registry-service.js';
import { declareDistrictsLogged } from './declare-districts.js';
import { loadInventoryStrictly } from './load-city.js';
import { type DbFlag, openRegistryBackend } from './open-registry.js';

/** Set once the devices of the registry carry their simulated flag: at first start, or by the migration. */
const SIMULATED_MARKED = 'simulated-marked';

export async function openStartRegistry(
  opts: DbFlag & { inventory: string },
  log: Logger,
): Promise<{ store: RegistryBackend; registry: Registry }> {
  const store = await openRegistryBackend(opts, log);
  if (store.isEmpty()) {
    await store.upsert(await loadInventoryStrictly(opts.inventory), undefined, 'set');
    await store.setMeta(SIMULATED_MARKED, 'first start');
    log.info({ inventory: opts.inventory, registry: store.path }, 'first start: inventory imported');
  } else if (store.meta(SIMULATED_MARKED) === undefined) {
    // A registry from before the flag: the simulator played every device. From now on it plays those of
    // the inventory `start` imports on first start (the sample city unless --inventory says otherwise).
    const marked = await store.markSimulated(await deviceIds(opts.inventory));
    await store.setMeta(SIMULATED_MARKED, 'migrated');
    log.info(
      { inventory: opts.inventory, simulated: marked },
      `registry from an older version: the ${marked} registered devices listed in ${opts.inventory}/devices.csv are marked simulated, every other device is a real one and never simulated`,
    );
  }
  const registry = new Registry(store, store.credentials());
  declareDistrictsLogged(registry, log);
  return { store, registry };
}

/** The device ids of an inventory folder's devices.csv; none when it has none. */
async function deviceIds(dir: string): Promise<string[]> {
  const file = join(dir, 'devices.csv');
  if (!existsSync(file)) return [];
  const ids: string[] = [];
  for await (const item of csvRows(file)) if ('record' in item && item.record.id) ids.push(item.record.id);
  return ids;
}

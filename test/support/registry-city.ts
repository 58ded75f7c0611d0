// What the in-process HTTP tests build their API on: a registry in a temporary folder holding an inventory
// folder, its admin token, and an engine rebuilt on every registry change, as the running city keeps one.
import { rebuildEngine } from '../../engine/carry-over.js';
import { CityEngine } from '../../engine/city-engine.js';
import { ensureAdminToken } from '../../http/auth.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { Registry } from '../../registry/registry-service.js';
import { RegistryStore } from '../../registry/store.js';
import { tempDir } from './tmp.js';

export interface RegistryCity {
  registry: Registry;
  token: string;
  /** The engine of the moment: a registry change replaces it. */
  engine: () => CityEngine;
}

export async function openRegistryCity(inventoryDir: string): Promise<RegistryCity> {
  const catalogue = buildCatalogue(LIVE_CATALOGUE);
  const store = await RegistryStore.open(tempDir());
  store.upsert((await loadInventoryDir(inventoryDir)).inventory);
  const registry = new Registry(store, store.credentials());
  const token = ensureAdminToken(registry.credentials, '')!;
  let engine = new CityEngine(registry.inventory, catalogue);
  registry.onChange((inv) => {
    engine = rebuildEngine(engine, inv, catalogue);
  });
  return { registry, token, engine: () => engine };
}

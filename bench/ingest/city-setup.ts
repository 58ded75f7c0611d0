// Registries the ingest bench runs citygauge on: N sensors, each with its own token, written to a file
// the publishing processes read.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyInventory, type Inventory } from '../../registry/inventory.js';
import { RegistryStore } from '../../registry/store.js';

export interface BenchCity {
  dataDir: string;
  /** [device id, token] per device. */
  credentials: [string, string][];
  credentialsFile: string;
}

export async function benchCity(dataDir: string, devices: number): Promise<BenchCity> {
  const inv: Inventory = emptyInventory();
  for (let i = 0; i < devices; i++) {
    const id = `sen-${i}`;
    inv.devices.set(id, { id, kind: 'sensor', district: `d${i % 10}`, hd: false, expectedIntervalS: 60 });
  }
  const store = await RegistryStore.open(dataDir);
  store.upsert(inv);
  const creds = store.credentials();
  const credentials = [...inv.devices.keys()].map((id): [string, string] => [id, creds.issue(id, 'device')]);
  store.close();
  const credentialsFile = join(dataDir, 'bench-credentials.json');
  writeFileSync(credentialsFile, JSON.stringify(credentials));
  return { dataDir, credentials, credentialsFile };
}

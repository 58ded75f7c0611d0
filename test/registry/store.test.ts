import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { RegistryStore } from '../../registry/store.js';
import { tempDir } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));

describe('RegistryStore', () => {
  it('round-trips an inventory through SQLite, attributes and optional fields included', async () => {
    const { inventory } = await loadInventoryDir(TOWN);
    inventory.pipeSegments.set('p9', {
      id: 'p9',
      lengthM: 12.5,
      district: 'north',
      attributes: { material: 'PVC' },
    });
    const dir = tempDir();
    const store = await RegistryStore.open(dir);
    expect(store.isEmpty()).toBe(true);
    store.upsert(inventory);
    store.close();
    expect(existsSync(join(dir, 'registry.sqlite'))).toBe(true);
    const again = await RegistryStore.open(dir);
    const loaded = again.load();
    again.close();
    expect(loaded).toEqual(inventory);
  });

  it('updates rows by id on a second upsert instead of adding them', async () => {
    const { inventory } = await loadInventoryDir(TOWN);
    const store = await RegistryStore.open(tempDir());
    store.upsert(inventory);
    const before = store.counts();
    inventory.devices.set('cam-1', { ...inventory.devices.get('cam-1')!, hd: false, expectedIntervalS: 15 });
    store.upsert(inventory);
    expect(store.counts()).toEqual(before);
    expect(store.load().devices.get('cam-1')).toMatchObject({ hd: false, expectedIntervalS: 15 });
    store.close();
  });
});

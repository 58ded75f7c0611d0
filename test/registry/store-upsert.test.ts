// RegistryStore beyond the round trip (store.test.ts): city.json, counts, and writing only what changed.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { RegistryStore } from '../../registry/store.js';
import { tempDir } from '../support/tmp.js';
import { GOOD, load, withDevices } from './temp-inventory.js';

describe('RegistryStore', () => {
  it('keeps every table, city.json and the optional fields of the fixture as they were read', async () => {
    const { inventory } = await loadInventoryDir(GOOD);
    const dir = tempDir();
    const store = await RegistryStore.open(dir);
    store.upsert(inventory);
    expect(store.counts()).toEqual({ areas: 3, pipeSegments: 2, routes: 5, sites: 2, devices: 8 });
    expect(store.isEmpty()).toBe(false);
    store.close();
    const reopened = await RegistryStore.open(dir);
    expect(reopened.load()).toEqual(inventory);
    reopened.close();
  });

  it('opens its database in WAL mode so readers do not wait for an import', async () => {
    const store = await RegistryStore.open(tempDir());
    const db = new Database(store.path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    store.close();
  });

  it('loads an empty registry as an empty inventory with the default city', async () => {
    const store = await RegistryStore.open(tempDir());
    expect(store.isEmpty()).toBe(true);
    expect(store.load().city).toEqual({
      name: 'City',
      cctvSharingAgreement: false,
      windows: ['1h', '24h'],
      thresholds: [],
    });
    store.close();
  });

  it('writes only rows that are not the very objects of the inventory it was merged over', async () => {
    const first = await load(withDevices('cam-1,cctv,,plaza', 'cam-2,cctv,,plaza'));
    const store = await RegistryStore.open(tempDir());
    store.upsert(first.inventory);
    // A row changed behind the store's back shows whether the next upsert rewrote it.
    const db = new Database(store.path);
    db.prepare("UPDATE devices SET hd = 1 WHERE id = 'cam-1'").run();
    db.close();
    const second = await load(withDevices('cam-2,cctv,,plaza,,true', 'cam-3,cctv,,plaza'), {
      existing: first.inventory,
    });
    store.upsert(second.inventory, first.inventory);
    const loaded = store.load();
    expect(loaded.devices.get('cam-1')?.hd).toBe(true); // untouched: not in the second import
    expect(loaded.devices.get('cam-2')?.hd).toBe(true);
    expect(store.counts().devices).toBe(3);
    store.close();
  });
});

// Which devices the simulated fleet plays (issue 10 item 3): those `citygauge start` imports on first start;
// never one a person registered, uploaded or imported; a registry from before the flag is migrated once.
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { fleetDevices } from '../../cli/simulate.js';
import { openStartRegistry } from '../../cli/start-registry.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { Registry } from '../../registry/registry-service.js';
import { RegistryStore } from '../../registry/store.js';
import { DEVICE_HEADER, inventoryDir, tempDir } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
const TOWN_DEVICES = ['gw-1', 'cam-1', 'cam-2', 'cam-3', 'cam-4', 'pm-1', 'pm-2', 'sen-1', 'bus-1'];

/** A pino logger whose lines land in `lines`. */
function capture() {
  const lines: { msg: string; [k: string]: unknown }[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { log, lines };
}

const reopen = async (dataDir: string) => {
  const store = await RegistryStore.open(dataDir);
  return { store, registry: new Registry(store, store.credentials()) };
};

describe('simulated devices', () => {
  it('are the ones start imports on first start; a registered or uploaded device never is, also after a restart', async () => {
    const dataDir = tempDir();
    const { log } = capture();
    const first = await openStartRegistry({ dataDir, inventory: TOWN }, log);
    expect(TOWN_DEVICES.every((id) => first.registry.isSimulated(id))).toBe(true);
    expect(first.registry.create({ id: 'sen-9', kind: 'sensor', assetId: 'smelter' }).ok).toBe(true);
    // A person's upload takes a device over: pm-2 is theirs from now on.
    await first.registry.importDir(
      inventoryDir({
        'devices.csv': `${DEVICE_HEADER}\npm-2,pipe-monitor,,p2,,,60,,\npm-9,pipe-monitor,,p1,,,60,,\n`,
      }),
    );
    // A change to a simulated device keeps it simulated.
    expect(first.registry.update('pm-1', { expectedIntervalS: 120 }).ok).toBe(true);
    first.store.close();

    const again = await openStartRegistry({ dataDir, inventory: TOWN }, log);
    const simulated = fleetDevices(again.registry.simulatedInventory()).map((d) => d.id);
    expect(simulated).not.toContain('sen-9');
    expect(simulated).not.toContain('pm-2');
    expect(simulated).not.toContain('pm-9');
    expect(simulated).toContain('pm-1');
    expect(again.registry.isSimulated('pm-1')).toBe(true);
    // Deleted and registered again by a person: real.
    expect(again.registry.remove('bus-1').ok).toBe(true);
    expect(again.registry.create({ id: 'bus-1', kind: 'transit-beacon', district: 'centre' }).ok).toBe(true);
    again.store.close();
    expect((await reopen(dataDir)).registry.isSimulated('bus-1')).toBe(false);
  });

  it('are migrated once in a registry from before the flag: the devices of the start inventory only', async () => {
    const dataDir = tempDir();
    // What an older version left: the town plus a person's device, no flags, no declared districts.
    const old = await RegistryStore.open(dataDir);
    const inv = (await loadInventoryDir(TOWN)).inventory;
    inv.devices.set('sen-9', {
      id: 'sen-9',
      kind: 'sensor',
      hd: false,
      expectedIntervalS: 60,
      district: 'north',
    });
    old.upsert(inv);
    old.close();

    const { log, lines } = capture();
    const { store, registry } = await openStartRegistry({ dataDir, inventory: TOWN }, log);
    expect(TOWN_DEVICES.filter((id) => registry.isSimulated(id))).toEqual(TOWN_DEVICES);
    expect(registry.isSimulated('sen-9')).toBe(false);
    expect(lines.find((l) => /marked simulated/.test(l.msg))).toMatchObject({ simulated: 9 });
    // Districts declared from what the registry holds, said once in the log with how to declare them.
    expect(registry.inventory.city.districts?.map((d) => d.id)).toEqual(['centre', 'north']);
    const said = lines.find((l) => /declares no districts/.test(l.msg));
    expect(said).toMatchObject({ districts: ['centre', 'north'] });
    expect(said?.msg).toMatch(/"districts": \[\{"id": "north", "name": "North"\}/);
    store.close();

    // The next start migrates nothing and says nothing more: a device made real stays real.
    const second = capture();
    const next = await openStartRegistry({ dataDir, inventory: TOWN }, second.log);
    expect(second.lines.filter((l) => /marked simulated|declares no districts/.test(l.msg))).toEqual([]);
    expect(next.registry.isSimulated('sen-9')).toBe(false);
    next.store.close();
  });
});

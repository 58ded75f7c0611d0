// Cross references of devices.csv (docs/contract.md §1): assets in the table of the device's kind, cameras behind
// cctv-gateways, resolved against this import and the registry it is merged over.
import { describe, expect, it } from 'vitest';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { inventoryDir } from '../support/tmp.js';
import { ASSETS, load, messages, withDevices } from './temp-inventory.js';

describe('device references', () => {
  it("looks a device's asset up in the table of its kind", async () => {
    const r = await load(
      withDevices(
        'cam-1,cctv,,plaza',
        'cam-2,cctv,,p-1',
        'gw-1,cctv-gateway,,smelter',
        'pm-1,pipe-monitor,,plaza',
        'sen-1,sensor,,p-1',
        'bus-1,transit-beacon,,22',
        'bus-2,transit-beacon,,99',
        'sen-2,sensor,,smelter',
      ),
    );
    expect(messages(r)).toEqual([
      "devices.csv:3: asset_id: no area 'p-1'",
      "devices.csv:4: asset_id: no area 'smelter'",
      "devices.csv:5: asset_id: no pipe segment 'plaza'",
      "devices.csv:6: asset_id: no site 'p-1'",
      "devices.csv:8: asset_id: no route '99'",
    ]);
    expect([...r.inventory.devices.keys()]).toEqual(['cam-1', 'bus-1', 'sen-2']);
  });

  it('takes a GTFS route id that is not an MQTT-safe id as a beacon asset', async () => {
    const r = await load({
      ...withDevices('bus-1,transit-beacon,,Blue Line'),
      'routes.txt': 'route_id\nBlue Line\n',
    });
    expect(r.errors).toEqual([]);
  });

  it('accepts a gateway listed after its cameras', async () => {
    const r = await load(
      withDevices('cam-1,cctv,,plaza,gw-1', 'cam-2,cctv,,plaza,gw-1', 'gw-1,cctv-gateway,centre'),
    );
    expect(r.errors).toEqual([]);
    expect(r.inventory.devices.get('cam-2')?.gatewayId).toBe('gw-1');
  });

  it('rejects a camera whose gateway is not a cctv-gateway, wherever that device is listed', async () => {
    const r = await load(
      withDevices(
        'cam-1,cctv,,plaza,sen-1',
        'cam-2,cctv,,plaza,bus-1',
        'sen-1,sensor,,smelter',
        'bus-1,transit-beacon',
      ),
    );
    expect(messages(r)).toEqual([
      "devices.csv:2: gateway_id: 'sen-1' is a sensor, not a cctv-gateway",
      "devices.csv:3: gateway_id: 'bus-1' is a transit-beacon, not a cctv-gateway",
    ]);
  });

  it('says when a reference is dangling because the row it names was rejected', async () => {
    const r = await load({
      ...withDevices('cam-1,cctv,,mall', 'cam-2,cctv,,plaza,gw-1', 'gw-1,cctv-gateway,,nowhere'),
      'areas.csv': 'id,class,district,name\nplaza,key-public,centre,Plaza\nmall,shopping,centre,Mall\n',
    });
    expect(messages(r)).toEqual([
      "areas.csv:3: class: expected one of key-public, key-industry (got 'shopping')",
      "devices.csv:2: asset_id: no area 'mall' (its row areas.csv:3 was rejected)",
      "devices.csv:3: gateway_id: no device 'gw-1' (its row devices.csv:4 was rejected)",
      "devices.csv:4: asset_id: no area 'nowhere'",
    ]);
    expect(r.inventory.devices.size).toBe(0);
  });

  it('resolves assets and gateways registered before, and lets a later import override a kind', async () => {
    const first = await load(withDevices('gw-1,cctv-gateway', 'sen-1,sensor,,smelter'));
    const second = await loadInventoryDir(
      inventoryDir({
        'devices.csv':
          'id,kind,asset_id,gateway_id\ncam-1,cctv,plaza,gw-1\ncam-2,cctv,plaza,sen-1\nsen-1,cctv-gateway,,\n',
      }),
      { existing: first.inventory },
    );
    expect(second.errors).toEqual([]);
    expect(second.inventory.devices.get('sen-1')?.kind).toBe('cctv-gateway');
  });

  it('refuses to turn a registered gateway into another kind while cameras report through it', async () => {
    const first = await load(
      withDevices(
        'gw-1,cctv-gateway',
        'gw-2,cctv-gateway',
        'cam-1,cctv,,plaza,gw-1',
        'cam-2,cctv,,plaza,gw-2',
      ),
    );
    expect(first.errors).toEqual([]);
    const second = await loadInventoryDir(
      inventoryDir({
        'devices.csv':
          'id,kind,asset_id,gateway_id\ngw-1,sensor,smelter,\ngw-2,sensor,smelter,\ncam-2,cctv,plaza,\n',
      }),
      { existing: first.inventory },
    );
    // gw-2 may change: its only camera is moved off it in the same import.
    expect(messages(second)).toEqual([
      "devices.csv:2: kind: 'gw-1' is the cctv-gateway of registered camera(s) cam-1; keep it one",
    ]);
    expect(second.inventory.devices.get('gw-1')?.kind).toBe('cctv-gateway');
    expect(second.inventory.devices.get('gw-2')?.kind).toBe('sensor');
  });

  it('leaves the inventory it merged over untouched', async () => {
    const first = await load(ASSETS);
    const before = structuredClone(first.inventory);
    const second = await loadInventoryDir(
      inventoryDir({
        ...withDevices('cam-1,cctv,,plaza'),
        'areas.csv': 'id,class,district,name\nplaza,key-industry,north,Renamed\n',
      }),
      { existing: first.inventory },
    );
    expect(second.inventory.areas.get('plaza')?.class).toBe('key-industry');
    expect(first.inventory).toEqual(before);
  });
});

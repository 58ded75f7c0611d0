// The hand-made inventories in test/fixtures/inventory-*: what a clean export becomes, and all-or-nothing.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emptyInventory } from '../../registry/inventory.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { BAD, GOOD, load, messages } from './temp-inventory.js';

describe('inventory-good', () => {
  it('reads every file without an error', async () => {
    const r = await loadInventoryDir(GOOD);
    expect(r.errors).toEqual([]);
    expect(r.counts).toEqual({
      areas: { accepted: 3, rejected: 0 },
      pipeSegments: { accepted: 2, rejected: 0 },
      routes: { accepted: 5, rejected: 0 },
      sites: { accepted: 2, rejected: 0 },
      devices: { accepted: 8, rejected: 0 },
    });
  });

  it('fills city.json defaults: windows, threshold scope, clearAt and severity', async () => {
    const { inventory } = await loadInventoryDir(GOOD);
    expect(inventory.city).toEqual({
      name: 'Fixture Borough',
      cctvSharingAgreement: true,
      windows: ['1h', '24h'],
      thresholds: [
        { indicator: 'L2.2.1.b4', scope: 'city', below: 95, clearAt: 96, forS: 300, severity: 'major' },
      ],
    });
  });

  it('turns rows into the inventory the engine uses', async () => {
    const { inventory } = await loadInventoryDir(GOOD);
    expect(inventory.areas.get('station')).toEqual({
      id: 'station',
      class: 'key-public',
      district: 'centre',
      name: 'Main Station, North Hall',
    });
    expect(inventory.areas.get('plaza')?.attributes).toEqual({ ward: 'W1' });
    expect(inventory.pipeSegments.get('p-1')).toEqual({ id: 'p-1', lengthM: 250.5, district: 'centre' });
    expect(inventory.sites.get('smelter')).toEqual({
      id: 'smelter',
      class: 'pollution',
      district: 'east',
      name: 'Smelter',
    });
    expect(inventory.devices.get('cam-1')).toEqual({
      id: 'cam-1',
      kind: 'cctv',
      assetId: 'plaza',
      gatewayId: 'gw-1',
      hd: true,
      expectedIntervalS: 30,
      lat: 37.33,
      lon: -121.89,
      attributes: { model: 'Axis P3245' },
    });
    expect(inventory.devices.get('gw-1')).toEqual({
      id: 'gw-1',
      kind: 'cctv-gateway',
      district: 'centre',
      hd: false,
      expectedIntervalS: 30,
      attributes: { model: 'Moxa UC-8200' },
    });
    expect(inventory.devices.get('cam-3')).toMatchObject({ hd: true, expectedIntervalS: 15 });
    expect(inventory.devices.get('bus-2')).toEqual({
      id: 'bus-2',
      kind: 'transit-beacon',
      hd: false,
      expectedIntervalS: 30,
    });
  });

  it("reads VTA's quoted GTFS rows with their trailing spaces trimmed", async () => {
    const { inventory } = await loadInventoryDir(GOOD);
    expect(inventory.routes.get('201')).toEqual({
      id: '201',
      shortName: '201',
      longName: 'DOWNTOWN AREA SHUTTLE (DASH)',
      type: 3,
      attributes: { agency_id: 'VTA' },
    });
    expect(inventory.routes.get('902')).toMatchObject({
      type: 0,
      attributes: { agency_id: 'VTA', route_color: '7FBF4F' },
    });
  });
});

describe('the whole VTA feed', () => {
  // The in-repo copy of the shared feed (examples/gtfs-vta, see its SOURCE.md).
  const feed = new URL('../../examples/gtfs-vta/routes.txt', import.meta.url);

  it.runIf(existsSync(feed))('imports all 81 routes with every name trimmed', async () => {
    const r = await load({ 'routes.txt': readFileSync(feed, 'utf8') });
    expect(r.errors).toEqual([]);
    expect(r.inventory.routes.size).toBe(81);
    const names = [...r.inventory.routes.values()].flatMap((route) => [route.shortName, route.longName]);
    expect(names.filter((n) => n !== undefined && n !== n.trim())).toEqual([]);
    expect(r.inventory.routes.get('182')?.longName).toBe('PALO ALTO - IBM/BAILEY AVE');
  });
});

describe('inventory-bad', () => {
  const badKind =
    "devices.csv:3: kind: expected one of cctv, cctv-gateway, pipe-monitor, transit-beacon, sensor (got 'camera')";

  it('applies the valid rows and reports the bad one', async () => {
    const r = await loadInventoryDir(BAD);
    expect(messages(r)).toEqual([badKind]);
    expect([...r.inventory.devices.keys()]).toEqual(['cam-1', 'cam-3']);
    expect(r.inventory.areas.size).toBe(2);
  });

  it('with strict, returns the existing inventory itself and applies nothing', async () => {
    const existing = (await loadInventoryDir(GOOD)).inventory;
    const r = await loadInventoryDir(BAD, { strict: true, existing });
    expect(messages(r)).toEqual([badKind]);
    expect(r.inventory).toBe(existing);
    expect(r.counts.devices).toEqual({ accepted: 2, rejected: 1 });
    const alone = await loadInventoryDir(BAD, { strict: true });
    expect(alone.inventory).toEqual(emptyInventory());
  });

  it('with strict and no error, applies everything', async () => {
    const r = await loadInventoryDir(GOOD, { strict: true });
    expect(r.inventory.devices.size).toBe(8);
  });
});

describe('city.json', () => {
  it('reports a threshold that would clear below where it raises', async () => {
    const r = await load({ 'city.json': '{"thresholds":[{"indicator":"L3.1.1","below":95,"clearAt":90}]}' });
    expect(messages(r)).toEqual(['city.json:1: thresholds.0.clearAt: must be >= below (95)']);
  });

  it('reports every problem in one error at line 1, the path of each first', async () => {
    const r = await load({ 'city.json': '{"name":"","thresholds":[{"below":"high","severity":"urgent"}]}' });
    expect(messages(r)).toEqual([
      "city.json:1: name: must not be empty; thresholds.0.indicator: is required; thresholds.0.below: expected number (got 'high'); thresholds.0.severity: expected one of minor, major, critical (got 'urgent')",
    ]);
  });

  it('reads a file with a byte-order mark, and a file that is not an object is an error', async () => {
    expect((await load({ 'city.json': '\uFEFF{"name":"Bom City"}' })).inventory.city.name).toBe('Bom City');
    expect(messages(await load({ 'city.json': '[]' }))).toEqual(['city.json:1: expected object (got [])']);
  });

  it('is optional: the defaults, or those of the registry, stand without it', async () => {
    const r = await load({ 'sites.csv': 'id,class,district\ns,energy,e\n' });
    expect(r.inventory.city).toEqual(emptyInventory().city);
    const existing = (await loadInventoryDir(GOOD)).inventory;
    expect((await loadInventoryDir(BAD, { existing })).inventory.city.name).toBe('Fixture Borough');
  });
});

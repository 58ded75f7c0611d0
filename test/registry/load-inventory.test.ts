// docs/contract.md §1: every row validated, errors as file:line: reason, all-or-nothing on request.
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatRowError, loadInventoryDir } from '../../registry/load-inventory.js';
import { DEVICE_HEADER, inventoryDir, tempDir } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
const VTA_ROUTES = fileURLToPath(new URL('../../../shared/data/gtfs-vta/routes.txt', import.meta.url));

const areas = 'id,class,district,name\nplaza,key-public,centre,Plaza\nplant,key-industry,north,Plant\n';
const errorsOf = async (files: Record<string, string>) =>
  (await loadInventoryDir(inventoryDir({ 'areas.csv': areas, ...files }))).errors.map(formatRowError);

describe('loadInventoryDir', () => {
  it('loads the fixture town with every table and the city settings', async () => {
    const { inventory, errors, counts } = await loadInventoryDir(TOWN);
    expect(errors).toEqual([]);
    expect(counts.devices).toEqual({ accepted: 9, rejected: 0 });
    expect(inventory.city).toMatchObject({
      name: 'Fixture Town',
      cctvSharingAgreement: true,
      windows: ['1h'],
    });
    expect(inventory.pipeSegments.get('p1')).toEqual({ id: 'p1', lengthM: 250, district: 'centre' });
    expect(inventory.routes.get('22')).toMatchObject({
      shortName: '22',
      longName: 'PALO ALTO - EASTRIDGE',
      type: 3,
      district: 'centre',
    });
    expect(inventory.devices.get('cam-1')).toMatchObject({
      kind: 'cctv',
      assetId: 'plaza',
      gatewayId: 'gw-1',
      hd: true,
      expectedIntervalS: 30,
    });
  });

  it("imports a real transit agency's GTFS routes.txt as it is", async () => {
    expect(existsSync(VTA_ROUTES), `the shared VTA feed is expected at ${VTA_ROUTES}`).toBe(true);
    const dir = tempDir();
    copyFileSync(VTA_ROUTES, join(dir, 'routes.txt'));
    const { inventory, errors } = await loadInventoryDir(dir);
    expect(errors).toEqual([]);
    expect(inventory.routes.size).toBe(81);
    const r = inventory.routes.get('10')!;
    expect(r.longName).toBe('SANTA CLARA TRANSIT- METRO AIRPORT');
    expect(r.district).toBeUndefined();
    expect(r.attributes).toMatchObject({ agency_id: 'VTA' }); // extra GTFS columns are kept
  });

  it('defaults expected_interval_s by kind and reads hd in its usual spellings', async () => {
    const { inventory, errors } = await loadInventoryDir(
      inventoryDir({
        'areas.csv': areas,
        'devices.csv': `${DEVICE_HEADER}\ncam-1,cctv,,plaza,,YES,,,\ncam-2,cctv,,plaza,,0,,,\ngw-1,cctv-gateway,centre,,,,,,\nbus-1,transit-beacon,centre,,,,,,\nsen-1,sensor,north,,,,,,\npm-1,pipe-monitor,north,,,,,,\n`,
      }),
    );
    expect(errors).toEqual([]);
    const interval = (id: string) => inventory.devices.get(id)!.expectedIntervalS;
    expect([
      interval('cam-1'),
      interval('gw-1'),
      interval('bus-1'),
      interval('sen-1'),
      interval('pm-1'),
    ]).toEqual([30, 30, 30, 60, 60]);
    expect(inventory.devices.get('cam-1')!.hd).toBe(true);
    expect(inventory.devices.get('cam-2')!.hd).toBe(false);
  });

  it.each([
    ['cam 1,cctv,,plaza,,,,,', /devices\.csv:2: id: must be 1–64 letters/],
    ['cam-1,camera,,plaza,,,,,', /devices\.csv:2: kind: .*\(got 'camera'\)/],
    ['cam-1,cctv,,plaza,,maybe,,,', /devices\.csv:2: hd: must be true or false, got 'maybe'/],
    ['cam-1,cctv,,plaza,,,-5,,', /devices\.csv:2: expected_interval_s: must be > 0/],
    ['cam-1,cctv,,plaza,,,,91,', /devices\.csv:2: lat: must be within \[-90, 90\]/],
    ['cam-1,cctv,,mall,,,,,', /devices\.csv:2: asset_id: no area 'mall'/],
    ['pm-1,pipe-monitor,,plaza,,,,,', /devices\.csv:2: asset_id: no pipe segment 'plaza'/],
    ['cam-1,cctv,,plaza,gw-9,,,,', /devices\.csv:2: gateway_id: no device 'gw-9'/],
    ['cam-1,cctv,,plaza,cam-1,,,,', /devices\.csv:2: gateway_id: 'cam-1' is a cctv, not a cctv-gateway/],
    ['sen-1,sensor,north,,gw-1,,,,', /devices\.csv:2: gateway_id: only cameras/],
    ['cam-1,cctv,,plaza', /devices\.csv:2: has 4 fields, the header has 9/],
  ])('rejects the device row %s', async (row, message) => {
    const errors = await errorsOf({ 'devices.csv': `${DEVICE_HEADER}\n${row}\n` });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it('accepts a gateway defined after its cameras', async () => {
    const errors = await errorsOf({
      'devices.csv': `${DEVICE_HEADER}\ncam-1,cctv,,plaza,gw-1,,,,\ngw-1,cctv-gateway,centre,,,,,,\n`,
    });
    expect(errors).toEqual([]);
  });

  it('rejects a duplicate id on the later row, naming the first', async () => {
    const errors = await errorsOf({
      'devices.csv': `${DEVICE_HEADER}\ncam-1,cctv,,plaza,,,,,\ncam-1,cctv,,plant,,,,,\n`,
    });
    expect(errors).toEqual(["devices.csv:3: duplicate id 'cam-1' (first on line 2)"]);
  });

  it('rejects bad asset rows with their line numbers', async () => {
    const errors = await errorsOf({
      'pipe_segments.csv': 'id,length_m,district\np1,-3,north\np2,abc,north\np3,10,\n',
      'sites.csv': 'id,class,district,name\ns1,factory,north,S\n',
    });
    expect(errors).toEqual([
      "pipe_segments.csv:2: length_m: must be > 0 (got '-3')",
      "pipe_segments.csv:3: length_m: must be a number, got 'abc'",
      'pipe_segments.csv:4: district: is required',
      expect.stringMatching(/^sites\.csv:2: class: .*\(got 'factory'\)$/),
    ]);
  });

  it('skips a file whose header lacks a required column, with one error', async () => {
    const errors = await errorsOf({ 'pipe_segments.csv': 'id,length,district\np1,10,north\n' });
    expect(errors).toEqual(['pipe_segments.csv:1: header lacks column(s) length_m: file skipped']);
  });

  it('keeps extra columns as attributes', async () => {
    const { inventory } = await loadInventoryDir(
      inventoryDir({
        'pipe_segments.csv': 'id,length_m,district,material\np1,10,north,cast iron\np2,5,north,\n',
      }),
    );
    expect(inventory.pipeSegments.get('p1')!.attributes).toEqual({ material: 'cast iron' });
    expect(inventory.pipeSegments.get('p2')).not.toHaveProperty('attributes');
  });

  it('reports a bad city.json and keeps the defaults', async () => {
    const dir = inventoryDir({
      'city.json': '{"windows":["1 hour"],"cctvSharingAgreement":"yes"}',
      'areas.csv': areas,
    });
    const { errors, inventory } = await loadInventoryDir(dir);
    expect(errors.map(formatRowError)).toEqual([
      expect.stringMatching(/^city\.json:1: cctvSharingAgreement: .*; windows\.0: must be a whole number/),
    ]);
    expect(inventory.city.windows).toEqual(['1h', '24h']);
    const broken = await loadInventoryDir(inventoryDir({ 'city.json': '{"name":' }));
    expect(formatRowError(broken.errors[0])).toMatch(/^city\.json:1: not valid JSON/);
  });

  it('rejects an unknown key in city.json, so a typo never silently means the default', async () => {
    const { errors } = await loadInventoryDir(inventoryDir({ 'city.json': '{"cctvSharingAgrement":true}' }));
    expect(errors.map(formatRowError)).toEqual([
      expect.stringMatching(/^city\.json:1: .*"cctvSharingAgrement"/),
    ]);
  });

  it('applies the valid rows, or with strict none at all', async () => {
    const files = {
      'areas.csv': areas,
      'devices.csv': `${DEVICE_HEADER}\ncam-1,cctv,,plaza,,,,,\ncam-2,cctv,,nowhere,,,,,\n`,
    };
    const lenient = await loadInventoryDir(inventoryDir(files));
    expect([...lenient.inventory.devices.keys()]).toEqual(['cam-1']);
    expect(lenient.counts.devices).toEqual({ accepted: 1, rejected: 1 });
    const strict = await loadInventoryDir(inventoryDir(files), { strict: true });
    expect(strict.inventory.devices.size).toBe(0);
    expect(strict.inventory.areas.size).toBe(0);
    expect(strict.errors).toHaveLength(1);
  });

  it('resolves references into an existing registry and merges over it without changing it', async () => {
    const first = await loadInventoryDir(inventoryDir({ 'areas.csv': areas }));
    const second = await loadInventoryDir(
      inventoryDir({ 'devices.csv': `${DEVICE_HEADER}\ncam-1,cctv,,plaza,,,,,\n` }),
      {
        existing: first.inventory,
      },
    );
    expect(second.errors).toEqual([]);
    expect(second.inventory.areas.size).toBe(2);
    expect(second.inventory.devices.size).toBe(1);
    expect(first.inventory.devices.size).toBe(0);
  });

  it('refuses a folder that does not exist or holds no inventory file, naming the fix', async () => {
    await expect(loadInventoryDir('/nonexistent/city')).rejects.toMatchObject({ code: 'ERR_INVENTORY_DIR' });
    await expect(loadInventoryDir(tempDir())).rejects.toThrow(
      /holds none of the inventory files: put city\.json, areas\.csv/,
    );
  });
});

// The rules of a single row (docs/contract.md §1), each with the `file:line: reason` a person is shown.
// load-inventory.test.ts has one case per rule; these pin the edges of each.
import { describe, expect, it } from 'vitest';
import { DEFAULT_INTERVAL_S, DEVICE_KINDS } from '../../registry/inventory.js';
import { ASSETS, load, messages, withDevices } from './temp-inventory.js';

const ID_RULE = 'id: must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit';

describe('devices.csv rows', () => {
  it('rejects an id that is not safe inside an MQTT topic level, and takes one that is', async () => {
    const longest = `a${'b'.repeat(63)}`;
    const rows = ['cam/1', `${longest}x`, '-cam', 'cam+1', longest, 'cam.1_x-2'];
    const r = await load(withDevices(...rows.map((id) => `${id},cctv,,plaza`)));
    expect(messages(r)).toEqual([
      `devices.csv:2: ${ID_RULE} (got 'cam/1')`,
      expect.stringMatching(/^devices\.csv:3: id: at most 64 characters \(got 'abbbb+\.\.\.\)$/), // long values are cut
      `devices.csv:4: ${ID_RULE} (got '-cam')`,
      `devices.csv:5: ${ID_RULE} (got 'cam+1')`,
    ]);
    expect([...r.inventory.devices.keys()]).toEqual([longest, 'cam.1_x-2']);
  });

  it('names every kind there is when the kind is unknown', async () => {
    const r = await load(withDevices('cam-1,camera,,plaza', 'cam-2,,,plaza'));
    expect(messages(r)).toEqual([
      "devices.csv:2: kind: expected one of cctv, cctv-gateway, pipe-monitor, transit-beacon, sensor (got 'camera')",
      'devices.csv:3: kind: is required: one of cctv, cctv-gateway, pipe-monitor, transit-beacon, sensor',
    ]);
    expect(r.counts.devices).toEqual({ accepted: 0, rejected: 2 });
  });

  it('reads hd as true/false/1/0/yes/no in any case, and an empty cell as false', async () => {
    const spellings = ['true', 'false', '1', '0', 'yes', 'no', '', 'TRUE', 'No'];
    const r = await load(
      withDevices(...spellings.map((hd, i) => `cam-${i},cctv,,plaza,,${hd}`), 'cam-x,cctv,,plaza,,y'),
    );
    expect(messages(r)).toEqual([
      "devices.csv:11: hd: must be true or false, got 'y' (1/0, yes/no and empty do too)",
    ]);
    const hd = spellings.map((_, i) => r.inventory.devices.get(`cam-${i}`)?.hd);
    expect(hd).toEqual([true, false, true, false, true, false, false, true, false]);
  });

  it('defaults expected_interval_s for every kind, and keeps one that is given', async () => {
    const asset = {
      cctv: 'plaza',
      'cctv-gateway': '',
      'pipe-monitor': 'p-1',
      'transit-beacon': '22',
      sensor: 'smelter',
    };
    const rows = DEVICE_KINDS.map((kind) => `d-${kind},${kind},centre,${asset[kind]}`);
    const r = await load(withDevices(...rows, 'slow,sensor,,smelter,,,900', 'fast,cctv,,plaza,,,0.5'));
    expect(r.errors).toEqual([]);
    const intervals = Object.fromEntries(
      DEVICE_KINDS.map((k) => [k, r.inventory.devices.get(`d-${k}`)?.expectedIntervalS]),
    );
    expect(intervals).toEqual({
      cctv: 30,
      'cctv-gateway': 30,
      'pipe-monitor': 60,
      'transit-beacon': 30,
      sensor: 60,
    });
    expect(intervals).toEqual(DEFAULT_INTERVAL_S);
    expect(r.inventory.devices.get('slow')?.expectedIntervalS).toBe(900);
    expect(r.inventory.devices.get('fast')?.expectedIntervalS).toBe(0.5);
  });

  it('takes a plain decimal interval only, and a positive one', async () => {
    const r = await load(
      withDevices(
        ...['0', '-5', '1m', '0x10', 'Infinity', '1e2'].map((s, i) => `d${i},sensor,,smelter,,,${s}`),
      ),
    );
    expect(messages(r)).toEqual([
      "devices.csv:2: expected_interval_s: must be > 0 (got '0')",
      "devices.csv:3: expected_interval_s: must be > 0 (got '-5')",
      "devices.csv:4: expected_interval_s: must be a number, got '1m'",
      "devices.csv:5: expected_interval_s: must be a number, got '0x10'",
      "devices.csv:6: expected_interval_s: must be a number, got 'Infinity'",
    ]);
    expect(r.inventory.devices.get('d5')?.expectedIntervalS).toBe(100);
  });

  it('keeps lat and lon within their ranges, bounds included; either may be left out', async () => {
    const r = await load(
      withDevices(
        'a,cctv,,plaza,,,,90,-180',
        'b,cctv,,plaza,,,,-90.5,',
        'c,cctv,,plaza,,,,,180.01',
        'd,cctv,,plaza,,,,45,',
      ),
    );
    expect(messages(r)).toEqual([
      "devices.csv:3: lat: must be within [-90, 90] (got '-90.5')",
      "devices.csv:4: lon: must be within [-180, 180] (got '180.01')",
    ]);
    expect(r.inventory.devices.get('a')).toMatchObject({ lat: 90, lon: -180 });
    expect(r.inventory.devices.get('d')).toEqual({
      id: 'd',
      kind: 'cctv',
      assetId: 'plaza',
      hd: false,
      expectedIntervalS: 30,
      lat: 45,
    });
  });

  it('reports every problem of a row in one error, and counts the row once', async () => {
    const r = await load(withDevices('x,camera,,plaza,,perhaps'));
    expect(messages(r)).toEqual([
      "devices.csv:2: kind: expected one of cctv, cctv-gateway, pipe-monitor, transit-beacon, sensor (got 'camera'); hd: must be true or false, got 'perhaps' (1/0, yes/no and empty do too)",
    ]);
    expect(r.counts.devices.rejected).toBe(1);
  });
});

describe('asset rows', () => {
  it('rejects a pipe segment whose length is not above zero', async () => {
    const r = await load({
      'pipe_segments.csv': 'id,length_m,district\np-1,0,centre\np-2,,centre\np-3,12.5,centre\n',
    });
    expect(messages(r)).toEqual([
      "pipe_segments.csv:2: length_m: must be > 0 (got '0')",
      'pipe_segments.csv:3: length_m: is required',
    ]);
    expect(r.inventory.pipeSegments.get('p-3')).toEqual({ id: 'p-3', lengthM: 12.5, district: 'centre' });
  });

  it('rejects an unknown or missing class, and a district that would break an MQTT topic', async () => {
    const r = await load({
      'areas.csv':
        'id,class,district,name\na,key-public,Old Town,A\nb,public,centre,B\nc,,centre,C\nd,key-public,north/east,D\ne,key-public,#1,E\n',
    });
    expect(messages(r)).toEqual([
      "areas.csv:3: class: expected one of key-public, key-industry (got 'public')",
      'areas.csv:4: class: is required: one of key-public, key-industry',
      `areas.csv:5: district: must not contain "/", "+", "#" or control characters (got 'north/east')`,
      `areas.csv:6: district: must not contain "/", "+", "#" or control characters (got '#1')`,
    ]);
    expect(r.inventory.areas.get('a')?.district).toBe('Old Town');
  });

  it('rejects a repeated id in any file, on the later row', async () => {
    const r = await load({
      ...ASSETS,
      'routes.txt': 'route_id\n22\n23\n22\n',
      'sites.csv': 'id,class,district\ns,energy,e\ns,energy,e\n',
    });
    expect(messages(r)).toEqual([
      "routes.txt:4: duplicate route_id '22' (first on line 2)",
      "sites.csv:3: duplicate id 's' (first on line 2)",
    ]);
  });

  it('keeps every extra column as an attribute, and leaves out empty cells', async () => {
    const r = await load({
      'sites.csv':
        'id,class,district,name,operator,permit\ns1,energy,east,S1,Grid Co,\ns2,energy,east,S2,,\n',
    });
    expect(r.inventory.sites.get('s1')).toEqual({
      id: 's1',
      class: 'energy',
      district: 'east',
      name: 'S1',
      attributes: { operator: 'Grid Co' },
    });
    expect(r.inventory.sites.get('s2')).not.toHaveProperty('attributes');
  });
});

describe('files', () => {
  it('counts the rows of a file skipped for its header as rejected', async () => {
    const r = await load({ ...ASSETS, 'areas.csv': 'id,name,district\na,A,centre\nb,B,centre\n' });
    expect(messages(r)).toEqual(['areas.csv:1: header lacks column(s) class: file skipped']);
    expect(r.counts.areas).toEqual({ accepted: 0, rejected: 2 });
    expect(r.skippedFiles).toEqual(['areas.csv']);
    expect(r.inventory.sites.size).toBe(1);
  });

  it('skips a file whose header repeats a column', async () => {
    const r = await load({ 'areas.csv': 'id,class,district,name,name\na,key-public,c,A,B\n' });
    expect(messages(r)).toEqual(['areas.csv:1: header repeats column(s) name: file skipped']);
  });

  it('rejects a row with fewer or more cells than the header', async () => {
    const r = await load({
      'sites.csv': 'id,class,district,name\ns1,energy,east\ns2,energy,east,S2,extra\ns3,energy,east,S3\n',
    });
    expect(messages(r)).toEqual([
      'sites.csv:2: has 3 fields, the header has 4',
      'sites.csv:3: has 5 fields, the header has 4',
    ]);
    expect([...r.inventory.sites.keys()]).toEqual(['s3']);
  });

  it('ignores rows of empty cells that spreadsheets leave below the data', async () => {
    const r = await load({ 'sites.csv': 'id,class,district,name\ns1,energy,east,S1\n,,,\n , , , \n' });
    expect(r.errors).toEqual([]);
    expect(r.counts.sites).toEqual({ accepted: 1, rejected: 0 });
  });

  it('reports an empty file rather than reading it as no assets', async () => {
    const r = await load({ ...ASSETS, 'sites.csv': '' });
    expect(messages(r)).toEqual(['sites.csv:1: is empty: expected a header row with id, class, district']);
    expect(r.skippedFiles).toEqual(['sites.csv']);
  });
});

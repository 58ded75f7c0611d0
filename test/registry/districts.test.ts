// Declared districts (issue 10 item 2): a city declares its districts once in city.json, and a row naming
// any other is refused with the ones it knows; a city that declares none keeps docs/contract.md §1's rule.
import { describe, expect, it } from 'vitest';
import { districtsOf } from '../../registry/inventory.js';
import { ASSETS, load, messages, withDevices } from './temp-inventory.js';

const city = (districts: unknown) => JSON.stringify({ name: 'T', districts });
const DECLARED = [
  { id: 'centre', name: 'Centre' },
  { id: 'east', name: 'East' },
];

describe('declared districts', () => {
  it('refuses a row of any table naming an undeclared district, and says which are known', async () => {
    const r = await load({
      ...withDevices('cam-1,cctv,,plaza', 'bus-1,transit-beacon,atlantis'),
      'city.json': city(DECLARED),
      'areas.csv': 'id,class,district,name\nplaza,key-public,centre,Plaza\nmall,key-public,atlantis,Mall\n',
      'routes.txt': 'route_id,district\n22,centre\n23,Centre\n',
    });
    expect(messages(r)).toEqual([
      "areas.csv:3: unknown district 'atlantis' (known: centre, east)",
      "routes.txt:3: unknown district 'Centre' (known: centre, east)",
      "devices.csv:3: unknown district 'atlantis' (known: centre, east)",
    ]);
    expect([...r.inventory.areas.keys()]).toEqual(['plaza']);
    expect([...r.inventory.devices.keys()]).toEqual(['cam-1']);
    expect(r.inventory.city.districts).toEqual(DECLARED);
  });

  it('lists at most 20 known districts in the refusal', async () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ id: `d${String(i).padStart(2, '0')}` }));
    const r = await load({ ...withDevices('bus-1,transit-beacon,atlantis'), 'city.json': city(many) });
    const refusal = messages(r).find((m) => m.startsWith('devices.csv:2'));
    expect(refusal).toBe(
      `devices.csv:2: unknown district 'atlantis' (known: ${many
        .slice(0, 20)
        .map((d) => d.id)
        .join(', ')} and 5 more)`,
    );
  });

  it('takes every district the rows name when city.json declares none, as before', async () => {
    const r = await load({ ...withDevices('bus-1,transit-beacon,atlantis'), 'city.json': '{"name":"T"}' });
    expect(messages(r)).toEqual([]);
    expect(r.inventory.city.districts).toBeUndefined();
    expect(districtsOf(r.inventory)).toEqual(['atlantis', 'centre', 'east']);
  });

  it('makes a declared district with nothing in it yet a scope, named by its id unless given a name', async () => {
    const r = await load({ ...ASSETS, 'city.json': city([...DECLARED, { id: 'west' }]) });
    expect(districtsOf(r.inventory)).toEqual(['centre', 'east', 'west']);
    expect(r.inventory.city.districts?.[2]).toEqual({ id: 'west', name: 'west' });
  });

  it('keeps the declared districts when a later city.json says nothing of them', async () => {
    const first = await load({ ...ASSETS, 'city.json': city(DECLARED) });
    const r = await load(
      { 'city.json': '{"name":"Renamed"}', 'areas.csv': 'id,class,district,name\nx,key-public,atlantis,X\n' },
      { existing: first.inventory },
    );
    expect(r.inventory.city.name).toBe('Renamed');
    expect(r.inventory.city.districts).toEqual(DECLARED);
    expect(messages(r)).toEqual(["areas.csv:2: unknown district 'atlantis' (known: centre, east)"]);
  });

  it('checks declarations: ids as topic levels, unique, outlines as GeoJSON polygons', async () => {
    const square = [
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 0],
      ],
    ];
    const good = await load({
      ...ASSETS,
      'city.json': city([
        { id: 'centre', name: 'Centre', outline: { type: 'Polygon', coordinates: square } },
      ]),
    });
    expect(good.inventory.city.districts?.[0].outline).toEqual({ type: 'Polygon', coordinates: square });
    const bad = await load({
      'city.json': city([
        { id: 'a/b' },
        { id: 'x', outline: { type: 'Point', coordinates: [0, 0] } },
        { id: 'y', name: 'n'.repeat(201) },
      ]),
    });
    const reason = messages(bad)[0];
    expect(reason).toMatch(/^city\.json:1: /);
    expect(reason).toContain('districts.0.id: must not contain "/", "+", "#" or control characters');
    expect(reason).toContain('districts.1.outline.type');
    expect(reason).toContain('districts.2.name: at most 200 characters');
    const twice = await load({ 'city.json': city([{ id: 'east' }, { id: 'west' }, { id: 'east' }]) });
    expect(messages(twice)).toEqual(["city.json:1: districts.2.id: 'east' is declared twice"]);
  });
});

// How long each device has been down and why, as GET /api/devices/down and the map's cells tell it
// (issue 15 item 1): never heard, silent past its expected interval, offline by its own word, behind a
// gateway that is down, in maintenance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecentMessages } from '../../engine/recent-messages.js';
import { at, TestCity } from '../support/city.js';
import { type FullApi, fullApi } from '../support/full-api.js';

const iso = (seconds: number) => new Date(at(seconds)).toISOString();

const city = new TestCity({
  devices: [
    { id: 'gw-1', kind: 'cctv-gateway', district: 'centre', lat: 48.1, lon: 11.5 },
    { id: 'cam-1', kind: 'cctv', district: 'centre', gatewayId: 'gw-1', lat: 48.1001, lon: 11.5001 },
    { id: 'sen-quiet', kind: 'sensor', district: 'north', expectedIntervalS: 60, lat: 48.2, lon: 11.6 },
    { id: 'sen-said', kind: 'sensor', district: 'north', lat: 48.2001, lon: 11.6001 },
    { id: 'sen-never', kind: 'sensor', district: 'north', lat: 48.15, lon: 11.55 },
    { id: 'sen-ok', kind: 'sensor', district: 'north', lat: 48.15, lon: 11.55 },
    { id: 'sen-nowhere', kind: 'sensor', district: 'north' },
  ],
});
let api: FullApi;
const get = (url: string) => api.get(url);

beforeAll(async () => {
  api = await fullApi({ deviceStatus: { engine: () => city.engine, recent: new RecentMessages() } });
  city.status(0, 'cctv-gateway', 'gw-1');
  city.status(0, 'cctv', 'cam-1', { video: 'ok', shared: true });
  city.heartbeat(0, 'sensor', 'sen-quiet');
  city.status(0, 'sensor', 'sen-said');
  city.status(60, 'cctv-gateway', 'gw-1');
  city.status(60, 'cctv', 'cam-1', { video: 'ok', shared: true });
  city.status(100, 'sensor', 'sen-said', { state: 'offline' });
  city.status(120, 'cctv-gateway', 'gw-1', { state: 'offline' });
  city.heartbeat(3590, 'sensor', 'sen-ok');
  city.engine.advanceTo(at(3600));
});
afterAll(async () => api?.close());

describe('GET /api/devices/down: how long and why', () => {
  it('says why each device is down and since when, the ones once heard first', async () => {
    const down = await get('/api/devices/down');
    expect(down.count).toBe(6);
    const rows = down.devices.map((d: Record<string, unknown>) => [d.id, d.cause, d.gateway, d.since]);
    expect(rows).toEqual([
      ['gw-1', 'offline', null, iso(120)],
      // Its gateway said offline: the camera is dark behind it, not broken itself.
      ['cam-1', 'behind-gateway', 'gw-1', iso(120)],
      // Silent: nothing for 3 × 60 s after its heartbeat at 0 s.
      ['sen-quiet', 'silent', null, iso(180)],
      ['sen-said', 'offline', null, iso(100)],
      ['sen-never', 'never-heard', null, null],
      ['sen-nowhere', 'never-heard', null, null],
    ]);
    const quiet = down.devices.find((d: { id: string }) => d.id === 'sen-quiet');
    expect(quiet).toMatchObject({ lastSeen: iso(0), expectedIntervalS: 60, reason: 'offline' });
  });

  it('documents the causes in the OpenAPI document', async () => {
    const doc = await get('/docs/json');
    const schema = JSON.stringify(doc.paths['/api/devices/down'].get.responses['200']);
    for (const cause of ['never-heard', 'silent', 'offline', 'behind-gateway', 'maintenance'])
      expect(schema).toContain(`"${cause}"`);
  });
});

describe('GET /api/devices/map: cells, not a million points', () => {
  it('gathers the placed devices into cells with their down counts, and lists the down ones', async () => {
    const map = await get('/api/devices/map?cells=4&downCap=3');
    expect(map).toMatchObject({ total: 7, placed: 6, downPlaced: 5, truncated: true });
    expect(map.bounds).toEqual({ south: 48.1, west: 11.5, north: 48.2001, east: 11.6001 });
    expect(map.cells.reduce((s: number, c: { count: number }) => s + c.count, 0)).toBe(6);
    expect(map.cells.length).toBeLessThanOrEqual(16);
    // gw-1 and cam-1 share a cell near (48.1, 11.5), both down.
    expect(map.cells[0]).toMatchObject({ count: 2, down: 2 });
    expect(map.cells[0].lat).toBeCloseTo(48.10005, 9);
    expect(map.cells[0].lon).toBeCloseTo(11.50005, 9);
    expect(map.down).toEqual([
      { id: 'gw-1', kind: 'cctv-gateway', lat: 48.1, lon: 11.5, cause: 'offline' },
      { id: 'cam-1', kind: 'cctv', lat: 48.1001, lon: 11.5001, cause: 'behind-gateway' },
      { id: 'sen-quiet', kind: 'sensor', lat: 48.2, lon: 11.6, cause: 'silent' },
    ]);
    expect(map.districts).toEqual([
      { id: 'centre', count: 2, down: 2 },
      { id: 'north', count: 5, down: 4 },
    ]);
  });

  it('refuses a grid too fine to stay small', async () => {
    const res = await api.app.inject({
      url: '/api/devices/map?cells=5000',
      headers: { authorization: `Bearer ${api.adminToken}` },
    });
    expect(res.statusCode).toBe(400);
  });
});

// docs/contract.md §3 as a field engineer reads it for one device: online, available, why not, since when.
import { describe, expect, it } from 'vitest';
import { deviceStatus } from '../../engine/device-status.js';
import { at, TestCity } from '../support/city.js';

const iso = (seconds: number) => new Date(at(seconds)).toISOString();

const city = () =>
  new TestCity({
    areas: [{ id: 'plaza', class: 'key-public', district: 'centre' }],
    sites: [{ id: 'smelter', class: 'pollution', district: 'north' }],
    devices: [
      { id: 'sen-1', kind: 'sensor', assetId: 'smelter', district: 'south', expectedIntervalS: 60 },
      { id: 'gw-1', kind: 'cctv-gateway', district: 'centre' },
      { id: 'cam-1', kind: 'cctv', assetId: 'plaza', gatewayId: 'gw-1' },
      { id: 'cam-2', kind: 'cctv', assetId: 'plaza' },
    ],
  });

describe('deviceStatus', () => {
  it('reports a device never heard as offline, with no since, lastSeen or staleAt', () => {
    expect(deviceStatus(city().engine, 'sen-1')).toEqual({
      id: 'sen-1',
      kind: 'sensor',
      district: 'north', // docs/contract.md §3: its asset's district before its own
      online: false,
      available: false,
      reason: 'offline',
      since: null,
      lastSeen: null,
      staleAt: null,
      expectedIntervalS: 60,
    });
  });

  it('is online once heard, stale 3 × interval later, and offline since that deadline after', () => {
    const c = city();
    c.heartbeat(10, 'sensor', 'sen-1');
    expect(deviceStatus(c.engine, 'sen-1')).toMatchObject({
      online: true,
      available: true,
      reason: null,
      since: iso(10),
      lastSeen: iso(10),
      staleAt: iso(190),
    });
    c.engine.snapshot(at(191));
    expect(deviceStatus(c.engine, 'sen-1')).toMatchObject({
      online: false,
      available: false,
      reason: 'offline',
      since: iso(190),
      lastSeen: iso(10),
      staleAt: iso(190),
    });
  });

  it('says a camera is behind an offline gateway, and the gateway itself is offline', () => {
    const c = city();
    c.status(0, 'cctv-gateway', 'gw-1');
    c.status(0, 'cctv', 'cam-1');
    expect(deviceStatus(c.engine, 'cam-1')).toMatchObject({ online: true, reason: null });
    c.send(20, 'city/cctv-gateway/gw-1/status', { state: 'offline' });
    expect(deviceStatus(c.engine, 'cam-1')).toMatchObject({
      online: false,
      available: false,
      reason: 'behind-offline-gateway',
      since: iso(20),
      lastSeen: iso(0),
    });
    expect(deviceStatus(c.engine, 'gw-1')).toMatchObject({ reason: 'offline', since: iso(20) });
  });

  it('calls an online camera with lost video unavailable, for video-lost', () => {
    const c = city();
    c.status(0, 'cctv', 'cam-2', { video: 'lost' });
    expect(deviceStatus(c.engine, 'cam-2')).toMatchObject({
      online: true,
      available: false,
      reason: 'video-lost',
    });
  });

  it('knows nothing of an unregistered id', () => {
    expect(deviceStatus(city().engine, 'ghost')).toBeUndefined();
  });
});

// The devices down for the dashboard map: published at once, then only on a change, at most every 5 s.
import { describe, expect, it } from 'vitest';
import { rebuildEngine } from '../../engine/carry-over.js';
import { type DownDocument, DownPublisher, devicesDown } from '../../engine/down-publisher.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { at, TestCity } from '../support/city.js';

const iso = (seconds: number) => new Date(at(seconds)).toISOString();

const city = () =>
  new TestCity({
    devices: [
      { id: 'sen-1', kind: 'sensor', district: 'north', lat: 48.1, lon: 11.5 },
      { id: 'sen-2', kind: 'sensor', district: 'north' },
      { id: 'gw-1', kind: 'cctv-gateway', district: 'centre' },
      { id: 'cam-1', kind: 'cctv', district: 'centre', gatewayId: 'gw-1' },
    ],
  });

const watch = (c: TestCity, opts = {}) => {
  const sent: DownDocument[] = [];
  const publisher = new DownPublisher(
    c.engine,
    (topic, payload) => {
      expect(topic).toBe('city/devices/down');
      sent.push(JSON.parse(payload));
    },
    opts,
  );
  const tick = (seconds: number) => publisher.onSnapshot(c.engine.snapshot(at(seconds)));
  return { sent, publisher, tick };
};

describe('DownPublisher', () => {
  it('publishes the first document at once, with where each device stands', () => {
    const c = city();
    const { sent, tick } = watch(c);
    expect(tick(0)).toBe(true);
    expect(sent).toEqual([
      {
        ts: iso(0),
        count: 4,
        total: 4,
        maintenance: 0,
        neverHeard: 4,
        devices: [
          {
            id: 'sen-1',
            kind: 'sensor',
            district: 'north',
            lat: 48.1,
            lon: 11.5,
            reason: 'offline',
            cause: 'never-heard',
            gateway: null,
            since: null,
            lastSeen: null,
            expectedIntervalS: 60,
          },
          {
            id: 'sen-2',
            kind: 'sensor',
            district: 'north',
            lat: null,
            lon: null,
            reason: 'offline',
            cause: 'never-heard',
            gateway: null,
            since: null,
            lastSeen: null,
            expectedIntervalS: 60,
          },
          {
            id: 'gw-1',
            kind: 'cctv-gateway',
            district: 'centre',
            lat: null,
            lon: null,
            reason: 'offline',
            cause: 'never-heard',
            gateway: null,
            since: null,
            lastSeen: null,
            expectedIntervalS: 30,
          },
          {
            id: 'cam-1',
            kind: 'cctv',
            district: 'centre',
            lat: null,
            lon: null,
            reason: 'offline',
            cause: 'never-heard',
            gateway: null,
            since: null,
            lastSeen: null,
            expectedIntervalS: 30,
          },
        ],
      },
    ]);
  });

  it('stays quiet while nothing changes, and publishes a change no sooner than 5 s after the last', () => {
    const c = city();
    const { sent, tick } = watch(c);
    tick(0);
    for (let s = 1; s <= 12; s++) expect(tick(s)).toBe(false);
    c.heartbeat(13, 'sensor', 'sen-1');
    expect(tick(13)).toBe(false);
    expect(tick(14)).toBe(false);
    expect(tick(15)).toBe(true);
    expect(sent[1]).toMatchObject({ ts: iso(15), count: 3, total: 4 });
    expect(sent[1].devices.map((d) => d.id)).toEqual(['sen-2', 'gw-1', 'cam-1']);
    // A camera heard while its gateway is silent changes only its reason: that is a change too.
    c.status(16, 'cctv', 'cam-1');
    for (let s = 16; s < 20; s++) expect(tick(s)).toBe(false);
    expect(tick(20)).toBe(true);
    expect(sent[2].devices.find((d) => d.id === 'cam-1')).toMatchObject({
      reason: 'behind-offline-gateway',
      cause: 'behind-gateway',
      gateway: 'gw-1',
      since: null,
      lastSeen: iso(16),
    });
    // Once heard, it comes before the devices never heard.
    expect(sent[2].devices.map((d) => d.id)).toEqual(['cam-1', 'sen-2', 'gw-1']);
    expect(sent).toHaveLength(3);
  });

  it('caps the list and says so, keeping the count exact', () => {
    const c = city();
    const { sent, tick } = watch(c, { limit: 2 });
    tick(0);
    // The never-heard count is exact too, not the count of those that fit the list.
    expect(sent[0]).toMatchObject({ count: 4, total: 4, neverHeard: 4, truncated: true });
    expect(sent[0].devices.map((d) => d.id)).toEqual(['sen-1', 'sen-2']);
    expect(devicesDown(c.engine, at(0), 2)).toEqual(sent[0]);
    expect(devicesDown(c.engine, at(0))).not.toHaveProperty('truncated');
  });

  it('publishes again after the engine is rebuilt on a registry change', () => {
    const c = city();
    const { sent, publisher, tick } = watch(c);
    c.heartbeat(0, 'sensor', 'sen-2');
    tick(0);
    const inventory = { ...c.engine.inventory, devices: new Map(c.engine.inventory.devices) };
    inventory.devices.delete('sen-1');
    const next = rebuildEngine(c.engine, inventory, buildCatalogue(LIVE_CATALOGUE));
    publisher.setEngine(next);
    expect(publisher.onSnapshot(next.snapshot(at(5)))).toBe(true);
    expect(sent[1]).toMatchObject({ count: 2, total: 3 });
    expect(sent[1].devices.map((d) => d.id)).toEqual(['gw-1', 'cam-1']);
  });
});

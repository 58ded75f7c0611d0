// The registry's broker policy as plain calls (docs/contract.md §2): who is who, and who may say what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryPolicy } from '../../broker/registry-policy.js';
import type { CredentialStore } from '../../registry/credentials.js';
import { RegistryStore } from '../../registry/store.js';
import { makeInventory } from '../support/city.js';
import { tempDir } from '../support/tmp.js';
import { CITY } from './harness.js';

let store: RegistryStore;
let credentials: CredentialStore;
const tokens: Record<string, string> = {};
const inventory = makeInventory(CITY);
let policy: RegistryPolicy;

beforeAll(async () => {
  store = await RegistryStore.open(tempDir('citygauge-policy-'));
  credentials = store.credentials();
  for (const id of ['pm-1', 'gw-1', 'cam-1', 'ghost']) tokens[id] = credentials.issue(id, 'device');
  tokens['service:engine'] = credentials.issue('service:engine', 'service');
  tokens['service:other'] = credentials.issue('service:other', 'service');
  tokens.admin = credentials.issue('admin', 'admin');
  policy = new RegistryPolicy(inventory, credentials);
});
afterAll(() => store.close());

const login = (user: string | undefined, token?: string) => policy.authenticate(user, token, '10.0.0.7');
const device = (id: string) => {
  const p = login(id, tokens[id]);
  if (typeof p === 'string' || p.type !== 'device') throw new Error(`${id} did not log in: ${String(p)}`);
  return p;
};

describe('authenticate', () => {
  it('knows a device by its id and token', () => {
    expect(device('pm-1')).toMatchObject({ type: 'device', id: 'pm-1', kind: 'pipe-monitor' });
  });

  it('tells a wrong token from an unknown user (for the logs; the client sees the same refusal)', () => {
    expect(login('pm-1', tokens['gw-1'])).toBe('bad-credentials');
    expect(login('pm-1', undefined)).toBe('bad-credentials');
    expect(login('nobody', 'x')).toBe('unknown-user');
    expect(login('ghost', tokens.ghost)).toBe('unknown-user'); // a token without a registered device
  });

  it('knows the service accounts, and nothing else with a service or admin token', () => {
    expect(login('service:engine', tokens['service:engine'])).toMatchObject({
      type: 'service',
      read: ['city/#'],
      write: ['city/indicators/#', 'city/alerts/#', 'city/devices/down', 'city/incidents/#'],
    });
    expect(login('service:other', tokens['service:other'])).toBe('unknown-user');
    expect(login('admin', tokens.admin)).toBe('unknown-user');
  });

  it('refuses anonymous clients unless allowed', () => {
    expect(login(undefined)).toBe('unknown-user');
    const open = new RegistryPolicy(inventory, credentials, { allowAnonymous: true });
    expect(open.allowsAnonymous).toBe(true);
    expect(open.authenticate(undefined, undefined, '10.0.0.7')).toEqual({ type: 'anonymous' });
  });
});

describe('a device', () => {
  it('publishes under its own kind and id, with a channel', () => {
    const pm = device('pm-1');
    expect(policy.canPublish(pm, 'city/pipe-monitor/pm-1/telemetry')).toBe(true);
    expect(policy.canPublish(pm, 'city/pipe-monitor/pm-1/status')).toBe(true);
    expect(policy.canPublish(pm, 'city/pipe-monitor/pm-1')).toBe(false);
    expect(policy.canPublish(pm, 'city/pipe-monitor/pm-1/')).toBe(false);
    expect(policy.canPublish(pm, 'city/pipe-monitor/pm-2/telemetry')).toBe(false);
    expect(policy.canPublish(pm, 'city/sensor/pm-1/telemetry')).toBe(false);
    expect(policy.canPublish(pm, 'other/pipe-monitor/pm-1/telemetry')).toBe(false);
  });

  it('as a gateway also speaks for the cameras whose gateway_id names it, as cctv only', () => {
    const gw = device('gw-1');
    expect([...gw.speaksFor].sort()).toEqual(['cam-1', 'cam-2', 'gw-1']);
    expect(policy.canPublish(gw, 'city/cctv-gateway/gw-1/heartbeat')).toBe(true);
    expect(policy.canPublish(gw, 'city/cctv/cam-2/status')).toBe(true);
    expect(policy.canPublish(gw, 'city/cctv/cam-9/status')).toBe(false); // gw-2's camera
    expect(policy.canPublish(gw, 'city/sensor/cam-1/status')).toBe(false);
    expect(policy.canPublish(device('cam-1'), 'city/cctv/cam-2/status')).toBe(false); // cameras are not gateways
  });

  it('subscribes only within its own command topics', () => {
    const pm = device('pm-1');
    expect(policy.canSubscribe(pm, 'city/pipe-monitor/pm-1/cmd/#')).toBe(true);
    expect(policy.canSubscribe(pm, 'city/pipe-monitor/pm-1/cmd/interval')).toBe(true);
    expect(policy.canSubscribe(pm, 'city/pipe-monitor/+/cmd/#')).toBe(false);
    expect(policy.canSubscribe(pm, 'city/pipe-monitor/pm-1/#')).toBe(false);
    expect(policy.canSubscribe(pm, '#')).toBe(false);
  });

  it('follows registry changes without logging in again', () => {
    const gw = device('gw-1');
    const pm = device('pm-1');
    const devices = new Map(inventory.devices);
    devices.set('cam-9', { ...devices.get('cam-9')!, gatewayId: 'gw-1' });
    devices.delete('pm-1');
    policy.updateInventory({ ...inventory, devices });
    try {
      expect(policy.canPublish(gw, 'city/cctv/cam-9/status')).toBe(true);
      expect(gw.speaksFor.has('cam-9')).toBe(true);
      expect(policy.canPublish(pm, 'city/pipe-monitor/pm-1/telemetry')).toBe(false); // removed
      expect(policy.canSubscribe(pm, 'city/pipe-monitor/pm-1/cmd/#')).toBe(false);
    } finally {
      policy.updateInventory(inventory);
    }
  });
});

describe('service accounts', () => {
  it('read and write within their filters', () => {
    const engine = login('service:engine', tokens['service:engine']);
    if (typeof engine === 'string') throw new Error(engine);
    expect(policy.canSubscribe(engine, 'city/#')).toBe(true);
    expect(policy.canSubscribe(engine, 'city/+/+/status')).toBe(true);
    expect(policy.canSubscribe(engine, '#')).toBe(false);
    expect(policy.canPublish(engine, 'city/indicators/L2.1.1/north')).toBe(true);
    expect(policy.canPublish(engine, 'city/alerts/L2.1.1')).toBe(true);
    expect(policy.canPublish(engine, 'city/cctv/cam-1/status')).toBe(false);
  });
});

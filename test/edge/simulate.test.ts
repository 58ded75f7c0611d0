// `citygauge simulate` and startFleetFromInventory: a fleet built from the registry, with tokens the broker
// accepts because they were issued into the same credential store it checks.
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fleetDevices, registerSimulate, startFleetFromInventory } from '../../cli/simulate.js';
import { connectionsFor, devicesIn, type Fleet } from '../../edge/fleet.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { RegistryStore } from '../../registry/store.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { Recorder, startBroker, type TestBroker } from './harness.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}/`, import.meta.url));
const SAMPLE_CITY = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));

describe('fleetDevices', () => {
  it('opens 1,270 connections for the 2,970 devices of the sample city', async () => {
    const { inventory } = await loadInventoryDir(SAMPLE_CITY);
    const fleet = fleetDevices(inventory);
    expect(connectionsFor(fleet)).toBe(1270);
    expect(devicesIn(fleet)).toBe(2970);
    const byKind = (k: string) => fleet.filter((d) => d.kind === k).length;
    expect([
      byKind('cctv-gateway'),
      byKind('cctv'),
      byKind('pipe-monitor'),
      byKind('sensor'),
      byKind('transit-beacon'),
    ]).toEqual([40, 300, 700, 130, 100]);
    expect(fleet.filter((d) => d.kind === 'transit-beacon').every((d) => d.routeId)).toBe(true);
  });

  it('takes the first N connections, each gateway with all its cameras', async () => {
    const { inventory } = await loadInventoryDir(fixture('town'));
    const fleet = fleetDevices(inventory, 3);
    expect(fleet.map((d) => d.id)).toEqual(['gw-1', 'cam-3', 'cam-4']);
    expect(fleet[0].cameras?.map((c) => c.id)).toEqual(['cam-1', 'cam-2']);
    const all = fleetDevices(inventory);
    expect(all.find((d) => d.id === 'sen-1')?.siteClass).toBe('pollution');
    expect(all.find((d) => d.id === 'bus-1')?.routeId).toBe('22');
  });
});

describe('simulating the registry', () => {
  let broker: TestBroker;
  let dataDir: string;
  let store: RegistryStore;
  let fleet: Fleet | undefined;

  beforeEach(async () => {
    dataDir = tempDir('citygauge-sim-');
    store = await RegistryStore.open(dataDir);
    store.upsert((await loadInventoryDir(fixture('town'))).inventory);
    broker = await startBroker();
  });

  afterEach(async () => {
    await fleet?.stop({ graceful: false });
    fleet = undefined;
    store.close();
    await broker.close();
  });

  /** Let in only a device whose token is its current one in `credentials`. */
  const checkTokensIn = (credentials: ReturnType<RegistryStore['credentials']>) => {
    const refused: string[] = [];
    broker.aedes.authenticate = (client, username, password, done) => {
      const ok =
        username === client.id && credentials.verify(username ?? '', password?.toString() ?? '') === 'device';
      if (!ok) refused.push(client.id);
      done(null, ok);
    };
    return refused;
  };

  it('issues tokens the broker accepts, one connection per gateway or direct device', async () => {
    const credentials = store.credentials();
    const refused = checkTokensIn(credentials);
    const recorder = await Recorder.inside(broker.aedes, 'city/+/+/status');
    fleet = startFleetFromInventory({
      inventory: store.load(),
      credentials,
      url: broker.url,
      dataDir,
      faults: false,
    });
    expect([fleet.connections, fleet.devices]).toEqual([7, 9]);
    for (const id of ['gw-1', 'cam-1', 'cam-2', 'cam-3', 'cam-4', 'pm-1', 'pm-2', 'sen-1', 'bus-1']) {
      await recorder.waitFor((m) => m.topic.split('/')[2] === id && m.payload.state === 'online', 5000, id);
    }
    expect(refused).toEqual([]);
    await recorder.close();
  });

  it('runs from the command line for --duration and says offline for every device on the way out', async () => {
    const recorder = await Recorder.inside(broker.aedes, 'city/+/+/status');
    const program = new Command().exitOverride();
    registerSimulate(program);
    const args = [
      'simulate',
      '--url',
      broker.url,
      '--data-dir',
      dataDir,
      '--devices',
      '2',
      '--duration',
      '1.5',
    ];
    await program.parseAsync(args, { from: 'user' });
    // --devices 2: the gateway (with its two cameras) and the first direct camera.
    const offline = recorder.messages.filter((m) => m.payload.state === 'offline' && 'seq' in m.payload);
    expect(offline.map((m) => m.topic.split('/')[2]).sort()).toEqual(['cam-1', 'cam-2', 'cam-3', 'gw-1']);
    await recorder.close();
  });

  it('takes several --broker URLs, repeated or comma-separated, and fails over past one that is down', async () => {
    const recorder = await Recorder.inside(broker.aedes, 'city/+/+/status');
    const program = new Command().exitOverride();
    registerSimulate(program);
    const dead = `mqtt://127.0.0.1:${await freePort()}`;
    // Device 0 starts at the dead broker and device 1 at the live one; both end up at the live one.
    const args = ['simulate', '--broker', `${dead},${broker.url}`, '--broker', dead, '--data-dir', dataDir];
    await program.parseAsync([...args, '--devices', '2', '--duration', '4', '--no-faults'], { from: 'user' });
    const online = recorder.messages.filter((m) => m.payload.state === 'online');
    expect([...new Set(online.map((m) => m.topic.split('/')[2]))].sort()).toEqual([
      'cam-1',
      'cam-2',
      'cam-3',
      'gw-1',
    ]);
    await recorder.close();
  });

  it('refuses a --broker that is not an MQTT address, naming it', async () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
    registerSimulate(program);
    await expect(
      program.parseAsync(['simulate', '--broker', 'mqtt://a:1,http://b:80'], { from: 'user' }),
    ).rejects.toThrow(/got 'http:\/\/b:80'/);
  });
});

// deploy/local/cluster: the whole topology as processes (3 nats-server nodes, 2 front doors, 2 shards, an
// API node) started by one command, described in cluster.json, a process killed by role, and all stopped.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { type ClusterFile, isRunning } from '../../deploy/local/topology.js';
import { freePortRange } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

const LAUNCHER = fileURLToPath(new URL('../../deploy/local/cluster', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'citygauge-local-cluster-'));
const run = (...args: string[]) =>
  promisify(execFile)(LAUNCHER, [...args, '--dir', dir], { timeout: 180_000 }).catch((err) => {
    throw new Error(`deploy/local/cluster ${args.join(' ')} failed: ${err.stderr ?? ''}${err.message}`);
  });

afterAll(async () => {
  if (existsSync(join(dir, 'cluster.json'))) await run('down');
}, 60_000);

describe('deploy/local/cluster', () => {
  it('starts the topology, says where it is, loses a shard to kill, and stops it all', async () => {
    const base = await freePortRange(41);
    const { stdout } = await run('up', '--base-port', String(base), '--allow-anonymous');
    expect(stdout).toMatch(/cluster up in/);
    const file = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterFile;
    expect(file.api).toBe(`http://127.0.0.1:${base + 40}`);
    expect(file.mqtt).toEqual([`mqtt://127.0.0.1:${base + 30}`, `mqtt://127.0.0.1:${base + 31}`]);
    expect(file.adminToken.length).toBeGreaterThanOrEqual(24);
    expect(Object.fromEntries(Object.entries(file.pids).map(([r, p]) => [r, p.length]))).toEqual({
      nats: 3,
      door: 2,
      shard: 2,
      api: 1,
    });
    for (const pid of Object.values(file.pids).flat()) expect(isRunning(pid)).toBe(true);

    // A device's status through the second front door reaches the merged city, with a shard killed first.
    await run('kill', 'shard', '1');
    const killedBy = Date.now() + 10_000;
    while (isRunning(file.pids.shard[0]) && Date.now() < killedBy)
      await new Promise((r) => setTimeout(r, 50));
    expect(isRunning(file.pids.shard[0])).toBe(false);
    const client = await mqtt.connectAsync(file.mqtt[1], { reconnectPeriod: 0 });
    await client.publishAsync('city/sensor/sen-001/status', JSON.stringify({ state: 'online', seq: 1 }), {
      qos: 1,
    });
    await client.endAsync();
    const sensors = () =>
      fetch(`${file.api}/api/indicators`)
        .then((r) => r.json() as Promise<{ id: string; scope: string; numerator: number }[]>)
        .then((rows) => rows.find((r) => r.id === 'availability.sensor' && r.scope === 'city')?.numerator);
    const numerator = await waitFor(
      'the status merged by the API node',
      async () => ((await sensors()) === 1 ? 1 : undefined),
      60_000,
    );
    expect(numerator).toBe(1);

    await run('down');
    for (const pid of Object.values(file.pids).flat()) expect(isRunning(pid)).toBe(false);
    expect(existsSync(join(dir, 'cluster.json'))).toBe(false);
  }, 300_000);
});

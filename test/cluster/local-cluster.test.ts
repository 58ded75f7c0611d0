// deploy/local/cluster: the whole topology as processes (3 nats-server nodes, PostgreSQL, 2 front doors,
// 2 shards, an API node) started by one command, described in cluster.json, every node on the one
// PostgreSQL, a process killed by role, all stopped and started again on the same registry.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type ClusterFile, isRunning, PORTS_USED } from '../../deploy/local/topology.js';
import { freePortRange } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

const LAUNCHER = fileURLToPath(new URL('../../deploy/local/cluster', import.meta.url));
const SAMPLE_DEVICES = fileURLToPath(new URL('../../examples/sample-city/devices.csv', import.meta.url));
const launcher =
  (dir: string) =>
  (...args: string[]) =>
    promisify(execFile)(LAUNCHER, [...args, '--dir', dir], { timeout: 180_000 }).catch((err) => {
      throw new Error(`deploy/local/cluster ${args.join(' ')} failed: ${err.stderr ?? ''}${err.message}`);
    });
const dir = mkdtempSync(join(tmpdir(), 'citygauge-local-cluster-'));
const run = launcher(dir);

/** A failed test keeps DIR (its logs/ and pg/server.log) to be read. */
let failed = false;
afterEach(({ task }) => {
  if (task.result?.state === 'fail') failed = true;
});

afterAll(async () => {
  if (existsSync(join(dir, 'cluster.json'))) await run('down');
  if (!failed) rmSync(dir, { recursive: true, force: true });
  else process.stderr.write(`deploy/local/cluster test: the cluster's files and logs are kept in ${dir}\n`);
}, 60_000);

/** Connect as a device and have a QoS 1 status acknowledged (a front door's PUBACK: the log has it). */
async function admitted(url: string, id: string, secret: string): Promise<true | string> {
  try {
    const client = await mqtt.connectAsync(url, {
      clientId: id,
      username: id,
      password: secret,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    });
    try {
      await client.publishAsync(`city/sensor/${id}/status`, JSON.stringify({ state: 'online', seq: 1 }), {
        qos: 1,
      });
    } finally {
      await client.endAsync();
    }
    return true;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * A probe tried at growing intervals (100 ms, doubling: at most 7 tries in 10 s): a front door counts
 * refused logins per address and locks it out for the minute after 10, and every connection of this test
 * comes from 127.0.0.1.
 */
function backingOff<T>(probe: () => Promise<T | undefined>): () => Promise<T | undefined> {
  let next = 0;
  let gapMs = 100;
  return async () => {
    if (Date.now() < next) return undefined;
    const value = await probe();
    if (value === undefined) {
      next = Date.now() + gapMs;
      gapMs *= 2;
    }
    return value;
  };
}

/** The end of a node's log in the cluster's logs/, for a failure message (CI keeps no files). */
function logTail(name: string, lines = 40): string {
  const file = join(dir, 'logs', `${name}.log`);
  if (!existsSync(file)) return `(no ${file})`;
  return `last lines of ${name}.log:\n${readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')}`;
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('deploy/local/cluster', () => {
  let base = 0;
  let file: ClusterFile;

  it('starts the topology on one PostgreSQL of its own and says where everything is', async () => {
    base = await freePortRange(PORTS_USED);
    const { stdout } = await run('up', '--base-port', String(base), '--allow-anonymous');
    expect(stdout).toMatch(/cluster up in/);
    file = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterFile;
    expect(file.api).toBe(`http://127.0.0.1:${base + 40}`);
    expect(file.mqtt).toEqual([`mqtt://127.0.0.1:${base + 30}`, `mqtt://127.0.0.1:${base + 31}`]);
    expect(file.db).toMatch(new RegExp(`^postgres://postgres:[^@]+@127\\.0\\.0\\.1:${base + 50}/citygauge$`));
    expect(file.adminToken.length).toBeGreaterThanOrEqual(24);
    expect(Object.fromEntries(Object.entries(file.pids).map(([r, p]) => [r, p.length]))).toEqual({
      nats: 3,
      pg: 1,
      door: 2,
      shard: 2,
      api: 1,
    });
    for (const [role, pids] of Object.entries(file.pids))
      for (const [i, pid] of pids.entries()) {
        const name = `${role}-${i + 1}`;
        if (!isRunning(pid)) expect.fail(`${name} (pid ${pid}) died after up: ${logTail(name)}`);
      }
    // Each front door and shard serves /healthz and /metrics on its port of the topology.
    expect(file.http).toEqual({
      'door-1': `http://127.0.0.1:${base + 60}`,
      'door-2': `http://127.0.0.1:${base + 61}`,
      'shard-1': `http://127.0.0.1:${base + 70}`,
      'shard-2': `http://127.0.0.1:${base + 71}`,
    });
    for (const [name, url] of Object.entries(file.http)) {
      let last = 'no answer';
      const health = await waitFor(
        () => `${name} /healthz to answer 200; its last answer: ${last}\n${logTail(name)}`,
        async () => {
          const res = await fetch(`${url}/healthz`).catch(() => undefined);
          if (!res) return undefined;
          const body = (await res.json()) as { status: string };
          last = `${res.status} ${JSON.stringify(body)}`;
          return res.status === 200 && body;
        },
        60_000,
      );
      expect(health.status, name).toBe('ok');
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics, name).toContain(
        name.startsWith('door')
          ? 'citygauge_door_messages_forwarded_total'
          : 'citygauge_shard_partitions_owned',
      );
    }
    // The API node's /metrics: the audit trail's counts and the process' own, as every node has them.
    const apiMetrics = await (await fetch(`${file.api}/metrics`)).text();
    expect(apiMetrics).toContain('process_cpu_seconds_total');
    expect(apiMetrics).toContain('nodejs_heap_size_used_bytes');

    // Every citygauge node runs on the database, its password in the environment rather than on the
    // command line, and no node keeps a registry of its own.
    const password = new URL(file.db).password;
    for (const pid of [...file.pids.door, ...file.pids.shard, ...file.pids.api]) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(argv[argv.indexOf('--db') + 1]).toBe(`postgres://postgres@127.0.0.1:${base + 50}/citygauge`);
      expect(argv.join(' ')).not.toContain(password);
    }
    const files = readdirSync(dir, { recursive: true }).map(String);
    expect(files.filter((f) => f.endsWith('registry.sqlite'))).toEqual([]);
    // The inventory was imported into it once: the sample city's devices, as devices.csv lists them.
    const listed = readFileSync(SAMPLE_DEVICES, 'utf8').trim().split('\n').length - 1;
    const [{ n }] = await query<{ n: string }>(file.db, 'SELECT count(*) AS n FROM devices');
    expect(Number(n)).toBe(listed);
  }, 180_000);

  it('lets a device registered through the API node in at both front doors, and keeps it out of both once deleted', async () => {
    const id = 'sen-launcher-1';
    const admin = { authorization: `Bearer ${file.adminToken}`, 'content-type': 'application/json' };
    // Not registered yet: both doors refuse it (a name given is checked, --allow-anonymous or not).
    for (const url of file.mqtt)
      expect(await admitted(url, id, 'no-secret-yet')).toMatch(/Bad username or password/);

    const created = await fetch(`${file.api}/api/devices`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ id, kind: 'sensor', expectedIntervalS: 60 }),
    });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };
    const registeredAt = Date.now();
    expect(await query(file.db, 'SELECT id, kind FROM devices WHERE id = $1', [id])).toEqual([
      { id, kind: 'sensor' },
    ]);

    // Its secret reached every door through LISTEN/NOTIFY: both admit it and acknowledge its status.
    const lastRefusal = file.mqtt.map(() => '');
    await Promise.all(
      file.mqtt.map((url, i) =>
        waitFor(
          () => `${url} to admit ${id} (last refusal: ${lastRefusal[i]})`,
          backingOff(async () => {
            const r = await admitted(url, id, secret);
            if (r === true) return Date.now() - registeredAt;
            lastRefusal[i] = r;
            return undefined;
          }),
          10_000,
        ),
      ),
    );

    const deleted = await fetch(`${file.api}/api/devices/${id}`, {
      method: 'DELETE',
      headers: { authorization: admin.authorization },
    });
    expect(deleted.status).toBe(204);
    expect(await query(file.db, 'SELECT id FROM devices WHERE id = $1', [id])).toEqual([]);
    // Deleted: both doors refuse its secret from then on.
    for (const url of file.mqtt) {
      const refusal = await waitFor(
        `${url} to refuse the deleted ${id}`,
        backingOff(async () => {
          const r = await admitted(url, id, secret);
          return r === true ? undefined : r;
        }),
        10_000,
      );
      expect(refusal).toMatch(/Bad username or password/);
    }
  }, 60_000);

  it('loses a shard to kill, and a status through the second door still reaches the merged city', async () => {
    await run('kill', 'shard', '1');
    await waitFor('shard 1 to die', () => !isRunning(file.pids.shard[0]), 10_000);
    const client = await mqtt.connectAsync(file.mqtt[1], { reconnectPeriod: 0 });
    await client.publishAsync('city/sensor/sen-001/status', JSON.stringify({ state: 'online', seq: 1 }), {
      qos: 1,
    });
    await client.endAsync();
    const sensors = () =>
      fetch(`${file.api}/api/indicators`, { headers: { authorization: `Bearer ${file.adminToken}` } })
        .then((r) => r.json() as Promise<{ id: string; scope: string; numerator: number }[]>)
        .then((rows) => rows.find((r) => r.id === 'availability.sensor' && r.scope === 'city')?.numerator);
    const numerator = await waitFor(
      'the status merged by the API node',
      async () => ((await sensors()) === 1 ? 1 : undefined),
      60_000,
    );
    expect(numerator).toBe(1);
  }, 120_000);

  it('stops it all, PostgreSQL with pg_ctl, and starts again on the same registry', async () => {
    // A device registered now must outlive the stop: the registry is PostgreSQL's, not the processes'.
    const created = await fetch(`${file.api}/api/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${file.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'sen-launcher-2', kind: 'sensor' }),
    });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };

    await run('down');
    for (const pid of Object.values(file.pids).flat()) expect(isRunning(pid)).toBe(false);
    expect(existsSync(join(dir, 'cluster.json'))).toBe(false);
    // Shut down cleanly: no postmaster.pid left behind, nothing listens on its port.
    expect(existsSync(join(dir, 'pg', 'data', 'postmaster.pid'))).toBe(false);
    await expect(query(file.db, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);

    const again = await run('up', '--base-port', String(base), '--allow-anonymous');
    expect(again.stderr).toMatch(/not imported again/);
    file = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterFile;
    expect(await admitted(file.mqtt[0], 'sen-launcher-2', secret)).toBe(true);
  }, 180_000);

  it('kills PostgreSQL with kill pg 1, and down then leaves nothing running', async () => {
    await run('kill', 'pg', '1');
    await waitFor('the postmaster to die', () => !isRunning(file.pids.pg[0]), 10_000);
    await run('down');
    for (const pid of Object.values(file.pids).flat()) expect(isRunning(pid)).toBe(false);
    await expect(query(file.db, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);
});

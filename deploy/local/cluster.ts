// `deploy/local/cluster up|down|kill`: the whole cluster as processes on this machine, for people trying it
// and for tests: a 3-node NATS JetStream, PostgreSQL, 2 front doors, 2 engine shards and an API node
// (docs/cluster.md).
//   deploy/local/cluster up --dir DIR [--base-port 14000] [--inventory DIR] [--partitions 8] [--allow-anonymous]
//   deploy/local/cluster kill shard 1 --dir DIR        (SIGKILL, as a crash; roles nats, pg, door, shard, api)
//   deploy/local/cluster down --dir DIR
// `up` writes DIR/cluster.json (the API URL, the MQTT URLs, each door's and shard's /healthz and /metrics URL,
// the database URL, the admin token, every pid);
// logs go to DIR/logs. Every node keeps the registry, credentials and alert log in the one PostgreSQL
// (DIR/pg), so a device registered through the API opens every front door (LISTEN/NOTIFY). An `up` after a
// `down` on the same DIR starts on the same registry and log.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PostgresError, preparePostgres, startPostgres, stopPostgres } from './postgres.js';
import {
  type ClusterFile,
  isRunning,
  nodeCommands,
  nodeHttpUrls,
  PORTS_USED,
  type Role,
  type Topology,
  topologyAt,
} from './topology.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const SAMPLE = join(ROOT, 'examples', 'sample-city');
const NATS = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';
const READY_MS = 60_000;

class LaunchError extends Error {}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * A process that outlives this command, its output appended to DIR/logs/<name>.log (an `up` after a `down`
 * adds to the same logs); `logFrom` is where this run's output begins.
 */
function detached(
  dir: string,
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcess & { logFrom: number } {
  const file = join(dir, 'logs', `${name}.log`);
  const logFrom = existsSync(file) ? statSync(file).size : 0;
  const log = openSync(file, 'a');
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...env },
  });
  child.unref();
  return Object.assign(child, { logFrom });
}

async function until(what: string, ok: () => Promise<boolean>, logFile?: string): Promise<void> {
  const deadline = Date.now() + READY_MS;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > deadline) {
      const tail = logFile && existsSync(logFile) ? `\n${readFileSync(logFile, 'utf8').slice(-2000)}` : '';
      throw new LaunchError(`${what} not ready after ${READY_MS / 1000} s${tail}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function up(dir: string, topo: Topology, inventory: string, anonymous: boolean): Promise<ClusterFile> {
  if (!existsSync(CLI)) throw new LaunchError(`${CLI} is missing: run npm run build first`);
  if (!existsSync(NATS)) throw new LaunchError(`${NATS} not found: apt-get install nats-server`);
  if (existsSync(join(dir, 'cluster.json')))
    throw new LaunchError(
      `${dir} already holds a cluster: run down --dir ${dir} first, or choose another --dir`,
    );
  // Logs hold the service tokens a front door shows once: this user's only.
  mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o700 });
  try {
    preparePostgres(dir);
  } catch (err) {
    throw new LaunchError((err as Error).message);
  }
  const pids: Record<Role, number[]> = { nats: [], pg: [], door: [], shard: [], api: [] };
  try {
    return await start(dir, topo, inventory, anonymous, pids);
  } catch (err) {
    // Half a cluster is worse than none: what did start is stopped.
    for (const role of ['api', 'shard', 'door', 'nats'] as const)
      for (const pid of pids[role]) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    stopPostgres(dir, 'immediate', say);
    throw err instanceof PostgresError ? new LaunchError(err.message) : err;
  }
}

async function start(
  dir: string,
  topo: Topology,
  inventory: string,
  anonymous: boolean,
  pids: Record<Role, number[]>,
): Promise<ClusterFile> {
  const adminToken = randomBytes(24).toString('base64url');

  say(`starting 3 nats-server nodes (client ports ${topo.nats.map((n) => n.client).join(', ')})`);
  const routes = topo.nats.map((n) => `nats-route://127.0.0.1:${n.route}`).join(', ');
  topo.nats.forEach((n, i) => {
    const store = join(dir, 'nats', `n${i}`);
    mkdirSync(store, { recursive: true, mode: 0o700 });
    const conf = join(dir, 'nats', `n${i}.conf`);
    writeFileSync(
      conf,
      [
        `server_name: n${i}`,
        `listen: 127.0.0.1:${n.client}`,
        `http: 127.0.0.1:${n.monitor}`,
        `jetstream { store_dir: "${store}" }`,
        `cluster { name: citygauge-local, listen: 127.0.0.1:${n.route}, routes: [${routes}] }`,
        '',
      ].join('\n'),
    );
    pids.nats.push(detached(dir, `nats-${i + 1}`, NATS, ['-c', conf], {}).pid!);
  });
  await until('JetStream', async () => {
    for (const n of topo.nats) {
      const res = await fetch(`http://127.0.0.1:${n.monitor}/healthz`);
      if (res.status !== 200) return false;
      const jsz = (await (await fetch(`http://127.0.0.1:${n.monitor}/jsz`)).json()) as {
        meta_cluster?: { leader?: string };
      };
      if (!jsz.meta_cluster?.leader) return false;
    }
    return true;
  });
  const nats = topo.nats.map((n) => `nats://127.0.0.1:${n.client}`);
  const cluster = ['--cluster', nats.join(','), '--partitions', String(topo.partitions)];

  say(`starting PostgreSQL in ${join(dir, 'pg')} (port ${topo.pg})`);
  const pg = await startPostgres(dir, topo.pg);
  pids.pg.push(pg.pid);
  // The password goes to the nodes in their environment, not on their command lines for ps to show.
  const env = { CITYGAUGE_ADMIN_TOKEN: adminToken, PGPASSWORD: pg.password };
  const db = ['--db', pg.url];
  // Imported once: an `up` after a `down` on the same DIR keeps what was changed through the API meanwhile.
  const imported = join(dir, 'pg', 'imported');
  if (existsSync(imported))
    say(`PostgreSQL holds the registry of an earlier up: ${inventory} not imported again`);
  else {
    say(`importing ${inventory} into PostgreSQL`);
    try {
      execFileSync(
        process.execPath,
        [CLI, 'import', inventory, ...db, '--data-dir', join(dir, 'data', 'import')],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
          env: { ...process.env, ...env },
        },
      );
    } catch (err) {
      const why = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
      throw new LaunchError(`citygauge import ${inventory} failed: ${why}`);
    }
    writeFileSync(imported, `${inventory}\n`);
  }

  say(
    `starting ${topo.doors.length} front doors (MQTT ${topo.doors.join(', ')}, /metrics ${topo.doorHttp.join(', ')}), ${topo.shards} shards (/metrics ${topo.shardHttp.join(', ')}), ${topo.apis.length} API node(s) (HTTP ${topo.apis.join(', ')})`,
  );
  // Each node a data dir of its own (a front door keeps retained messages there); the registry is shared.
  const node = (name: string, args: string[]) =>
    detached(
      dir,
      name,
      process.execPath,
      [CLI, ...args, '--data-dir', join(dir, 'data', name), ...db, ...cluster],
      env,
    );
  const doorLogFrom: number[] = [];
  const nodes = nodeCommands(topo, { anonymous });
  const doors = nodes.filter((n) => n.role === 'door');
  const door = (i: number) => {
    const child = node(doors[i].name, doors[i].args);
    pids.door.push(child.pid!);
    doorLogFrom[i] = child.logFrom;
  };
  const doorReady = (i: number) => {
    const log = join(dir, 'logs', `${doors[i].name}.log`);
    // Only this run's output: an earlier up's door said the same.
    return until(
      `front door ${i + 1}`,
      async () => readFileSync(log).subarray(doorLogFrom[i]).toString().includes('front door of the cluster'),
      log,
    );
  };
  // The first door issues the service accounts' tokens (shown once in its log); the others find them.
  door(0);
  for (const n of nodes) if (n.role !== 'door') pids[n.role].push(node(n.name, n.args).pid!);
  await doorReady(0);
  for (let i = 1; i < topo.doors.length; i++) door(i);

  const api = `http://127.0.0.1:${topo.apis[0]}`;
  await until(
    'the API node',
    // Reads need a viewer (issue 12): the launcher asks as the admin it made the cluster with.
    async () =>
      (await fetch(`${api}/api/cluster`, { headers: { authorization: `Bearer ${adminToken}` } })).ok,
    join(dir, 'logs', 'api-1.log'),
  );
  for (let i = 1; i < topo.doors.length; i++) await doorReady(i);
  const file: ClusterFile = {
    api,
    mqtt: topo.doors.map((p) => `mqtt://127.0.0.1:${p}`),
    http: nodeHttpUrls(topo),
    nats,
    db: Object.assign(new URL(pg.url), { password: pg.password }).toString(),
    adminToken,
    partitions: topo.partitions,
    pids,
    logs: join(dir, 'logs'),
  };
  // It holds the admin token and the database's password.
  writeFileSync(join(dir, 'cluster.json'), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  return file;
}

function readCluster(dir: string): ClusterFile {
  const path = join(dir, 'cluster.json');
  if (!existsSync(path))
    throw new LaunchError(`no cluster in ${dir} (no cluster.json): run up --dir ${dir} first`);
  return JSON.parse(readFileSync(path, 'utf8')) as ClusterFile;
}

/** Stop every process: citygauge nodes first (SIGTERM, then SIGKILL after 15 s), then PostgreSQL, the log last. */
async function down(dir: string): Promise<void> {
  const file = readCluster(dir);
  const named = (role: Role) => file.pids[role].map((pid, i) => ({ name: `${role} ${i + 1}`, pid }));
  await terminate([...named('api'), ...named('shard'), ...named('door')]);
  // pg_ctl, so the server ends cleanly (one killed with `kill pg 1` is already gone).
  stopPostgres(dir, 'fast', say);
  await terminate(named('nats'));
  writeFileSync(join(dir, 'cluster.json.down'), readFileSync(join(dir, 'cluster.json')));
  execFileSync('rm', ['-f', join(dir, 'cluster.json')]);
}

/** SIGTERM, then SIGKILL to what still runs after 15 s, said (its log tells why it hung). */
async function terminate(all: { name: string; pid: number }[]): Promise<void> {
  const running = all.filter((p) => isRunning(p.pid));
  for (const { pid } of running) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (running.some((p) => isRunning(p.pid)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  for (const { name, pid } of running.filter((p) => isRunning(p.pid))) {
    say(`${name} (pid ${pid}) did not stop within 15 s of SIGTERM: killed`);
    process.kill(pid, 'SIGKILL');
  }
}

function kill(dir: string, role: string, n: number): number {
  const file = readCluster(dir);
  const pids = file.pids[role as Role];
  if (!pids) throw new LaunchError(`no role '${role}': choose nats, pg, door, shard or api`);
  const pid = pids[n - 1];
  if (pid === undefined) throw new LaunchError(`there is no ${role} ${n}: the cluster has ${pids.length}`);
  if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  return pid;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      'base-port': { type: 'string', default: '14000' },
      inventory: { type: 'string', default: SAMPLE },
      partitions: { type: 'string', default: '8' },
      'allow-anonymous': { type: 'boolean', default: false },
    },
  });
  const [command, role, n] = positionals;
  if (!values.dir)
    throw new LaunchError('--dir DIR is required: where the cluster keeps its data, logs and cluster.json');
  const dir = resolve(values.dir);
  if (command === 'up') {
    const base = Number(values['base-port']);
    if (!Number.isInteger(base) || base < 1024 || base > 65_000)
      throw new LaunchError(
        `--base-port must be a whole number from 1024 to 65000 (it uses the next ${PORTS_USED} ports)`,
      );
    const file = await up(
      dir,
      topologyAt(base, Number(values.partitions)),
      resolve(values.inventory!),
      values['allow-anonymous'] === true,
    );
    process.stdout.write(
      `cluster up in ${dir}\n  API        ${file.api}/api/indicators  (where the merge stands: ${file.api}/api/cluster)\n` +
        `  MQTT       ${file.mqtt.join('  ')}\n  NATS       ${file.nats.join(',')}\n  PostgreSQL ${file.db}\n` +
        `  admin token ${file.adminToken}\n` +
        `  logs       ${file.logs}\n  stop it with: deploy/local/cluster down --dir ${dir}\n`,
    );
  } else if (command === 'down') {
    await down(dir);
    process.stdout.write(`cluster in ${dir} stopped\n`);
  } else if (command === 'kill') {
    const pid = kill(dir, role ?? '', Number(n ?? '1'));
    process.stdout.write(`killed ${role} ${n ?? 1} (pid ${pid}) with SIGKILL\n`);
  } else {
    throw new LaunchError(
      `usage: deploy/local/cluster up|down|kill ROLE N --dir DIR [--base-port N] (got '${command ?? ''}')`,
    );
  }
}

main().catch((err) => {
  process.stderr.write(
    `deploy/local/cluster: ${err instanceof LaunchError ? err.message : (err as Error).stack}\n`,
  );
  process.exit(err instanceof LaunchError ? 2 : 1);
});

// `deploy/local/cluster up|down|kill`: the whole cluster as processes on this machine, for people trying it
// and for tests: a 3-node NATS JetStream, 2 front doors, 2 engine shards and an API node (docs/cluster.md).
//   deploy/local/cluster up --dir DIR [--base-port 14000] [--inventory DIR] [--partitions 8] [--allow-anonymous]
//   deploy/local/cluster kill shard 1 --dir DIR        (SIGKILL, as a crash)
//   deploy/local/cluster down --dir DIR
// `up` writes DIR/cluster.json (the API URL, the MQTT URLs, the admin token, every pid); logs go to DIR/logs.
// The registry is SQLite per node here (a copy of one import each); PostgreSQL is not started.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type ClusterFile, isRunning, type Role, type Topology, topologyAt } from './topology.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const SAMPLE = join(ROOT, 'examples', 'sample-city');
const NATS = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';
const READY_MS = 60_000;

class LaunchError extends Error {}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A process that outlives this command, its output in DIR/logs/<name>.log. */
function detached(
  dir: string,
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcess {
  const log = openSync(join(dir, 'logs', `${name}.log`), 'a');
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...env },
  });
  child.unref();
  return child;
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
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const pids: Record<Role, number[]> = { nats: [], door: [], shard: [], api: [] };
  try {
    return await start(dir, topo, inventory, anonymous, pids);
  } catch (err) {
    // Half a cluster is worse than none: what did start is stopped.
    for (const pid of Object.values(pids).flat()) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    throw err;
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
  const env = { CITYGAUGE_ADMIN_TOKEN: adminToken };

  say(`starting 3 nats-server nodes (client ports ${topo.nats.map((n) => n.client).join(', ')})`);
  const routes = topo.nats.map((n) => `nats-route://127.0.0.1:${n.route}`).join(', ');
  topo.nats.forEach((n, i) => {
    const store = join(dir, 'nats', `n${i}`);
    mkdirSync(store, { recursive: true });
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

  say(`importing ${inventory}`);
  const data = join(dir, 'data');
  execFileSync(process.execPath, [CLI, 'import', inventory, '--data-dir', data], {
    stdio: 'ignore',
    env: { ...process.env, ...env },
  });

  say(
    `starting 2 front doors (MQTT ${topo.doors.join(', ')}), ${topo.shards} shards, an API node (HTTP ${topo.api})`,
  );
  topo.doors.forEach((port, i) => {
    // Each front door its own copy of the registry (a SQLite file is one node's).
    const own = join(dir, `data-door-${i + 1}`);
    cpSync(data, own, { recursive: true });
    const args = [
      CLI,
      'broker',
      '--data-dir',
      own,
      '--host',
      '127.0.0.1',
      '--mqtt-port',
      String(port),
      ...cluster,
    ];
    if (anonymous) args.push('--allow-anonymous');
    pids.door.push(detached(dir, `door-${i + 1}`, process.execPath, args, env).pid!);
  });
  for (let i = 0; i < topo.shards; i++) {
    const args = [CLI, 'engine', '--data-dir', data, '--node-id', `shard-${i + 1}`, ...cluster];
    pids.shard.push(detached(dir, `shard-${i + 1}`, process.execPath, args, env).pid!);
  }
  const apiArgs = [
    CLI,
    'api',
    '--data-dir',
    data,
    '--http-port',
    String(topo.api),
    '--node-id',
    'api-1',
    ...cluster,
  ];
  pids.api.push(detached(dir, 'api-1', process.execPath, apiArgs, env).pid!);

  const api = `http://127.0.0.1:${topo.api}`;
  await until(
    'the API node',
    async () => (await fetch(`${api}/api/cluster`)).ok,
    join(dir, 'logs', 'api-1.log'),
  );
  for (let i = 0; i < topo.doors.length; i++) {
    const log = join(dir, 'logs', `door-${i + 1}.log`);
    await until(
      `front door ${i + 1}`,
      async () => readFileSync(log, 'utf8').includes('front door of the cluster'),
      log,
    );
  }
  const file: ClusterFile = {
    api,
    mqtt: topo.doors.map((p) => `mqtt://127.0.0.1:${p}`),
    nats,
    adminToken,
    partitions: topo.partitions,
    pids,
    logs: join(dir, 'logs'),
  };
  writeFileSync(join(dir, 'cluster.json'), `${JSON.stringify(file, null, 2)}\n`);
  return file;
}

function readCluster(dir: string): ClusterFile {
  const path = join(dir, 'cluster.json');
  if (!existsSync(path))
    throw new LaunchError(`no cluster in ${dir} (no cluster.json): run up --dir ${dir} first`);
  return JSON.parse(readFileSync(path, 'utf8')) as ClusterFile;
}

/** Stop every process: citygauge nodes first (SIGTERM, then SIGKILL after 15 s), the log last. */
async function down(dir: string): Promise<void> {
  const file = readCluster(dir);
  for (const roles of [['api', 'shard', 'door'], ['nats']] as Role[][]) {
    const pids = roles.flatMap((r) => file.pids[r]).filter(isRunning);
    for (const pid of pids) process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (pids.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const pid of pids.filter(isRunning)) process.kill(pid, 'SIGKILL');
  }
  writeFileSync(join(dir, 'cluster.json.down'), readFileSync(join(dir, 'cluster.json')));
  execFileSync('rm', ['-f', join(dir, 'cluster.json')]);
}

function kill(dir: string, role: string, n: number): number {
  const file = readCluster(dir);
  const pids = file.pids[role as Role];
  if (!pids) throw new LaunchError(`no role '${role}': choose nats, door, shard or api`);
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
        `--base-port must be a whole number from 1024 to 65000 (it uses the next 41 ports)`,
      );
    const file = await up(
      dir,
      topologyAt(base, Number(values.partitions)),
      resolve(values.inventory!),
      values['allow-anonymous'] === true,
    );
    process.stdout.write(
      `cluster up in ${dir}\n  API        ${file.api}/api/indicators  (where the merge stands: ${file.api}/api/cluster)\n` +
        `  MQTT       ${file.mqtt.join('  ')}\n  NATS       ${file.nats.join(',')}\n  admin token ${file.adminToken}\n` +
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

// Debian's nats-server with JetStream, started by the test harness: a 3-node cluster (or one node) in a temp
// dir on free loopback ports, each node with its own config file, store dir and monitoring port.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { tempDir } from './tmp.js';

const BINARY = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';
const READY_MS = 30_000;

export interface NatsCluster {
  /** Client URLs, one per node, in node order: `nats://127.0.0.1:port`. */
  urls: string[];
  dir: string;
  /** SIGKILL node i (its store stays on disk for restart). */
  kill(i: number): Promise<void>;
  /** Start node i again with the same config, ports and store; resolves once it reports healthy. */
  restart(i: number): Promise<void>;
  /** Resolves once every running node reports JetStream healthy (meta leader known, streams current). */
  ready(): Promise<void>;
  /** What node i wrote to stderr lately, for failure messages. */
  log(i: number): string;
  stop(): Promise<void>;
}

interface Node {
  name: string;
  conf: string;
  clientPort: number;
  monitorPort: number;
  child: ChildProcess | null;
  stderr: string;
}

/** Starts `nodes` nats-server processes (1 or 3) forming one JetStream cluster, and waits until it is ready. */
export async function startNats(options: { nodes?: number } = {}): Promise<NatsCluster> {
  const count = options.nodes ?? 3;
  if (!existsSync(BINARY)) {
    throw new Error(
      `${BINARY} not found: install Debian's nats-server (apt-get install nats-server; .ci/run does it)`,
    );
  }
  const dir = tempDir('citygauge-nats-');
  const ports: { client: number; route: number; monitor: number }[] = [];
  for (let i = 0; i < count; i++) {
    ports.push({ client: await freePort(), route: await freePort(), monitor: await freePort() });
  }
  const nodes: Node[] = ports.map((p, i) => {
    const name = `n${i}`;
    const store = join(dir, name);
    mkdirSync(store, { recursive: true });
    const lines = [
      `server_name: ${name}`,
      `listen: 127.0.0.1:${p.client}`,
      `http: 127.0.0.1:${p.monitor}`,
      // Small limits: several clusters may run at once on a shared test machine.
      `jetstream { store_dir: "${store}", max_memory_store: 64MB, max_file_store: 2GB }`,
    ];
    if (count > 1) {
      const routes = ports.map((q) => `nats-route://127.0.0.1:${q.route}`).join(', ');
      lines.push(`cluster { name: citygauge-test, listen: 127.0.0.1:${p.route}, routes: [${routes}] }`);
    }
    const conf = join(dir, `${name}.conf`);
    writeFileSync(conf, `${lines.join('\n')}\n`);
    return { name, conf, clientPort: p.client, monitorPort: p.monitor, child: null, stderr: '' };
  });

  const spawnNode = (node: Node): void => {
    node.stderr = '';
    const child = spawn(BINARY, ['-c', node.conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d) => {
      node.stderr = (node.stderr + d).slice(-20_000);
    });
    node.child = child;
  };

  const healthy = async (node: Node): Promise<boolean> => {
    try {
      // /healthz answers 200 only once JetStream is up, the meta leader is known and this node is current.
      const res = await fetch(`http://127.0.0.1:${node.monitorPort}/healthz`);
      if (res.status !== 200) return false;
      const jsz = (await (await fetch(`http://127.0.0.1:${node.monitorPort}/jsz`)).json()) as {
        meta_cluster?: { leader?: string };
      };
      return count === 1 || Boolean(jsz.meta_cluster?.leader);
    } catch {
      return false;
    }
  };

  const waitHealthy = async (list: Node[]): Promise<void> => {
    const deadline = Date.now() + READY_MS;
    for (;;) {
      const states = await Promise.all(list.map(healthy));
      if (states.every(Boolean)) return;
      const dead = list.find((n) => n.child?.exitCode !== null && n.child?.exitCode !== undefined);
      if (dead) throw new Error(`nats-server ${dead.name} exited during start:\n${dead.stderr}`);
      if (Date.now() > deadline) {
        const late = list.filter((_, i) => !states[i]);
        throw new Error(
          `nats-server nodes ${late.map((n) => n.name).join(', ')} not ready (JetStream meta leader) after ${READY_MS} ms:\n${late.map((n) => n.stderr.slice(-2000)).join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const killNode = (node: Node, signal: NodeJS.Signals): Promise<void> =>
    new Promise((resolve) => {
      const child = node.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });

  for (const n of nodes) spawnNode(n);
  try {
    await waitHealthy(nodes);
  } catch (err) {
    await Promise.all(nodes.map((n) => killNode(n, 'SIGKILL')));
    throw err;
  }

  const nodeAt = (i: number): Node => {
    const n = nodes[i];
    if (!n) throw new Error(`no nats node ${i}: the cluster has ${nodes.length}`);
    return n;
  };
  const running = () =>
    nodes.filter((n) => n.child && n.child.exitCode === null && n.child.signalCode === null);

  return {
    urls: nodes.map((n) => `nats://127.0.0.1:${n.clientPort}`),
    dir,
    kill: (i) => killNode(nodeAt(i), 'SIGKILL'),
    restart: async (i) => {
      const n = nodeAt(i);
      await killNode(n, 'SIGKILL');
      spawnNode(n);
      await waitHealthy([n]);
    },
    ready: () => waitHealthy(running()),
    log: (i) => nodeAt(i).stderr,
    stop: async () => {
      await Promise.all(nodes.map((n) => killNode(n, 'SIGTERM')));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

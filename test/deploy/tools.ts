// The deploy files are checked by their ecosystems' own tools, run here as Debian (or the machine image)
// installs them. A missing tool fails the test with the package to install; it never skips.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeCommand, Topology } from '../../deploy/local/topology.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, binary)));
}

/** Runs a tool from the repository root; throws its stderr, or how to install it when it is missing. */
export function runTool(
  binary: string,
  args: string[],
  install: string,
  env: NodeJS.ProcessEnv = {},
): string {
  if (!onPath(binary)) throw new Error(`${binary} not found on PATH: ${install}`);
  const run = spawnSync(binary, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 2 ** 20,
  });
  if (run.status !== 0)
    throw new Error(`${binary} ${args.join(' ')} exited ${run.status}:\n${run.stderr}${run.stdout}`);
  return run.stdout;
}

const CLI = join(ROOT, 'dist', 'cli', 'main.js');

const helps = new Map<string, string>();

/** `citygauge <command> --help`, from the build the tests run against (once per command: each run loads it all). */
export function cliHelp(command: string): string {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
  let help = helps.get(command);
  if (help === undefined) {
    help = execFileSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8' });
    helps.set(command, help);
  }
  return help;
}

/**
 * Every `--flag` of a citygauge command line is one its command's --help lists: the line would parse. Returns the
 * flags it does not know (none is the answer wanted).
 */
export function unknownFlags(argv: string[]): string[] {
  const [command, ...rest] = argv;
  const help = cliHelp(command);
  const known = new Set(help.match(/--[a-z][a-z0-9-]*/g));
  return rest.filter((a) => a.startsWith('--') && !known.has(a));
}

/** Each role's usual ports inside a container or a pod (its own network namespace). */
export const CONTAINER_PORTS = { mqtt: 1883, api: 8080, doorHttp: 8081, shardHttp: 8082 } as const;

/**
 * A node of the local launcher's topology (deploy/local/topology.ts) as compose and Kubernetes start it: every
 * address instead of loopback, each role's usual port instead of the launcher's, and `nodeId` (a pod's name)
 * for --node-id's value when given. The launcher's API nodes and shards listen on loopback (the CLI's
 * default); in a container they must not, so they get `--host 0.0.0.0`.
 */
export function containerArgs(
  topo: Topology,
  node: NodeCommand,
  options: { nodeId?: string } = {},
): string[] {
  const ports = new Map<string, number>([
    ...topo.doors.map((p) => [String(p), CONTAINER_PORTS.mqtt] as const),
    ...topo.doorHttp.map((p) => [String(p), CONTAINER_PORTS.doorHttp] as const),
    ...topo.shardHttp.map((p) => [String(p), CONTAINER_PORTS.shardHttp] as const),
    ...topo.apis.map((p) => [String(p), CONTAINER_PORTS.api] as const),
  ]);
  const args = node.args.map((arg, i, all) => {
    if (options.nodeId && all[i - 1] === '--node-id') return options.nodeId;
    if (arg === '127.0.0.1') return '0.0.0.0';
    const port = ports.get(arg);
    return port === undefined ? arg : String(port);
  });
  return node.role === 'door' ? args : [...args, '--host', '0.0.0.0'];
}

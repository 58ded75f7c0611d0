// Where bench:cluster finds things, the knobs it reads from the environment, and how it talks.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = fileURLToPath(new URL('.', import.meta.url));
export const root = join(here, '..', '..', '..');
export const outDir = join(root, 'bench', 'out');
export const CLI = join(root, 'dist', 'cli', 'main.js');
export const LAUNCHER = join(root, 'dist', 'deploy', 'local', 'cluster.js');
export const MESSAGES = Number(process.env.BENCH_CLUSTER_MESSAGES ?? 40_000);
export const PUBLISHERS = Number(process.env.BENCH_CLUSTER_PUBLISHERS ?? 4);
export const PARTITIONS = Number(process.env.BENCH_CLUSTER_PARTITIONS ?? 8);
/** How long the cluster may take to judge every message before the bench gives up and says where it stood. */
export const DEADLINE_MS = Number(process.env.BENCH_CLUSTER_DEADLINE_S ?? 240) * 1000;
export const CITIES = (process.env.BENCH_CLUSTER_CITIES ?? 'sample,metro').split(',');
/** Device connections at most (the first devices to speak in the recording): the metro's 25,000 take minutes to connect here. */
export const MAX_DEVICES = Number(process.env.BENCH_CLUSTER_DEVICES ?? 10_000);

export const say = (line: string) => process.stderr.write(`${line}\n`);
export const fmt = (x: number) => Math.round(x).toLocaleString('en');
export const num = (x: number, digits = 0) =>
  x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The deploy files are checked by their ecosystems' own tools, run here as Debian (or the machine image)
// installs them. A missing tool fails the test with the package to install; it never skips.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

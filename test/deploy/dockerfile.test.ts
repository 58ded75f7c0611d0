// deploy/Dockerfile keeps its promises (issue 13). No image can be built or pulled on the test machine, and
// hadolint is not packaged in Debian, so the file itself is read: its stages, the user, the health check, the
// volume, what the final stage holds, and that every path it copies is in the repository and the build context.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyParts, ignoredByDockerignore, parseDockerfile, type Stage } from './dockerfile.js';
import { ROOT, unknownFlags } from './tools.js';

const stages = parseDockerfile(readFileSync(join(ROOT, 'deploy', 'Dockerfile'), 'utf8'));
const final = stages[stages.length - 1];
const build = stages[0];
const all = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);
const last = (stage: Stage, op: string) => all(stage, op).at(-1);
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

/** Where the final stage puts things, relative to its WORKDIR (/app). */
const finalCopies = all(final, 'COPY').map(copyParts);
const finalPaths = finalCopies.map((c) => c.dest.replace(/^\.\//, '').replace(/\/$/, ''));

/** Runtime source files: what `dist/cli/main.js` may import (not the benches, tests or the launcher). */
const RUNTIME_DIRS = [
  'cli',
  'engine',
  'indicators',
  'red',
  'registry',
  'scorecard',
  'http',
  'broker',
  'cluster',
  'people',
  'edge',
  'examples',
];
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('deploy/Dockerfile', () => {
  it('builds in two stages, both on Node 24 LTS', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.image, `FROM ${s.image}`).toMatch(/^node:24[-.]/);
    // better-sqlite3 12 built against 24.19+ headers aborts on garbage collection (nodejs/node#65446).
    expect(build.image).toMatch(/^node:24\.18\.1-/);
    expect(all(build, 'ENV').join('\n')).toMatch(/npm_config_build_from_source=true/);
    expect(all(final, 'COPY').some((c) => c.includes(`--from=${build.name}`))).toBe(true);
  });

  it('compiles TypeScript and better-sqlite3 in the build stage, then drops the dev dependencies', () => {
    const runs = all(build, 'RUN').join('\n');
    expect(runs).toMatch(/apt-get install[^\n]*\bg\+\+/);
    expect(runs).toMatch(/npm run build/);
    expect(runs).toMatch(/npm prune --omit=dev/);
    // The build order: dependencies installed before the build, pruned after it.
    expect(runs.indexOf('npm install')).toBeLessThan(runs.indexOf('npm run build'));
  });

  it('installs nothing in the final stage: no compiler, no package manager run', () => {
    for (const run of all(final, 'RUN'))
      expect(run, `RUN ${run}`).not.toMatch(
        /apt-get|apk |npm (install|ci)|\bg\+\+|\bgcc\b|\bmake\b|python|build-essential/,
      );
    // Its node_modules is the build stage's, pruned to production.
    expect(finalCopies.find((c) => c.dest.replace(/^\.\//, '') === 'node_modules')?.flags.from).toBe(
      build.name,
    );
  });

  it('runs as a user that is not root, owning the data volume', () => {
    const user = last(final, 'USER');
    expect(user, 'USER in the final stage').toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(root|0)$/);
    expect(all(final, 'VOLUME')).toContain('/data');
    const uid = user!.split(':')[0];
    expect(all(final, 'RUN').join('\n')).toMatch(new RegExp(`--uid ${uid}\\b[\\s\\S]*chown \\S+ /data`));
  });

  it('exposes HTTP 8080 and MQTT 1883 and checks its health on /healthz with node, not curl', () => {
    expect(all(final, 'EXPOSE').join(' ').split(/\s+/)).toEqual(expect.arrayContaining(['8080', '1883']));
    const health = last(final, 'HEALTHCHECK');
    expect(health).toMatch(/CMD \["node", "-e", .*fetch\('http:\/\/127\.0\.0\.1:8080\/healthz'\)/);
    expect(health).not.toMatch(/curl|wget/);
  });

  it('starts the city on every address with its data in /data, a command line the CLI accepts', () => {
    const cmd = JSON.parse(last(final, 'CMD')!) as string[];
    expect(cmd.slice(0, 3)).toEqual(['node', 'dist/cli/main.js', 'start']);
    const argv = cmd.slice(2);
    expect(argv[argv.indexOf('--host') + 1]).toBe('0.0.0.0');
    expect(argv[argv.indexOf('--data-dir') + 1]).toBe('/data');
    expect(unknownFlags(argv)).toEqual([]);
    expect(all(final, 'ENTRYPOINT')).toEqual([]);
  });

  it('can run on a read-only root file system: HOME is the writable /tmp', () => {
    expect(all(final, 'ENV').join(' ')).toMatch(/\bHOME=\/tmp\b/);
  });

  it('copies only paths that exist in the repository and are in the build context', () => {
    const copied = stages.flatMap((s) =>
      all(s, 'COPY')
        .map(copyParts)
        .filter((c) => c.flags.from === undefined)
        .flatMap((c) => c.sources),
    );
    expect(copied.length).toBeGreaterThan(5);
    for (const src of copied) {
      expect(existsSync(join(ROOT, src)), `COPY ${src}: not in the repository`).toBe(true);
      expect(ignoredByDockerignore(dockerignore, src), `COPY ${src}: left out by .dockerignore`).toBe(false);
    }
    // The context leaves out what the image builds itself.
    for (const built of ['node_modules', 'dist'])
      expect(ignoredByDockerignore(dockerignore, built)).toBe(true);
  });

  it('compiles every source folder the CLI imports', () => {
    const copiedToBuild = all(build, 'COPY')
      .map(copyParts)
      .flatMap((c) => c.sources);
    const include = (
      JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] }
    ).include;
    const left = include.filter((dir) => !copiedToBuild.includes(dir));
    // What is left out is for developers: the benches, the local launcher and the test servers.
    for (const dir of left)
      expect(dir, `${dir} is not copied into the build stage`).toMatch(/^(bench|deploy|test\/)/);
    for (const dir of RUNTIME_DIRS) expect(copiedToBuild, `${dir} is not compiled`).toContain(dir);
    // …and nothing the CLI runs imports them.
    for (const file of RUNTIME_DIRS.flatMap((d) => sources(join(ROOT, d))))
      expect(readFileSync(file, 'utf8'), relative(ROOT, file)).not.toMatch(
        /from '(\.\.\/)+(bench|deploy|test)\//,
      );
  });

  it('holds every file the CLI reads beside dist/ at run time', () => {
    // The files the code finds relative to its own module: new URL('../../<path>', import.meta.url).
    const needed = new Set<string>();
    for (const file of RUNTIME_DIRS.flatMap((d) => sources(join(ROOT, d)))) {
      // The indicator reference is written into a checkout by `npm run docs:indicators`, not by the image.
      if (relative(ROOT, file) === join('cli', 'docs-indicators.ts')) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(
        /new URL\('\.\.\/\.\.\/([^']+)', import\.meta\.url\)/g,
      ))
        needed.add(m[1].replace(/\/$/, ''));
    }
    expect([...needed].sort()).toEqual([
      'examples/sample-city',
      'flows/citygauge.json',
      'red/dashboard-plugin',
    ]);
    for (const path of [...needed, 'dist', 'node_modules', 'package.json'])
      expect(
        finalPaths.some((p) => path === p || path.startsWith(`${p}/`)),
        `${path} is not in the final stage`,
      ).toBe(true);
  });
});

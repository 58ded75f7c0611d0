// The data dir is private to the service's user, and a weak chosen admin token is refused (issue 10 item 11):
// through `citygauge start` as a user runs it.
import { chmodSync, existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CityProcess, startCity } from '../support/city-process.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';

const ADMIN = 'data-dir-admin-token-0123456789abcdef';
let city: CityProcess | undefined;

afterEach(async () => {
  await city?.stop();
  city = undefined;
});

/** Every path under `dir` with its permission bits, as `0600`. */
function modes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (path: string) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    out[path.slice(dir.length) || '/'] = `0${(st.mode & 0o777).toString(8)}`;
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return out;
}

function expectPrivate(dir: string) {
  const all = modes(dir);
  for (const [path, mode] of Object.entries(all)) {
    const isDir = statSync(join(dir, path)).isDirectory();
    expect(mode, `${path} is ${mode}`).toBe(isDir ? '0700' : '0600');
  }
  return all;
}

describe('the data dir', () => {
  it('a fresh `citygauge start` creates every file 0600 and every folder 0700', async () => {
    const dataDir = join(tempDir(), 'data');
    city = await startCity(
      ['--inventory', 'test/fixtures/town', '--devices', '3'],
      { CITYGAUGE_ADMIN_TOKEN: ADMIN },
      dataDir,
    );
    // Node-RED has written its own files, the engine its state, the fleet its outboxes.
    await city.until(
      async () => (await fetch(`${city?.http}/red/flows`).catch(() => undefined))?.status,
      (s) => s === 401,
      'Node-RED serving /red',
      60_000,
    );
    await city.until(
      () =>
        [
          'registry.sqlite',
          'retained.sqlite',
          'history.sqlite',
          'alerts.sqlite',
          'scorecard.sqlite',
          'node-red',
        ].filter((f) => !existsSync(join(dataDir, f))),
      (missing) => missing.length === 0,
      'the data files created',
    );
    await city.stop();
    const all = expectPrivate(dataDir);
    // What is checked: the registry, history, alerts, retained, Node-RED's folder and flows.
    for (const f of [
      '/',
      '/registry.sqlite',
      '/retained.sqlite',
      '/history.sqlite',
      '/alerts.sqlite',
      '/node-red',
      '/node-red/flows.json',
    ])
      expect(Object.keys(all), f).toContain(f);
  }, 120_000);

  it('an existing data dir readable by others is tightened at start, and the log says so', async () => {
    const dataDir = tempDir();
    city = await startCity(
      ['--inventory', 'test/fixtures/town', '--no-sim', '--no-red'],
      { CITYGAUGE_ADMIN_TOKEN: ADMIN },
      dataDir,
    );
    await city.stop();
    // As an older version, or a copy with a default umask, left it.
    chmodSync(dataDir, 0o755);
    for (const name of readdirSync(dataDir)) {
      const path = join(dataDir, name);
      chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
    }
    expect(modes(dataDir)['/registry.sqlite']).toBe('0644');
    city = await startCity(['--no-sim', '--no-red'], { CITYGAUGE_ADMIN_TOKEN: ADMIN }, dataDir);
    await city.until(
      () => city?.output() ?? '',
      (o) => /private to this user/.test(o),
      'the log line',
    );
    expect(city.output()).toMatch(/made \d+ files and folders in the data dir private/);
    expect(city.output()).toContain('registry.sqlite');
    expectPrivate(dataDir);
  }, 120_000);
});

describe('CITYGAUGE_ADMIN_TOKEN', () => {
  const withToken = async (token: string, args: string[]) => {
    const before = process.env.CITYGAUGE_ADMIN_TOKEN;
    process.env.CITYGAUGE_ADMIN_TOKEN = token;
    try {
      return await runCli(args);
    } finally {
      if (before === undefined) delete process.env.CITYGAUGE_ADMIN_TOKEN;
      else process.env.CITYGAUGE_ADMIN_TOKEN = before;
    }
  };

  it('shorter than 24 characters is refused with the reason and how to make one (exit 2)', async () => {
    const dataDir = tempDir();
    const r = await withToken('hunter2-but-longer', [
      'start',
      '--data-dir',
      dataDir,
      '--http-port',
      String(await freePort()),
      '--mqtt-port',
      String(await freePort()),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CITYGAUGE_ADMIN_TOKEN is 18 characters; it must be at least 24/);
    expect(r.stderr).toContain('openssl rand -hex 24');
    // Refused before anything was written.
    expect(existsSync(join(dataDir, 'registry.sqlite'))).toBe(false);
    const engine = await withToken('short', [
      'engine',
      '--mqtt-url',
      'mqtt://127.0.0.1:1',
      '--data-dir',
      dataDir,
      '--http-port',
      '0',
    ]);
    expect(engine.code).toBe(2);
    expect(engine.stderr).toMatch(/at least 24/);
  });
});

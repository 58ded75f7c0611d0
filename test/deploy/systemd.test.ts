// The systemd units of deploy/systemd/ load cleanly in systemd's own checker, rate "OK" or better in its
// security review, run a citygauge command line the CLI accepts, and carry the same hardening.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { STOP_WITHIN_MS } from '../../cli/shutdown.js';
import { tempDir } from '../support/tmp.js';
import {
  expandCommand,
  parseEnvFile,
  parseEnvironment,
  parseUnit,
  type Setting,
  serviceValues,
} from './unit-file.js';

const DIR = 'deploy/systemd';
const NODE = '/usr/bin/node';
const SCRIPT = '/opt/citygauge/dist/cli/main.js';

/** Each unit and the citygauge command it runs. */
const UNITS: Record<string, { command: string; cluster: boolean }> = {
  'citygauge.service': { command: 'start', cluster: false },
  'citygauge-broker.service': { command: 'broker', cluster: true },
  'citygauge-shard@.service': { command: 'engine', cluster: true },
  'citygauge-api@.service': { command: 'api', cluster: true },
};

/**
 * `systemd-analyze security` prints "→ Overall exposure level for UNIT: 1.1 OK 🙂". Its table
 * (src/analyze/analyze-security.c, systemd 252) names a level by the exposure, in tenths:
 * ≥ 10.0 DANGEROUS, ≥ 9.0 UNSAFE, ≥ 7.5 EXPOSED, ≥ 5.0 MEDIUM, ≥ 1.0 OK, ≥ 0.1 SAFE, 0.0 PERFECT.
 * "OK or better" is therefore an exposure below 5.0; the label is checked as well as the number.
 */
const OK_OR_BETTER = ['OK', 'SAFE', 'PERFECT'];
const OK_BELOW = 5.0;
const EXPOSURE = /Overall exposure level for (\S+): (\d+\.\d) (\w+)/;

/** What every unit must say, exactly (issue 13). A key listed twice must appear with both values, in order. */
const HARDENING: [string, string][] = [
  ['DynamicUser', 'yes'],
  ['ProtectSystem', 'strict'],
  ['ProtectHome', 'yes'],
  ['PrivateTmp', 'yes'],
  ['PrivateDevices', 'yes'],
  ['NoNewPrivileges', 'yes'],
  ['CapabilityBoundingSet', ''],
  ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX'],
  ['SystemCallFilter', '@system-service'],
  ['SystemCallFilter', '~@privileged @resources'],
  ['SystemCallArchitectures', 'native'],
  ['LockPersonality', 'yes'],
  ['RestrictRealtime', 'yes'],
  ['RestrictNamespaces', 'yes'],
  ['ProtectKernelTunables', 'yes'],
  ['ProtectKernelModules', 'yes'],
  ['ProtectKernelLogs', 'yes'],
  ['ProtectControlGroups', 'yes'],
  ['ProtectClock', 'yes'],
  ['ProtectHostname', 'yes'],
  ['UMask', '0077'],
  ['Restart', 'on-failure'],
];

/** Each command's /healthz and /metrics port, as deploy/prometheus/prometheus.yml scrapes it. */
const HTTP_PORTS: Record<string, number> = { start: 8080, api: 8080, broker: 8081, engine: 8082 };

const read = (name: string) => readFileSync(join(DIR, name), 'utf8');
const units = Object.keys(UNITS).map((name) => ({ name, text: read(name), unit: parseUnit(read(name)) }));

function systemdAnalyze(args: string[]) {
  const r = spawnSync('systemd-analyze', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`systemd-analyze could not run (${r.error.message}): apt-get install systemd`);
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

/**
 * The units as files systemd-analyze can read. `verify` checks that ExecStart's program exists (only the
 * program, /usr/bin/node, not the script it is given), so where Node.js lives elsewhere the copies name
 * this test's own node instead. The copies keep their file names: a template (`name@.service`) is checked
 * as the instance `name@i.service`.
 */
let copies: string;
beforeAll(() => {
  copies = tempDir('citygauge-units-');
  for (const { name, text } of units) {
    const path = join(copies, name);
    if (existsSync(NODE)) copyFileSync(join(DIR, name), path);
    else writeFileSync(path, text.replaceAll(`ExecStart=${NODE} `, `ExecStart=${process.execPath} `));
  }
  const version = systemdAnalyze(['--version']).out;
  const major = Number(/systemd (\d+)/.exec(version)?.[1]);
  if (!(major >= 252))
    throw new Error(`systemd-analyze security --offline needs systemd 252 or later; this is: ${version}`);
});

describe('deploy/systemd', () => {
  it('has a unit for the single node and for each cluster role, and nothing untested', () => {
    const found = readdirSync(DIR).filter((f) => f.endsWith('.service'));
    expect(found.sort()).toEqual(Object.keys(UNITS).sort());
  });

  it.each(Object.keys(UNITS))('%s passes systemd-analyze verify without a warning', (name) => {
    // verify exits 0 even for an unknown key or a value it cannot parse (it only warns and ignores the
    // line), so its output must be empty too.
    const r = systemdAnalyze(['verify', join(copies, name)]);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it.each(Object.keys(UNITS))('%s rates OK or better in systemd-analyze security', (name) => {
    const r = systemdAnalyze(['security', '--offline=yes', join(copies, name)]);
    expect(r.status, r.out).toBe(0);
    const m = EXPOSURE.exec(r.out);
    if (!m) throw new Error(`no "Overall exposure level" line in:\n${r.out}`);
    expect(OK_OR_BETTER, `${m[1]}: ${m[2]} ${m[3]}\n${r.out}`).toContain(m[3]);
    expect(Number(m[2])).toBeLessThan(OK_BELOW);
    // --threshold is compared in tenths: 49 fails a unit at 5.0 (MEDIUM) or above.
    expect(systemdAnalyze(['security', '--offline=yes', '--threshold=49', join(copies, name)]).status).toBe(
      0,
    );
  });

  it('would rate a unit without the hardening block worse than OK (9.6 UNSAFE: the rule above can fail)', () => {
    const text = read('citygauge.service');
    const bare = text.slice(0, text.indexOf('# --- hardening')) + text.slice(text.indexOf('[Install]'));
    const path = join(tempDir('citygauge-bare-'), 'citygauge.service');
    writeFileSync(path, bare.replaceAll(`ExecStart=${NODE} `, `ExecStart=${process.execPath} `));
    const m = EXPOSURE.exec(systemdAnalyze(['security', '--offline=yes', path]).out);
    expect(m?.[3]).toBeDefined();
    expect(OK_OR_BETTER).not.toContain(m?.[3]);
    expect(Number(m?.[2])).toBeGreaterThanOrEqual(OK_BELOW);
  });

  it.each(units)('$name carries the hardening of issue 13', ({ unit, name }) => {
    for (const key of new Set(HARDENING.map(([k]) => k)))
      expect(serviceValues(unit, key), `${name}: ${key}=`).toEqual(
        HARDENING.filter(([k]) => k === key).map(([, v]) => v),
      );
    // V8's JIT writes code and then runs it: W^X enforcement would crash Node.js (see the unit's comment).
    expect(serviceValues(unit, 'MemoryDenyWriteExecute')).toEqual([]);
    expect(serviceValues(unit, 'StateDirectory')).toHaveLength(1);
    expect(Number(serviceValues(unit, 'LimitNOFILE')[0])).toBeGreaterThanOrEqual(65536);
    // A stop takes at most STOP_WITHIN_MS for the parts and then the exit, within 10 s in all: systemd
    // must wait at least that long before SIGKILL, and not much longer for a stuck process.
    const stopS = Number(/^(\d+)s$/.exec(serviceValues(unit, 'TimeoutStopSec')[0] ?? '')?.[1]);
    expect(stopS * 1000).toBeGreaterThan(STOP_WITHIN_MS + 1000);
    expect(stopS).toBeLessThanOrEqual(15);
  });

  it('has one hardening block, the same in every unit but for its state directory', () => {
    const block = (text: string) =>
      text
        .slice(text.indexOf('# --- hardening'), text.indexOf('[Install]'))
        .replace(/^StateDirectory=.*$/m, '');
    const blocks = new Set(units.map(({ text }) => block(text)));
    expect(blocks.size).toBe(1);
  });
});

describe('the command lines of deploy/systemd', () => {
  let program: () => Command;
  beforeAll(async () => {
    const [{ registerStart }, { registerBroker }, { registerEngine }, { registerApi }] = await Promise.all([
      import('../../cli/start.js'),
      import('../../cli/broker.js'),
      import('../../cli/engine.js'),
      import('../../cli/api.js'),
    ]);
    program = () => {
      const p = new Command('citygauge');
      for (const register of [registerStart, registerBroker, registerEngine, registerApi]) register(p);
      return p;
    };
  });

  /** The unit's environment as systemd builds it from Environment= and the example env files beside it. */
  function environment(unit: Setting[], instance: string) {
    const env = parseEnvironment(serviceValues(unit, 'Environment'));
    for (const file of serviceValues(unit, 'EnvironmentFile')) {
      const optional = file.startsWith('-');
      const path = file.replace(/^-/, '').replaceAll('%i', instance);
      expect(path.startsWith('/etc/citygauge/'), path).toBe(true);
      const example = join(DIR, path.slice('/etc/citygauge/'.length));
      // A file the unit cannot start without is shipped as an example beside it.
      if (!optional) expect(existsSync(example), `${path} is required: ship ${example}`).toBe(true);
      if (existsSync(example)) Object.assign(env, parseEnvFile(readFileSync(example, 'utf8')).set);
    }
    return env;
  }

  it.each(units)(
    '$name runs a command line the citygauge CLI accepts, in its state directory',
    ({ name, unit }) => {
      const instance = name.includes('@') ? '1' : '';
      const [line, ...more] = serviceValues(unit, 'ExecStart');
      expect(more).toEqual([]);
      const [node, script, command, ...args] = expandCommand(line, environment(unit, instance), instance);
      expect(node).toBe(NODE);
      expect(script).toBe(SCRIPT);
      // /opt/citygauge is the package installed there: its bin is the script the unit runs.
      const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
      expect(`/opt/citygauge/${pkg.bin.citygauge}`).toBe(SCRIPT);
      expect(command).toBe(UNITS[name].command);
      expect(
        args.filter((a) => a === ''),
        'an argument is empty: a variable is not set',
      ).toEqual([]);

      // Commander parses the options as the CLI would (ports, counts and URLs are checked as they are read).
      const cmd = program().commands.find((c) => c.name() === command);
      if (!cmd) throw new Error(`no command ${command}`);
      cmd.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      let parsed: { operands: string[]; unknown: string[] };
      try {
        parsed = cmd.parseOptions(args);
      } catch (err) {
        throw err instanceof CommanderError ? new Error(`${name}: ${err.message}`) : err;
      }
      expect(parsed).toEqual({ operands: [], unknown: [] });
      const opts = cmd.opts();
      const state = serviceValues(unit, 'StateDirectory')[0].replaceAll('%i', instance);
      expect(opts.dataDir).toBe(`/var/lib/${state}`);
      if (UNITS[name].cluster) {
        expect(opts.cluster).toMatch(/^nats:\/\//);
        expect(opts.db).toMatch(/^postgres:\/\//);
        // The password reaches node-postgres as PGPASSWORD, never on a command line `ps` shows.
        expect(opts.db).not.toMatch(/:\/\/[^/@]*:[^/@]*@/);
      }
      if (name.includes('@')) expect(opts.nodeId).toMatch(/-1$/);
      // Every unit serves /healthz and /metrics on every address: its role's port, the one Prometheus scrapes.
      expect(opts.httpPort, name).toBe(HTTP_PORTS[command]);
      expect(opts.host, name).toBe('0.0.0.0');
    },
  );

  it('documents, in the example env files, every variable the units use and every one citygauge reads', () => {
    const documented = new Set(
      readdirSync(DIR)
        .filter((f) => f.endsWith('.env'))
        .flatMap((f) => [...parseEnvFile(read(f)).documented]),
    );
    const used = units.flatMap(({ unit }) =>
      serviceValues(unit, 'ExecStart').flatMap((l) =>
        [...l.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g)].map((m) => m[1]),
      ),
    );
    const readByCode = ['cli', 'http', 'people', 'registry', 'cluster', 'broker', 'engine', 'red'].flatMap(
      (dir) =>
        readdirSync(dir, { recursive: true, encoding: 'utf8' })
          .filter((f) => f.endsWith('.ts'))
          .flatMap((f) =>
            [...readFileSync(join(dir, f), 'utf8').matchAll(/process\.env\.(CITYGAUGE_[A-Z0-9_]+)/g)].map(
              (m) => m[1],
            ),
          ),
    );
    expect(readByCode).toContain('CITYGAUGE_ADMIN_TOKEN');
    // The standalone engine (`engine --mqtt-url`, no unit runs it) reads its MQTT password from this one.
    const notRun = new Set(['CITYGAUGE_MQTT_PASSWORD']);
    const missing = [...new Set([...used, ...readByCode])].filter(
      (v) => !documented.has(v) && !notRun.has(v),
    );
    expect(missing).toEqual([]);
  });
});

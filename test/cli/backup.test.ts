// `citygauge backup` of a running city under live load and `citygauge restore` into a new data dir (issue 13
// item 7): a city started on the restored dir has the same registry (a device's old secret still logs in over
// MQTT), thresholds and acknowledged alert, scorecard entry and people, and its audit chain verifies. A
// changed archive and a non-empty data dir are refused with the fix.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeHeader, FORMAT_VERSION, type Manifest } from '../../cli/backup-archive.js';
import { type CityProcess, startCity } from '../support/city-process.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const ADMIN = 'backup-admin-token-0123456789abcdef';
const PASSWORD = 'restored-person-password-42';
const cities: CityProcess[] = [];

afterAll(async () => {
  for (const c of cities) await c.stop();
});

const threshold = {
  indicator: 'availability.sensor',
  scope: 'city',
  below: 101,
  clearAt: 101,
  forS: 1,
  severity: 'minor',
};
const entry = {
  indicator: 'L1.1.1',
  period: '2026',
  inputs: { oneStopServices: 390, governmentServices: 520 },
  source: 'City statistics office 2026 annual report',
  by: 'M. Jansen',
};

async function signIn(city: CityProcess, name: string, password: string): Promise<number> {
  const res = await fetch(`${city.http}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name, password, next: '/' }).toString(),
  });
  return res.status;
}

describe('citygauge backup and restore', () => {
  const root = tempDir('citygauge-backup-');
  const dataDir = join(root, 'data');
  const archive = join(root, 'city.cgbackup');
  const restored = join(root, 'restored');
  let secret = '';
  let flows = '';
  let acked: { alertId: string; acknowledgedBy: string } | undefined;

  it('backs up a running city while its fleet publishes', async () => {
    const a = await startCity(
      ['--inventory', 'test/fixtures/town'],
      { CITYGAUGE_ADMIN_TOKEN: ADMIN },
      dataDir,
    );
    cities.push(a);
    // Live load: the simulated fleet's devices are heard.
    await a.until(
      async () => (await a.api('GET', '/api/devices/bus-1/status')).body.status?.lastSeen,
      (seen) => typeof seen === 'string',
      'the simulated fleet publishing',
      30_000,
    );

    const created = await a.api('POST', '/api/devices', {
      id: 'sen-bk',
      kind: 'sensor',
      expectedIntervalS: 60,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    secret = created.body.secret;

    const put = await a.api('PUT', '/api/thresholds', [threshold]);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const raised = await a.until(
      async () => (await a.api('GET', '/api/alerts?open=true')).body,
      (list: { alertId: string }[]) => Array.isArray(list) && list.length > 0,
      'an alert raised by the threshold',
      30_000,
    );
    const ack = await a.api('POST', `/api/alerts/${encodeURIComponent(raised[0].alertId)}/ack`);
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    acked = { alertId: ack.body.alertId, acknowledgedBy: ack.body.acknowledgedBy };

    const entered = await a.api('POST', '/api/scorecard/inputs', entry);
    expect(entered.status, JSON.stringify(entered.body)).toBe(201);

    const added = await runCli(
      ['users', 'add', 'rita', '--role', 'operator', '--password-stdin', '--data-dir', dataDir],
      {
        input: `${PASSWORD}\n`,
      },
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(await signIn(a, 'rita', PASSWORD)).toBe(303);

    // Node-RED has written its flows and the key to their credentials.
    await a.until(
      () => ['flows.json', '.config.runtime.json'].filter((f) => !existsSync(join(dataDir, 'node-red', f))),
      (missing) => missing.length === 0,
      "Node-RED's files in the data dir",
      60_000,
    );
    flows = readFileSync(join(dataDir, 'node-red', 'flows.json'), 'utf8');
    const heardBefore = (await a.api('GET', '/api/devices/bus-1/status')).body.status?.lastSeen;
    const backup = await runCli(['backup', '--data-dir', dataDir, '--out', archive], { timeoutMs: 120_000 });
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(new RegExp(`^backed up \\d+ files \\(.*\\) of ${dataDir} to ${archive} `));
    expect((statSync(archive).mode & 0o777).toString(8)).toBe('600');
    // The city kept running and its fleet kept publishing through the backup.
    await a.until(
      async () => (await a.api('GET', '/api/devices/bus-1/status')).body.status?.lastSeen,
      (seen) => seen !== heardBefore,
      'the fleet still publishing after the backup',
      90_000,
    );
    // A change after the backup is not in it.
    expect((await a.api('POST', '/api/devices', { id: 'sen-late', kind: 'sensor' })).status).toBe(201);
  }, 180_000);

  it('refuses a changed archive, naming it, and writes nothing', async () => {
    const bytes = readFileSync(archive);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    const bad = join(root, 'flipped.cgbackup');
    writeFileSync(bad, bytes);
    const into = join(root, 'from-flipped');
    const r = await runCli(['restore', bad, '--data-dir', into]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad} is not a complete citygauge backup`);
    expect(r.stderr).toMatch(/restore from another copy of the backup/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(() => statSync(into)).toThrow();
  });

  it('refuses to restore into a data dir that is not empty', async () => {
    const r = await runCli(['restore', archive, '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--data-dir ${dataDir} is not empty`);
    expect(r.stderr).toContain('--force');
  });

  it('restores into a new data dir where a city finds the same registry, alerts, scorecard and people', async () => {
    const r = await runCli(['restore', archive, '--data-dir', restored], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^restored \\d+ files into ${restored} from the backup of ${dataDir}`),
    );
    expect((statSync(restored).mode & 0o777).toString(8)).toBe('700');
    expect((statSync(join(restored, 'registry.sqlite')).mode & 0o777).toString(8)).toBe('600');

    expect(readFileSync(join(restored, 'node-red', 'flows.json'), 'utf8')).toBe(flows);
    expect(existsSync(join(restored, 'node-red', '.config.runtime.json'))).toBe(true);
    expect(existsSync(join(restored, 'engine-state.bin'))).toBe(true);
    expect(existsSync(join(restored, 'retained.sqlite'))).toBe(true);

    const verified = await runCli(['audit', 'verify', '--data-dir', restored]);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);

    const b = await startCity(['--no-sim', '--no-red'], { CITYGAUGE_ADMIN_TOKEN: ADMIN }, restored);
    cities.push(b);
    expect(b.ports.http).not.toBe(cities[0].ports.http);

    expect((await b.api('GET', '/api/devices/sen-bk')).body).toMatchObject({ id: 'sen-bk', kind: 'sensor' });
    expect((await b.api('GET', '/api/devices/sen-late')).status).toBe(404);
    const device = await b.connect({ clientId: 'sen-bk', username: 'sen-bk', password: secret });
    device.end(true);
    await expect(
      b.connect({ clientId: 'sen-bk', username: 'sen-bk', password: 'not-its-secret' }),
    ).rejects.toThrow();

    expect((await b.api('GET', '/api/thresholds')).body).toMatchObject([
      { indicator: 'availability.sensor', below: 101 },
    ]);
    const alerts = (await b.api('GET', '/api/alerts')).body as { alertId: string; acknowledgedBy?: string }[];
    expect(alerts.find((x) => x.alertId === acked?.alertId)).toMatchObject({
      acknowledgedBy: acked?.acknowledgedBy,
    });

    const inputs = (await b.api('GET', '/api/scorecard/inputs?indicator=L1.1.1')).body;
    expect(inputs).toMatchObject([{ indicator: 'L1.1.1', period: '2026', source: entry.source }]);

    expect(await signIn(b, 'rita', PASSWORD)).toBe(303);
    expect(await signIn(b, 'rita', 'not-the-password-at-all')).toBe(401);
  }, 120_000);
});

describe('citygauge backup --db postgres://…', () => {
  it('covers only the data dir’s own files and names pg_dump for the rest', async () => {
    const root = tempDir('citygauge-backup-pg-');
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    // As a node with --db leaves its data dir: a stale registry copy beside its own history and state.
    for (const name of ['registry.sqlite', 'history.sqlite']) {
      const db = new Database(join(dataDir, name));
      db.exec('create table t (v text); insert into t values (1)');
      db.close();
    }
    writeFileSync(join(dataDir, 'engine-state.bin'), 'state');
    const archive = join(root, 'node.cgbackup');
    const r = await runCli([
      'backup',
      '--data-dir',
      dataDir,
      '--out',
      archive,
      '--db',
      'postgres://citygauge:hunter2@127.0.0.1:5432/city',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('backed up 2 files');
    expect(r.stdout).toContain('are in PostgreSQL (--db) and are NOT in this backup');
    expect(r.stdout).toContain('pg_dump --format=custom --file=citygauge.pgdump "$CITYGAUGE_DB"');
    expect(r.stdout).not.toContain('hunter2');

    // --force restores over a data dir that is not empty.
    const into = join(root, 'into');
    mkdirSync(into);
    writeFileSync(join(into, 'engine-state.bin'), 'older');
    const restored = await runCli(['restore', archive, '--data-dir', into, '--force']);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain(
      'restore the registry, people, alerts and scorecard into PostgreSQL with pg_restore',
    );
    expect(readdirSync(into).sort()).toEqual(['engine-state.bin', 'history.sqlite']);
    expect(readFileSync(join(into, 'engine-state.bin'), 'utf8')).toBe('state');
  });
});

describe('citygauge restore of an archive it cannot trust', () => {
  const write = (manifest: object, body = Buffer.alloc(0)) => {
    const file = join(tempDir('citygauge-backup-made-'), 'made.cgbackup');
    writeFileSync(file, gzipSync(Buffer.concat([encodeHeader(manifest as Manifest), body])));
    return file;
  };
  const manifest = (over: Partial<Manifest>): Manifest => ({
    format: 'citygauge-backup',
    formatVersion: FORMAT_VERSION,
    citygaugeVersion: '0.0.1',
    createdAt: '2026-03-01T02:00:00.000Z',
    dataDir: '/var/lib/citygauge',
    controlPlane: 'sqlite',
    dirs: [],
    files: [],
    ...over,
  });

  it('refuses a backup taken by a newer citygauge, naming the version to install', async () => {
    const file = write(manifest({ citygaugeVersion: '99.0.0' }));
    const r = await runCli(['restore', file, '--data-dir', join(tempDir(), 'd')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot restore ${file}: it was taken by citygauge 99.0.0`);
    expect(r.stderr).toContain('install citygauge 99.0.0 or newer');
  });

  it('refuses a manifest naming a file outside the data dir, and a file cut short', async () => {
    const body = Buffer.from('x');
    const sum = createHash('sha256').update(body).digest('hex');
    const outside = write(
      manifest({ files: [{ path: '../escape', size: 1, sha256: sum, how: 'copy' }] }),
      body,
    );
    const r = await runCli(['restore', outside, '--data-dir', join(tempDir(), 'd')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('names a file outside the data dir (../escape)');

    const short = write(
      manifest({ files: [{ path: 'engine-state.bin', size: 5, sha256: sum, how: 'copy' }] }),
      body,
    );
    const s = await runCli(['restore', short, '--data-dir', join(tempDir(), 'd')]);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain(
      `${short} is not a complete citygauge backup (engine-state.bin is cut short: 1 of 5 bytes)`,
    );
  });
});

// `--db postgres://…`: two `citygauge start` processes on one PostgreSQL are two nodes of one city. A
// device registered through one node's API is served by the other's and logs in at the other's broker;
// an unreachable database stops a command with the fix, not a stack trace.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { PgRegistryStore } from '../../registry/pg-store.js';
import { type CityProcess, startCity } from '../support/city-process.js';
import { runCli } from '../support/cli.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { tempDir } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
const ADMIN = 'db-flag-admin-token-0123456789abcdef';
let server: TestPostgres;
const cities: CityProcess[] = [];

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await Promise.all(cities.map((c) => c.stop()));
  await server?.stop();
});

describe('citygauge start --db', () => {
  it('serves on a second node a device registered through the first, and admits it at its broker', async () => {
    const url = await server.createDatabase();
    const args = ['--db', url, '--no-sim', '--no-red'];
    const a = await startCity(args, { CITYGAUGE_ADMIN_TOKEN: ADMIN });
    cities.push(a);
    const b = await startCity(args, { CITYGAUGE_ADMIN_TOKEN: ADMIN });
    cities.push(b);
    // Both nodes hold the city imported once, by the first.
    const [onA, onB] = await Promise.all([
      a.api('GET', '/api/devices?limit=1'),
      b.api('GET', '/api/devices?limit=1'),
    ]);
    expect(onA.body.total).toBeGreaterThan(100);
    expect(onB.body.total).toBe(onA.body.total);

    const created = await a.api('POST', '/api/devices', {
      id: 'sen-pg',
      kind: 'sensor',
      expectedIntervalS: 60,
    });
    expect(created.status).toBe(201);
    const registeredAt = Date.now();
    const seen = await b.until(
      () => b.api('GET', '/api/devices/sen-pg'),
      (r) => r.status === 200,
      'node b serves sen-pg',
      5_000,
    );
    const tookMs = Date.now() - registeredAt;
    expect(seen.body).toMatchObject({ id: 'sen-pg', kind: 'sensor', expectedIntervalS: 60 });
    // Within a second plus one HTTP round trip each poll, on a busy shared machine.
    expect(tookMs).toBeLessThan(2_000);
    const device = await b.connect({ clientId: 'sen-pg', username: 'sen-pg', password: created.body.secret });
    device.end(true);
  });

  it('imports an inventory folder into the PostgreSQL every node reads (citygauge import --db)', async () => {
    const url = await server.createDatabase();
    const r = await runCli(['import', TOWN, '--db', url], { timeoutMs: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^imported into postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+: areas \d/);
    const store = await PgRegistryStore.open(url);
    try {
      expect(store.load()).toEqual((await loadInventoryDir(TOWN)).inventory);
    } finally {
      await store.close();
    }
  });

  it('stops with a message naming --db when the database cannot be reached', async () => {
    const r = await runCli(
      [
        'broker',
        '--db',
        'postgres://citygauge:hunter2@127.0.0.1:1/city',
        '--data-dir',
        tempDir(),
        '--mqtt-port',
        '0',
      ],
      { timeoutMs: 30_000 },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /cannot reach PostgreSQL at postgres:\/\/citygauge:\*\*\*@127\.0\.0\.1:1\/city .*check --db/,
    );
    expect(r.stderr).not.toContain('hunter2');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

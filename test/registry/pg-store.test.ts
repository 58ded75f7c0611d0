// The registry on a PostgreSQL shared by several nodes: the same Inventory as SQLite gives back, a change on
// one node seen by the others within a second (LISTEN/NOTIFY), a cut listener that recovers, and
// credentials that open the door on every node.
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../registry/inventory.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { PgRegistryStore } from '../../registry/pg-store.js';
import { Registry } from '../../registry/registry-service.js';
import { RegistryStore } from '../../registry/store.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));

let server: TestPostgres;
const opened: PgRegistryStore[] = [];
const open = async (url: string) => {
  const store = await PgRegistryStore.open(url);
  opened.push(store);
  return store;
};
/** A node: its store and its registry service, with the inventories its hooks were told. */
const node = async (url: string) => {
  const store = await open(url);
  const registry = new Registry(store, store.credentials());
  const told: Inventory[] = [];
  registry.onChange((inv) => told.push(inv));
  return { store, registry, told };
};

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
afterAll(() => server?.stop());

describe('the registry on PostgreSQL', () => {
  it('gives back the same Inventory as SQLite for the same import, attributes and optional fields included', async () => {
    const { inventory } = await loadInventoryDir(TOWN);
    inventory.pipeSegments.set('p9', {
      id: 'p9',
      lengthM: 12.5,
      district: 'north',
      attributes: { material: 'PVC' },
    });
    const sqlite = await RegistryStore.open(tempDir());
    sqlite.upsert(inventory);
    const fromSqlite = sqlite.load();
    sqlite.close();

    const url = await server.createDatabase();
    const writer = await open(url);
    expect(writer.isEmpty()).toBe(true);
    await writer.upsert(inventory, undefined, 'set');
    const reader = await open(url);
    expect(reader.load()).toEqual(fromSqlite);
    expect(reader.load()).toEqual(inventory);
    expect(reader.simulatedIds()).toEqual(new Set(inventory.devices.keys()));
  });

  it('shows a device registered on one node to another within a second, through the same hooks', async () => {
    const url = await server.createDatabase();
    const { inventory } = await loadInventoryDir(TOWN);
    await (await open(url)).upsert(inventory);
    const a = await node(url);
    const b = await node(url);
    const started = Date.now();
    const r = a.registry.create({ id: 'sen-new', kind: 'sensor', expectedIntervalS: 60 });
    expect(r.ok).toBe(true);
    await a.registry.written();
    await waitFor('node b sees sen-new', () => b.registry.inventory.devices.has('sen-new'), 5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(b.told.at(-1)?.devices.get('sen-new')).toEqual(a.registry.inventory.devices.get('sen-new'));
    // The node that made the change is told once, by its own write, not again by its notice.
    expect(a.told).toHaveLength(1);
    // Removal travels the same way, and its secret stops working on the other node too.
    const secret = r.ok ? r.value.secret : '';
    await waitFor('b knows the secret', () => b.registry.credentials.verify('sen-new', secret) === 'device');
    expect(a.registry.remove('sen-new').ok).toBe(true);
    await a.registry.written();
    await waitFor('node b forgets sen-new', () => !b.registry.inventory.devices.has('sen-new'));
    await waitFor(
      'b forgets the secret',
      () => b.registry.credentials.verify('sen-new', secret) === undefined,
    );
  });

  it('verifies on one node a token issued or rotated on another', async () => {
    const url = await server.createDatabase();
    const a = await open(url);
    const b = await open(url);
    const token = a.credentials().issue('service:engine', 'service');
    await a.credentials().written();
    await waitFor(
      'b verifies the token',
      () => b.credentials().verify('service:engine', token) === 'service',
    );
    const rotated = a.credentials().issue('service:engine', 'service');
    await a.credentials().written();
    await waitFor(
      'b takes the new token',
      () => b.credentials().verify('service:engine', rotated) === 'service',
    );
    expect(b.credentials().verify('service:engine', token)).toBeUndefined();
    // A third node started later reads it from the database.
    expect((await open(url)).credentials().verify('service:engine', rotated)).toBe('service');
  });

  it('recovers when its listening connection is cut, and catches up on what it missed', async () => {
    const url = await server.createDatabase();
    const a = await node(url);
    const b = await node(url);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const pid = await b.store.feedBackendPid();
      expect(pid).toBeTypeOf('number');
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      // Made while b's listener may be away: heard, or read when it reconnects.
      expect(a.registry.create({ id: 'pm-cut', kind: 'sensor', expectedIntervalS: 60 }).ok).toBe(true);
      await a.registry.written();
      await waitFor('b sees pm-cut after the cut', () => b.registry.inventory.devices.has('pm-cut'));
      const deadline = Date.now() + 10_000;
      let again = await b.store.feedBackendPid().catch(() => undefined);
      while (again === undefined || again === pid) {
        if (Date.now() > deadline) throw new Error('b did not listen again within 10 s');
        await new Promise((r) => setTimeout(r, 20));
        again = await b.store.feedBackendPid().catch(() => undefined);
      }
      // And it keeps listening: a later change arrives within a second.
      const started = Date.now();
      expect(a.registry.create({ id: 'pm-after', kind: 'sensor', expectedIntervalS: 60 }).ok).toBe(true);
      await waitFor('b sees pm-after', () => b.registry.inventory.devices.has('pm-after'));
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await admin.end();
    }
  });

  it('answers a write the database refuses with an error, and drops the change from memory', async () => {
    const url = await server.createDatabase();
    const a = await node(url);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    // A rule of the database this node does not know: the registry service accepts the device, PostgreSQL not.
    await admin.query("ALTER TABLE devices ADD CONSTRAINT no_ghosts CHECK (id <> 'sen-ghost')");
    await admin.end();
    expect(a.registry.create({ id: 'sen-ghost', kind: 'sensor', expectedIntervalS: 60 }).ok).toBe(true);
    const err = await a.registry.written().catch((e: Error & { statusCode?: number }) => e);
    expect(err).toMatchObject({ statusCode: 503, message: expect.stringContaining('no_ghosts') });
    await waitFor('the refused device is dropped', () => !a.registry.inventory.devices.has('sen-ghost'));
    expect(a.registry.credentials.has('sen-ghost')).toBe(false);
    // The next write goes through as before.
    expect(a.registry.create({ id: 'sen-real', kind: 'sensor', expectedIntervalS: 60 }).ok).toBe(true);
    await a.registry.written();
    expect((await open(url)).load().devices.has('sen-real')).toBe(true);
  });

  it('reports an unreachable database with a message naming --db, not a stack trace', async () => {
    const err = await PgRegistryStore.open('postgres://nobody:secret@127.0.0.1:1/none').catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /cannot reach PostgreSQL at postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none .*check --db/,
    );
    expect((err as Error).message).not.toContain('secret');
  });
});

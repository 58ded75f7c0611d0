// The people of a city on the PostgreSQL control plane (`--db`): the same contract as people.sqlite
// (people-contract.ts), and the audit chain several nodes append to at once staying one chain, unforked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditEntry, ChainVerifier } from '../../people/audit-chain.js';
import { People } from '../../people/people.js';
import { PgPeople } from '../../people/pg-people.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { peopleStoreContract } from './people-contract.js';

let server: TestPostgres;

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

describe('people on PostgreSQL', () => {
  peopleStoreContract(async () => PgPeople.open(await server.createDatabase()));
});

describe('people shared by several nodes on one PostgreSQL', () => {
  it('keeps one audit chain, unforked, when two nodes append 50 entries each at once', async () => {
    const url = await server.createDatabase();
    const stores = [await PgPeople.open(url), await PgPeople.open(url)];
    try {
      const nodes = stores.map((s) => new People(s));
      await Promise.all(
        nodes.flatMap((people, node) =>
          Array.from({ length: 50 }, (_, i) =>
            people.audit({
              actor: `node-${node}`,
              role: 'admin',
              via: 'session',
              address: `10.0.${node}.1`,
              action: 'threshold.set',
              target: `entry-${i}`,
              before: { value: i },
              after: { value: i + 1 },
              outcome: 'ok',
            }),
          ),
        ),
      );
      const all: AuditEntry[] = [];
      for await (const e of stores[1].auditAll(17)) all.push(e);
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      // A fork would show as two entries claiming the same predecessor.
      expect(new Set(all.map((e) => e.prevHash)).size).toBe(100);
      for (const node of ['node-0', 'node-1'])
        expect(
          all
            .filter((e) => e.actor === node)
            .map((e) => e.target)
            .sort(),
        ).toEqual(Array.from({ length: 50 }, (_, i) => `entry-${i}`).sort());
      const v = new ChainVerifier();
      for (const e of all) expect(v.add(e)).toBeUndefined();
      expect(v.result()).toEqual({ ok: true, entries: 100, head: all[99].hash });
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('honours on one node a session made on another, and ends it everywhere when the person is disabled', async () => {
    const url = await server.createDatabase();
    const stores = [await PgPeople.open(url), await PgPeople.open(url)];
    try {
      const [a, b] = stores.map((s) => new People(s));
      const cli = { name: 'cli:tester', role: null, via: 'cli' as const, address: null };
      await a.addLocal('bob', 'operator', cli, 'correct horse battery');
      const { cookie } = await a.startSession('bob', 'local', '10.0.0.1');
      expect((await b.sessionOf(cookie))?.account.role).toBe('operator');
      await b.setDisabled('bob', true, cli);
      expect(await a.sessionOf(cookie)).toBeUndefined();
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  }, 30_000);
});

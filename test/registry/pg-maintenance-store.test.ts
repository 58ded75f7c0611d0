// Maintenance windows in a PostgreSQL control plane (`citygauge start --db`): planned, changed and cancelled
// through the plan, committed before the answer, and read back whole by the next start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaintenancePlan } from '../../registry/maintenance-plan.js';
import { PgMaintenanceStore } from '../../registry/pg-maintenance-store.js';
import { makeInventory } from '../support/city.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

const inventory = makeInventory({
  areas: [{ id: 'plaza', class: 'key-public', district: 'centre' }],
  devices: [{ id: 'cam-1', kind: 'cctv', assetId: 'plaza' }],
});
const T = Date.parse('2026-01-05T08:00:00Z');

describe('maintenance windows on PostgreSQL', () => {
  it('keeps what was planned, changed and cancelled across a restart', async () => {
    const url = await server.createDatabase();
    const first = await PgMaintenanceStore.open(url);
    const plan = new MaintenancePlan(first, () => inventory);
    const kept = plan.create(
      { start: T + 60_000, end: T + 120_000, reason: 'lens', devices: ['cam-1'], assets: [], districts: [] },
      'olga',
      T,
    );
    const dropped = plan.create(
      { start: T + 60_000, end: T + 90_000, reason: 'paint', devices: [], assets: ['plaza'], districts: [] },
      'olga',
      T,
    );
    if (!kept.ok || !dropped.ok) throw new Error('planning failed');
    expect(plan.change(kept.value.id, { end: T + 180_000 }, T).ok).toBe(true);
    expect(plan.cancel(dropped.value.id, T + 1000).ok).toBe(true);
    await plan.written();
    await first.close();

    const second = await PgMaintenanceStore.open(url);
    try {
      const again = new MaintenancePlan(second, () => inventory);
      expect(again.get(kept.value.id)).toEqual({ ...kept.value, end: T + 180_000 });
      expect(again.get(dropped.value.id)).toEqual({ ...dropped.value, cancelledAt: T + 1000 });
    } finally {
      await second.close();
    }
  });

  it('says what to fix when the database is unreachable', async () => {
    await expect(PgMaintenanceStore.open('postgres://citygauge@127.0.0.1:9/none')).rejects.toThrow(
      /cannot reach PostgreSQL .*check --db/,
    );
  });
});

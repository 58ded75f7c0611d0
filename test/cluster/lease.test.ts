// Leases on the real 3-node cluster: one of two contenders wins, the other takes over once the winner stops
// renewing (not before its TTL), a stale owner's renew fails, and a holder cut off from the cluster counts
// its lease lost by itself.
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lease, LeaseKeeper, LeaseLostError, Leases } from '../../cluster/lease.js';
import { type NatsCluster, startNats } from '../support/nats.js';
import { waitFor } from '../support/wait.js';

// Long enough that a renew answered late on a busy machine (CI runs several servers at once) is not a loss.
const TTL_MS = 4_000;
let nats: NatsCluster;
let nc: NatsConnection;
let leases: Leases;

beforeAll(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.urls });
  leases = await Leases.open(nc, { ttlMs: TTL_MS, replicas: 3 });
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

describe('leases', () => {
  it('lets exactly one of two contenders acquire, and says who holds it', async () => {
    const [a, b] = await Promise.all([
      leases.tryAcquire('partition.0', 'shard-a'),
      leases.tryAcquire('partition.0', 'shard-b'),
    ]);
    const winners = [a, b].filter((l): l is Lease => l !== null);
    expect(winners).toHaveLength(1);
    const winner = winners[0] as Lease;
    expect(await leases.holder('partition.0')).toEqual({ owner: winner.owner, revision: winner.revision });
    expect(await leases.tryAcquire('partition.0', 'shard-c')).toBeNull();
    await leases.release(winner);
    expect(await leases.holder('partition.0')).toBeNull();
  });

  it('lets another acquire once the winner stops renewing, not before the TTL, and fails the stale owner’s renew', async () => {
    let lease = (await leases.tryAcquire('partition.1', 'shard-a')) as Lease;
    expect(lease).not.toBeNull();
    const lastRenewSentAt = Date.now();
    lease = await leases.renew(lease); // a renew extends it
    expect(lease.revision).toBeGreaterThan(0);

    // shard-a now stops renewing (as if killed); shard-b polls.
    const b = await waitFor(
      'shard-b to acquire the abandoned lease',
      async () => (await leases.tryAcquire('partition.1', 'shard-b')) ?? undefined,
      TTL_MS + 10_000,
    );
    const waitedMs = Date.now() - lastRenewSentAt;
    expect(waitedMs).toBeGreaterThanOrEqual(TTL_MS * 0.9);
    // A holder is read from any replica, which may lag the write a moment on a busy machine.
    const holderIs = (owner: string) =>
      waitFor(`the lease to read as ${owner}'s`, async () => {
        const h = await leases.holder('partition.1');
        return h?.owner === owner ? h : undefined;
      });
    expect(await holderIs('shard-b')).toEqual({ owner: 'shard-b', revision: b.revision });

    await expect(leases.renew(lease)).rejects.toThrow(LeaseLostError);
    await expect(leases.renew(lease)).rejects.toThrow(
      "lease partition.1 is no longer shard-a's: shard-b holds it",
    );
    // The stale owner's release does not remove the new owner's lease.
    await leases.release(lease);
    expect((await holderIs('shard-b')).revision).toBe(b.revision);
  }, 30_000);

  it('keeps a lease with a keeper, and hands it to the waiting keeper within TTL + margin when the holder dies', async () => {
    const a = new LeaseKeeper(leases, 'api-leader', 'api-a').start();
    await waitFor('api-a to lead', () => a.held);
    const b = new LeaseKeeper(leases, 'api-leader', 'api-b').start();
    // Held across several TTLs: api-a keeps renewing, api-b never gets it.
    const bAcquired = new Promise<number>((resolve) => b.once('acquired', () => resolve(Date.now())));
    await new Promise((r) => setTimeout(r, TTL_MS * 2));
    expect(a.held).toBe(true);
    expect(b.held).toBe(false);
    expect((await leases.holder('api-leader'))?.owner).toBe('api-a');

    const diedAt = Date.now();
    await a.stop({ release: false }); // dies without a word
    const acquiredAt = await bAcquired;
    expect(acquiredAt - diedAt).toBeLessThan(TTL_MS + 5_000);
    expect(b.held).toBe(true);
    expect((await leases.holder('api-leader'))?.owner).toBe('api-b');
    await b.stop();
    expect(await leases.holder('api-leader')).toBeNull();
  }, 30_000);

  it('keeps a lease whose renew was stored but whose answer was lost (a node died mid-request)', async () => {
    const lease = (await leases.tryAcquire('partition.5', 'shard-a')) as Lease;
    // The renew reached JetStream; its answer never came back, so the holder still has the old revision.
    const stored = await leases.renew(lease);
    const again = await leases.renew(lease);
    expect(again.revision).toBeGreaterThan(stored.revision);
    expect(await leases.holder('partition.5')).toEqual({ owner: 'shard-a', revision: again.revision });
    await leases.release(again);
  });

  it('releases on stop even when a renew is in flight, so the successor need not wait for the TTL', async () => {
    // A renew the server has applied but whose answer arrives late (a busy machine): stop() must release the
    // revision that renew returns, not the one before it.
    let renewApplied = () => {};
    const applied = new Promise<void>((resolve) => (renewApplied = resolve));
    let answer = () => {};
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const slow: Leases = Object.create(leases);
    slow.renew = async (lease) => {
      const renewed = await leases.renew(lease);
      renewApplied();
      await answered; // held back until stop() has begun
      return renewed;
    };
    const a = new LeaseKeeper(slow, 'partition.4', 'shard-a').start();
    await waitFor('shard-a to hold partition 4', () => a.held);
    await applied;
    const stopping = a.stop();
    answer();
    await stopping;
    expect(await leases.holder('partition.4')).toBeNull();
  });

  it('reports a lost lease to a keeper that another took it from', async () => {
    const a = new LeaseKeeper(leases, 'partition.2', 'shard-a').start();
    await waitFor('shard-a to hold partition 2', () => a.held);
    const lost = new Promise<string>((resolve) => a.once('lost', resolve));
    // Someone removes it behind shard-a's back (an operator, or an expiry during a long pause) and takes it.
    const current = await leases.holder('partition.2');
    await leases.release({ name: 'partition.2', owner: 'shard-a', revision: current?.revision ?? 0 });
    const c = await leases.tryAcquire('partition.2', 'shard-c');
    expect(c).not.toBeNull();
    expect(await lost).toBe("lease partition.2 is no longer shard-a's: shard-c holds it");
    expect(a.held).toBe(false);
    await a.stop();
    expect((await leases.holder('partition.2'))?.owner).toBe('shard-c');
  });

  it('counts the lease lost by itself when the holder cannot reach the cluster, before anyone could take it', async () => {
    const own = await connect({ servers: nats.urls });
    const ownLeases = await Leases.open(own, { ttlMs: TTL_MS, replicas: 3 });
    const a = new LeaseKeeper(ownLeases, 'partition.3', 'shard-a').start();
    await waitFor('shard-a to hold partition 3', () => a.held);
    const lost = new Promise<number>((resolve) => a.once('lost', () => resolve(Date.now())));
    const cutAt = Date.now();
    await own.close();
    const lostAt = await lost;
    expect(lostAt - cutAt).toBeLessThan(TTL_MS);
    expect(a.held).toBe(false);
    // Nobody else could acquire it before shard-a stopped acting as its owner.
    expect((await leases.holder('partition.3'))?.owner).toBe('shard-a');
    await a.stop({ release: false });
  });

  it('refuses to open the bucket with another TTL than the one it has', async () => {
    await expect(Leases.open(nc, { ttlMs: 9_000, replicas: 3 })).rejects.toThrow(/TTL of 4000 ms, not 9000/);
  });
});

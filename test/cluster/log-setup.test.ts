// Setting up the log as a cluster starts: nodes racing to create it through different NATS servers all join
// (a stream just created elsewhere may not yet answer here), and a server without JetStream is named at once.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterLog, EVENT_STREAM, IN_STREAM, LogSetupError } from '../../cluster/log.js';
import { type NatsCluster, startNats } from '../support/nats.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

const ROUNDS = 6;
let nats: NatsCluster;

beforeAll(async () => {
  nats = await startNats();
}, 60_000);

afterAll(async () => {
  await nats?.stop();
});

/** Removes every stream of the log (and its meta bucket), so the next round sets up a new log. */
async function dropLog(log: ClusterLog): Promise<void> {
  const jsm = await log.nc.jetstreamManager();
  for await (const name of jsm.streams.names()) await jsm.streams.delete(name);
}

describe('setting up the log', () => {
  it('lets three nodes set up a new log at once, each through another NATS server, and they agree', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const logs = await Promise.all(
        nats.urls.map((u, i) => ClusterLog.connect([u], { name: `racer-${i}` })),
      );
      try {
        const results = await Promise.allSettled(logs.map((l) => l.setup({ partitions: 6 })));
        const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`node ${i}: ${r.reason}`] : []));
        expect(failed, `round ${round}`).toEqual([]);
        for (const l of logs) expect(await l.partitions()).toBe(6);
        const jsm = await logs[0]!.nc.jetstreamManager();
        expect((await jsm.streams.info(IN_STREAM)).config.num_replicas).toBe(3);
        expect((await jsm.streams.info(EVENT_STREAM)).config.num_replicas).toBe(3);
        await dropLog(logs[0]!);
      } finally {
        await Promise.all(logs.map((l) => l.close()));
      }
    }
  }, 120_000);

  it('names the fix at once when the NATS server has no JetStream', async () => {
    const port = await freePort();
    let stderr = '';
    const child: ChildProcess = spawn(process.env.NATS_SERVER ?? '/usr/sbin/nats-server', [
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
    ]);
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    try {
      await waitFor(`nats-server without JetStream on ${port} (${stderr.slice(-500)})`, () =>
        stderr.includes('Server is ready'),
      );
      const log = await ClusterLog.connect([`nats://127.0.0.1:${port}`]);
      try {
        const started = Date.now();
        const setup = log.setup({ partitions: 2 });
        await expect(setup).rejects.toThrow(LogSetupError);
        await expect(setup).rejects.toThrow(/without JetStream: start nats-server with JetStream enabled/);
        // Not retried for the append timeout (20 s): a server without JetStream will not grow one.
        expect(Date.now() - started).toBeLessThan(10_000);
      } finally {
        await log.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
  });
});

// A log reader asked to start on a connection that has closed (its node is stopping) gives up at once:
// retrying until the open deadline kept a stopping shard alive past the launcher's SIGTERM grace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterLog } from '../../cluster/log.js';
import { type NatsCluster, startNats } from '../support/nats.js';

let nats: NatsCluster;

beforeAll(async () => {
  nats = await startNats({ nodes: 1 });
});

afterAll(async () => {
  await nats?.stop();
});

describe('a log reader on a closed connection', () => {
  it('rejects at once, naming the closed connection, instead of retrying until its deadline', async () => {
    // A deadline far beyond the test's own timeout: only giving up at once passes.
    const log = await ClusterLog.connect(nats.urls, { appendTimeoutMs: 120_000 });
    await log.setup({ partitions: 2 });
    expect(await log.partitions()).toBe(2);
    await log.close();
    await expect(log.read(0, 0, () => {})).rejects.toThrow(/CONNECTION_CLOSED/);
  }, 15_000);
});

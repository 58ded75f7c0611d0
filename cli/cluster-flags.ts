// The flags every cluster node takes (`broker`, `engine`, `api` with --cluster), and joining the log.
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { ClusterLog } from '../cluster/log.js';
import { UsageError } from './errors.js';
import { wholeFlag } from './flags.js';

export interface ClusterFlags {
  /** Comma-separated NATS URLs of the log. */
  cluster?: string;
  partitions: number;
  leaseTtlMs: number;
}

export const DEFAULT_PARTITIONS = 16;
/** How long a node waits for the log at start before it gives up and says why. */
const SETUP_PATIENCE_MS = 60_000;

export function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--cluster <urls>', 'join the cluster whose log is this NATS JetStream (comma-separated URLs)')
    .option(
      '--partitions <n>',
      'partitions of the log, fixed when the cluster is first set up (every node must agree)',
      wholeFlag(1, 1024),
      DEFAULT_PARTITIONS,
    )
    .option(
      '--lease-ttl-ms <ms>',
      'how long a dead node holds its partitions or leadership',
      wholeFlag(500),
      6000,
    );
}

export function clusterUrls(flag: string): string[] {
  const urls = flag
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const u of urls) {
    if (!/^(nats|tls):\/\/[^/]+/.test(u))
      throw new UsageError(
        `--cluster '${u}' is not a NATS URL: write nats://host:4222 (comma-separated for several)`,
      );
  }
  if (urls.length === 0)
    throw new UsageError('--cluster needs at least one NATS URL, e.g. nats://localhost:4222');
  return urls;
}

/**
 * A request to JetStream while a node joins (a bucket opened, the registry announced): the cluster may still
 * be electing its leaders, so it is retried for a while before the node gives up and says why.
 */
export async function whileJoining<T>(
  what: string,
  attempt: () => Promise<T>,
  logger: Logger,
  patienceMs = SETUP_PATIENCE_MS,
): Promise<T> {
  const deadline = Date.now() + patienceMs;
  for (let wait = 250; ; wait = Math.min(wait * 2, 4000)) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() + wait > deadline)
        throw new Error(`${what}: ${(err as Error).message} (is JetStream up, with most of its nodes?)`, {
          cause: err,
        });
      logger.warn({ err: (err as Error).message, retryInMs: wait }, `${what}: not ready; trying again`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** Connect to the log and make sure it is set up with the partition count this node was given. */
export async function joinLog(flags: ClusterFlags, name: string, logger: Logger): Promise<ClusterLog> {
  const log = await ClusterLog.connect(clusterUrls(flags.cluster!), { name, logger });
  // A node may start while JetStream elects its leaders, or race another node's setup: wait that out. A log
  // set up otherwise (another partition count, no JetStream) is a mistake to report at once.
  const deadline = Date.now() + SETUP_PATIENCE_MS;
  for (let wait = 250; ; wait = Math.min(wait * 2, 4000)) {
    try {
      await log.setup({ partitions: flags.partitions });
      return log;
    } catch (err) {
      const message = (err as Error).message;
      if (/partitions, not|without JetStream|whole number/.test(message) || Date.now() + wait > deadline) {
        await log.close();
        throw err;
      }
      logger.warn({ err: message, retryInMs: wait }, 'the log is not ready; trying again');
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

// Setting up the cluster's log (cluster/log.ts): its streams, their subjects, and the partition count fixed
// at setup. Every node runs it at start; it is safe to repeat and to race.
import {
  type JetStreamClient,
  type JetStreamManager,
  type KV,
  type NatsConnection,
  type NatsError,
  nanos,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from 'nats';
import { clusterReplicas } from './nats-connection.js';

export const IN_STREAM = 'CITYGAUGE_IN';
export const PARTIAL_STREAM = 'CITYGAUGE_PARTIAL';
/** What the city publishes (cluster/city-output.ts): the last message of each retained topic… */
export const OUT_STREAM = 'CITYGAUGE_OUT';
/** …and its events (alerts), each delivered live to every front door. */
export const EVENT_STREAM = 'CITYGAUGE_EVENTS';
/** Alert acknowledgements made on any API node, for every API node's alert state (cluster/cluster-alerts.ts). */
export const ACK_STREAM = 'CITYGAUGE_ACKS';
/** A new API leader republishes the alert events of this long ago; JetStream drops those already stored. */
export const OUT_DUPLICATE_WINDOW_MS = 10 * 60_000;

export const inSubject = (partition: number) => `citygauge.in.${partition}`;
export const partialSubject = (partition: number) => `citygauge.partial.${partition}`;
export const META_BUCKET = 'citygauge-log';
const PARTITIONS_KEY = 'partitions';
const STREAM_NOT_FOUND = 10059;
const DAY_MS = 24 * 3600_000;

/** The log is set up differently from what was asked, or not at all: a configuration problem. */
export class LogSetupError extends Error {
  readonly code = 'ERR_LOG_SETUP';
}

export interface LogSetup {
  /** Fixed for the life of the log: the partition rule maps devices onto this many partitions. */
  partitions: number;
  /** Copies of every record; at most 3, and no more than the cluster has nodes. Default: min(3, cluster size). */
  replicas?: number;
  /** Records older than this are dropped; it must exceed the longest a shard may go without checkpointing. */
  maxAgeMs?: number;
  /** How long a partial's msgId is remembered to drop a republished duplicate. */
  duplicateWindowMs?: number;
}

/** The connection and its JetStream handles. */
export interface JetStreamParts {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/** A NATS error's code, also when another error wraps it (cannotCreate). */
export function natsCode(err: unknown): string | undefined {
  const e = err as NatsError & { cause?: unknown };
  return e.code ?? (e.cause as NatsError | undefined)?.code;
}

const noJetStream = () =>
  new LogSetupError(
    'NATS answered without JetStream: start nats-server with JetStream enabled (-js, or a jetstream {} block)',
  );

/** A refusal to create names the likely fix; a request that went unanswered is left as it is, to be retried. */
function cannotCreate(what: string, replicas: number, e: Error): Error {
  const code = natsCode(e);
  if (code === '503' || code === 'TIMEOUT') return e;
  return new LogSetupError(
    `cannot create ${what} with ${replicas} replicas: ${e.message} ` +
      '(fewer nats-server nodes than replicas? pass fewer replicas or start more nodes)',
    { cause: e },
  );
}

/**
 * Creates the streams and records the partition count, or checks an existing log has that count. Safe to
 * run from every node at start: the count is written create-only, so two setups racing agree or one fails.
 */
export async function setUpLog(c: JetStreamParts, setup: LogSetup, patienceMs: number): Promise<KV> {
  if (!hasJetStream(c.nc)) throw noJetStream();
  try {
    return await untilAnswered(c, setup, patienceMs);
  } catch (err) {
    const code = natsCode(err);
    if (code === '503') {
      throw new LogSetupError(
        'JetStream had no responder for the setup: a stream of the log is not ready on this node yet (is most of the cluster up?)',
        { cause: err },
      );
    }
    if (code === 'TIMEOUT') {
      throw new LogSetupError(
        'JetStream did not answer the setup: it has no meta leader (are most nats-server nodes down?)',
        { cause: err },
      );
    }
    throw err;
  }
}

/** What the server said in its INFO (it sends `jetstream: true` only when enabled); without it, every JetStream request gets 503. */
function hasJetStream(nc: NatsConnection): boolean {
  return nc.info?.jetstream === true;
}

/**
 * A cluster started a moment ago may not have elected its JetStream meta leader yet (requests time out), and
 * a stream another node just created may not yet have its interest on this node (a put finds no responder,
 * 503): setup is retried through both, up to the append timeout. Every step of it is safe to repeat.
 */
async function untilAnswered(c: JetStreamParts, setup: LogSetup, patienceMs: number): Promise<KV> {
  const deadline = Date.now() + patienceMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await setupOnce(c, setup);
    } catch (err) {
      const code = natsCode(err);
      const passing = code === 'TIMEOUT' || (code === '503' && hasJetStream(c.nc));
      if (!passing || Date.now() + 100 >= deadline) throw err;
      await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 1000)));
    }
  }
}

async function setupOnce(c: JetStreamParts, setup: LogSetup): Promise<KV> {
  const { partitions } = setup;
  if (!Number.isSafeInteger(partitions) || partitions < 1) {
    throw new LogSetupError(`the partition count must be a whole number ≥ 1, got ${partitions}`);
  }
  const replicas = Math.min(3, setup.replicas ?? clusterReplicas(c.nc));
  const maxAgeMs = setup.maxAgeMs ?? 7 * DAY_MS;
  const duplicateWindowMs = Math.min(setup.duplicateWindowMs ?? 2 * 60_000, maxAgeMs);
  const meta = await c.js.views.kv(META_BUCKET, { history: 1, replicas }).catch((e: Error) => {
    throw cannotCreate(`bucket ${META_BUCKET}`, replicas, e);
  });
  try {
    await meta.create(PARTITIONS_KEY, new TextEncoder().encode(String(partitions)));
  } catch (err) {
    const existing = await readPartitions(meta);
    if (existing === undefined) throw err;
    if (existing !== partitions) {
      throw new LogSetupError(
        `the log was set up with ${existing} partitions, not ${partitions}: the partition count is fixed at setup ` +
          `(every device's partition depends on it). Use ${existing}, or set up a new log.`,
      );
    }
  }
  const common: Partial<StreamConfig> = {
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: replicas,
    max_age: nanos(maxAgeMs),
    duplicate_window: nanos(duplicateWindowMs),
  };
  const explicit = setup.replicas !== undefined;
  await ensureStream(c.jsm, { ...common, name: IN_STREAM, subjects: ['citygauge.in.*'] }, explicit);
  await ensureStream(c.jsm, { ...common, name: PARTIAL_STREAM, subjects: ['citygauge.partial.*'] }, explicit);
  // A retained topic needs only its last message; events are read from the head on, each of them (two
  // alerts of one indicator share a subject, so a per-subject limit would drop one unread).
  await ensureStream(
    c.jsm,
    { ...common, name: OUT_STREAM, subjects: ['citygauge.out.>'], max_msgs_per_subject: 1 },
    explicit,
  );
  await ensureStream(
    c.jsm,
    {
      ...common,
      name: EVENT_STREAM,
      subjects: ['citygauge.event.>'],
      max_age: nanos(Math.min(DAY_MS, maxAgeMs)),
      duplicate_window: nanos(Math.min(OUT_DUPLICATE_WINDOW_MS, maxAgeMs)),
    },
    explicit,
  );
  await ensureStream(c.jsm, { ...common, name: ACK_STREAM, subjects: ['citygauge.ack'] }, explicit);
  return meta;
}

export async function readPartitions(meta: KV): Promise<number | undefined> {
  const entry = await meta.get(PARTITIONS_KEY);
  if (entry?.operation !== 'PUT') return undefined;
  const n = Number(entry.string());
  if (!Number.isSafeInteger(n) || n < 1)
    throw new LogSetupError(`the log's recorded partition count '${entry.string()}' is not a count`);
  return n;
}

/** Creates the stream, or brings an existing one to this configuration (replicas, retention). */
async function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
  replicasGiven: boolean,
): Promise<void> {
  let existing = await streamConfig(jsm, config.name);
  if (!existing) {
    try {
      await jsm.streams.add(config);
      return;
    } catch (e) {
      // Another node created it meanwhile ("subjects overlap", "name already in use"): take that one as found.
      existing = await streamConfig(jsm, config.name).catch(() => undefined);
      if (!existing) throw cannotCreate(`stream ${config.name}`, config.num_replicas ?? 1, e as Error);
    }
  }
  // A guessed replica count (see clusterReplicas) never lowers what an earlier setup chose.
  const num_replicas = replicasGiven
    ? config.num_replicas
    : Math.max(existing.num_replicas, config.num_replicas ?? 1);
  await jsm.streams.update(config.name, { ...config, num_replicas });
}

/** The stream's configuration, or undefined when there is no such stream. */
async function streamConfig(jsm: JetStreamManager, name: string): Promise<StreamConfig | undefined> {
  try {
    return (await jsm.streams.info(name)).config;
  } catch (err) {
    if ((err as NatsError).api_error?.err_code === STREAM_NOT_FOUND) return undefined;
    throw err;
  }
}

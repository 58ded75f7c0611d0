// Reads one subject of a JetStream stream in order from a position, and keeps reading across node deaths.
//
// Why not JetStream's durable consumers: a shard's position must move together with the engine state it
// produced (both sit in one checkpoint), which a server-side ack floor cannot do. Why not nats.js's ordered
// consumer as is: when the node holding it is killed, it waits for a "consumer not found" that never comes
// (requests about it time out instead), so the reader would stall. So each reader runs its own ephemeral,
// unacknowledged, in-memory pull consumer starting after the last sequence it handed out, and on missed
// heartbeats, a delivery gap or a lost consumer it drops it and creates a fresh one from that same position:
// nothing is skipped, nothing is handed out twice by one reader.
import {
  AckPolicy,
  DeliverPolicy,
  ErrorCode,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsError,
  nanos,
  nuid,
} from 'nats';
import type { Logger } from 'pino';

export interface SubjectReader {
  /** Settles once reading ended: resolves after stop(), rejects with the handler's error if it threw. */
  readonly done: Promise<void>;
  /** The last sequence handed to the handler (the starting position until one was). */
  readonly position: number;
  stop(): Promise<void>;
}

export interface SubjectReaderOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  subject: string;
  afterSeq: number;
  onMessage: (m: JsMsg) => void | Promise<void>;
  logger?: Logger | undefined;
  /** How long the first consumer may take to create before read() rejects. */
  openTimeoutMs: number;
}

/** How long a pull waits on the server; heartbeats come every half of it, two missed ones mean a dead node. */
const PULL_EXPIRES_MS = 4_000;
const BATCH = 512;

type Messages = Awaited<ReturnType<Awaited<ReturnType<JetStreamClient['consumers']['get']>>['consume']>>;

export async function readSubject(o: SubjectReaderOptions): Promise<SubjectReader> {
  if (!Number.isSafeInteger(o.afterSeq) || o.afterSeq < 0) {
    throw new RangeError(`afterSeq must be a sequence ≥ 0, got ${o.afterSeq}`);
  }
  let position = o.afterSeq;
  let stopped = false;
  let current: Messages | undefined;

  /** The consumer being read, watched below. */
  let consumerName = '';
  const open = async (): Promise<Messages> => {
    const name = `citygauge_${nuid.next()}`;
    consumerName = name;
    await o.jsm.consumers.add(o.stream, {
      name,
      filter_subject: o.subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: position + 1,
      ack_policy: AckPolicy.None,
      max_deliver: 1,
      mem_storage: true,
      num_replicas: 1,
      // A reader that died leaves its consumer behind; the server drops it after this long unused.
      inactive_threshold: nanos(60_000),
    });
    const consumer = await o.js.consumers.get(o.stream, name);
    return consumer.consume({ max_messages: BATCH, expires: PULL_EXPIRES_MS });
  };

  const openUntil = async (deadline: number): Promise<Messages> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await open();
      } catch (err) {
        // A closed connection never comes back (the node is stopping): retrying would only keep it alive.
        if (stopped || Date.now() > deadline || (err as NatsError).code === ErrorCode.ConnectionClosed)
          throw err;
        o.logger?.warn(
          { subject: o.subject, err: (err as Error).message },
          'cannot create a log consumer yet; retrying',
        );
        await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 2_000)));
      }
    }
  };

  current = await openUntil(Date.now() + o.openTimeoutMs).catch((err: Error) => {
    throw new Error(
      `cannot start reading ${o.subject} after seq ${o.afterSeq}: ${err.message} (is JetStream up with a quorum?)`,
      { cause: err },
    );
  });

  /** Reads one consumer until it ends; true when it stalled and a fresh one should take over. */
  const drain = async (messages: Messages): Promise<boolean> => {
    let stalled = false;
    void (async () => {
      for await (const s of await messages.status()) {
        if (
          s.type === 'heartbeats_missed' ||
          s.type === 'consumer_not_found' ||
          s.type === 'consumer_deleted'
        ) {
          stalled = true;
          messages.stop();
          return;
        }
      }
    })().catch(() => {});
    let delivered = 0;
    try {
      for await (const m of messages) {
        if (stopped) break;
        if (m.info.deliverySequence !== delivered + 1) {
          stalled = true; // a gap in what this consumer delivered: start again from what we have
          break;
        }
        delivered = m.info.deliverySequence;
        if (m.seq <= position) continue;
        await o.onMessage(m);
        position = m.seq;
      }
    } finally {
      messages.stop();
    }
    return stalled && !stopped;
  };

  // A watchdog asks JetStream about the consumer every few seconds: one that is gone, or a question that
  // times out (its node died), ends the current read, and the loop below opens a fresh consumer. Heartbeats
  // alone have been seen to miss this on a busy machine.
  const watchdog = setInterval(() => {
    const watched = consumerName;
    const reading = current;
    if (!watched || !reading || stopped) return;
    o.jsm.consumers.info(o.stream, watched).catch(() => {
      if (current === reading && consumerName === watched && !stopped) reading.stop();
    });
  }, PULL_EXPIRES_MS);
  watchdog.unref();

  const done = (async () => {
    let messages: Messages | undefined = current;
    while (messages && !stopped) {
      const stalled = await drain(messages);
      if (stopped) return;
      // Whatever ended the consumer (missed heartbeats, a lost consumer, or the iterator simply closing while a
      // node died), a reader that was not stopped goes on: it never ends silently with records left unread.
      o.logger?.warn(
        { subject: o.subject, position, stalled },
        'log reader lost its consumer (a node died?); resuming after its position',
      );
      if (!stalled) await new Promise((r) => setTimeout(r, 250));
      messages = await openUntil(Number.POSITIVE_INFINITY).catch(() => undefined);
      if (stopped) messages?.stop();
      current = messages;
    }
  })();
  done.catch(() => {}); // observed through `done`; an unobserved rejection must not take the process down
  void done.finally(() => clearInterval(watchdog)).catch(() => {});

  return {
    done,
    get position() {
      return position;
    },
    stop: async () => {
      stopped = true;
      clearInterval(watchdog);
      current?.stop();
      await done.catch(() => {});
    },
  };
}

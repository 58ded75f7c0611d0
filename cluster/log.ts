// The cluster's log (issue 11 item 1) on NATS JetStream: admitted device traffic and shard clock ticks in
// stream CITYGAUGE_IN, one subject per partition (`citygauge.in.<p>`), and the shards' contribution events
// in stream CITYGAUGE_PARTIAL (`citygauge.partial.<p>`). Both streams are replicated (R3 on a 3-node
// cluster): JetStream acknowledges a publish only once a quorum of replicas stored it, so an acknowledged
// record survives the loss of any one node.
//
// Positions: a stream sequence is the position. Readers start after a position they keep durably themselves:
// a shard inside its checkpoint, next to the engine state it produced, so the two can never disagree
// (checkpoint-store.ts); any other reader in a KV record per consumer and partition (log-position.ts).
import type { JetStreamClient, JetStreamManager, JsMsg, KV, NatsConnection, NatsError } from 'nats';
import type { Logger } from 'pino';
import { readSubject, type SubjectReader } from './log-reader.js';
import { decodeLogRecord, encodeLogRecord, type LogRecord } from './log-record.js';
import {
  type ACK_STREAM,
  type EVENT_STREAM,
  IN_STREAM,
  inSubject,
  type LogSetup,
  LogSetupError,
  META_BUCKET,
  type OUT_STREAM,
  PARTIAL_STREAM,
  partialSubject,
  readPartitions,
  setUpLog,
} from './log-setup.js';
import { connectNats, type NatsConnectOptions } from './nats-connection.js';

export {
  ACK_STREAM,
  EVENT_STREAM,
  IN_STREAM,
  inSubject,
  type LogSetup,
  LogSetupError,
  OUT_DUPLICATE_WINDOW_MS,
  OUT_STREAM,
  PARTIAL_STREAM,
  partialSubject,
} from './log-setup.js';

/** JetStream did not acknowledge an append in time: the record may not be stored, so nothing may be acked upstream. */
export class LogUnavailableError extends Error {
  readonly code = 'ERR_LOG_UNAVAILABLE';
}

export interface ClusterLogOptions extends NatsConnectOptions {
  /**
   * An append that is not acknowledged within this long (retries included) rejects. Default 20 s: electing a
   * new stream leader after a node dies takes JetStream's Raft up to about 10 s, and appends wait it out.
   */
  appendTimeoutMs?: number;
}

export interface LogEntry {
  /** The record's stream sequence: the position to resume after. */
  seq: number;
  record: LogRecord;
  /** Records of this partition after this one, when it was delivered: 0 means caught up. */
  pending: number;
}

export interface PartialEntry {
  seq: number;
  data: Uint8Array;
  msgId: string | undefined;
  pending: number;
}

export interface LogReader extends SubjectReader {
  /** Records that could not be decoded, skipped (and logged) so one bad record does not stop a partition. */
  readonly malformed: number;
}

type OtherStream = typeof OUT_STREAM | typeof EVENT_STREAM | typeof ACK_STREAM;

export class ClusterLog {
  private partitionCount: number | undefined;
  private metaBucket: KV | undefined;

  private constructor(
    readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly appendTimeoutMs: number,
    private readonly logger: Logger | undefined,
  ) {}

  static async connect(servers: string[], options: ClusterLogOptions = {}): Promise<ClusterLog> {
    const nc = await connectNats(servers, options);
    // No API check here: a node may start while JetStream has no quorum, and appends wait for one.
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    return new ClusterLog(nc, nc.jetstream(), jsm, options.appendTimeoutMs ?? 20_000, options.logger);
  }

  /**
   * Creates the streams and records the partition count, or checks an existing log has that count. Safe to
   * run from every node at start (cluster/log-setup.ts); retried while JetStream settles, up to the append
   * timeout.
   */
  async setup(setup: LogSetup): Promise<void> {
    this.metaBucket = await setUpLog(
      { nc: this.nc, js: this.js, jsm: this.jsm },
      setup,
      this.appendTimeoutMs,
    );
    this.partitionCount = setup.partitions;
  }

  /** The partition count fixed at setup; read once, then kept (it never changes). */
  async partitions(): Promise<number> {
    if (this.partitionCount !== undefined) return this.partitionCount;
    const count = await this.untilAnswered('the partition count', async () => {
      this.metaBucket ??= await this.js.views.kv(META_BUCKET, { bindOnly: true });
      return readPartitions(this.metaBucket);
    }).catch((err: Error) => {
      if (/stream not found|bucket not found/i.test(err.message)) return undefined;
      throw err;
    });
    if (count === undefined)
      throw new LogSetupError('the log is not set up: no partition count recorded (run setup first)');
    this.partitionCount = count;
    return count;
  }

  /**
   * Appends a record to its partition and resolves with its stream sequence only once JetStream acknowledged
   * it, i.e. a quorum of replicas stored it: a front door sends the device's PUBACK after this, never before.
   * While the stream elects a new leader (a node died), publishes find no responder: those are retried, since
   * nothing was stored. A timeout is retried too (the record may then be stored twice; the engine's `seq`
   * duplicate rule drops the copy, and a `msgId` lets JetStream drop it first).
   */
  async append(partition: number, record: LogRecord, options: { msgId?: string } = {}): Promise<number> {
    await this.checkPartition(partition);
    const data = encodeLogRecord(record);
    const subject = inSubject(partition);
    const ack = await this.publishAcked(IN_STREAM, subject, data, options.msgId);
    return ack.seq;
  }

  /** Publishes a shard's contribution event; a republished msgId within the duplicate window is stored once. */
  async publishPartial(
    partition: number,
    data: Uint8Array,
    msgId: string,
  ): Promise<{ seq: number; duplicate: boolean }> {
    await this.checkPartition(partition);
    const ack = await this.publishAcked(PARTIAL_STREAM, partialSubject(partition), data, msgId);
    return { seq: ack.seq, duplicate: ack.duplicate };
  }

  /**
   * Delivers the partition's records after `afterSeq`, in order, one at a time (the next record waits for the
   * handler's promise), until stop(). A malformed record is counted, logged and skipped.
   */
  async read(
    partition: number,
    afterSeq: number,
    handler: (entry: LogEntry) => void | Promise<void>,
  ): Promise<LogReader> {
    await this.checkPartition(partition);
    let malformed = 0;
    const reader = await this.consume(IN_STREAM, inSubject(partition), afterSeq, async (m) => {
      const decoded = decodeLogRecord(m.data);
      if (!decoded.ok) {
        malformed++;
        this.logger?.warn(
          { partition, seq: m.seq, reason: decoded.reason },
          'skipped a malformed log record',
        );
        return;
      }
      await handler({ seq: m.seq, record: decoded.record, pending: m.info.pending });
    });
    return Object.defineProperty(reader, 'malformed', { get: () => malformed }) as LogReader;
  }

  /** Delivers the partition's contribution events after `afterSeq`, in order, until stop(). */
  async readPartials(
    partition: number,
    afterSeq: number,
    handler: (entry: PartialEntry) => void | Promise<void>,
  ): Promise<SubjectReader> {
    await this.checkPartition(partition);
    return this.consume(PARTIAL_STREAM, partialSubject(partition), afterSeq, (m) =>
      handler({
        seq: m.seq,
        data: m.data,
        msgId: m.headers?.get('Nats-Msg-Id') || undefined,
        pending: m.info.pending,
      }),
    );
  }

  /**
   * Publishes to one of the cluster's other streams (the city's output, acknowledgements), resolved once
   * stored; a msgId seen within the stream's duplicate window is not stored again (`duplicate`).
   */
  async publish(
    stream: OtherStream,
    subject: string,
    data: Uint8Array,
    msgId?: string,
  ): Promise<{ seq: number; duplicate: boolean }> {
    const ack = await this.publishAcked(stream, subject, data, msgId);
    return { seq: ack.seq, duplicate: ack.duplicate };
  }

  /** Delivers a stream's messages on `subject` (wildcards allowed) after `afterSeq`, in order, until stop(). */
  readStream(
    stream: OtherStream,
    subject: string,
    afterSeq: number,
    handler: (m: JsMsg) => void | Promise<void>,
  ): Promise<SubjectReader> {
    return this.consume(stream, subject, afterSeq, handler);
  }

  /** The stream's last sequence (0 when empty): reading after it delivers only what comes next. */
  async lastSeq(stream: OtherStream): Promise<number> {
    const info = await this.untilAnswered(`stream ${stream}`, () => this.jsm.streams.info(stream));
    return info.state.last_seq;
  }

  /** The sequence of the partition's latest record (or batch), 0 when it has none: where a reader is caught up. */
  async headSeq(
    partition: number,
    stream: typeof IN_STREAM | typeof PARTIAL_STREAM = IN_STREAM,
  ): Promise<number> {
    await this.checkPartition(partition);
    const subject = stream === IN_STREAM ? inSubject(partition) : partialSubject(partition);
    try {
      const m = await this.jsm.streams.getMessage(stream, { last_by_subj: subject });
      return m.seq;
    } catch (err) {
      if ((err as NatsError).api_error?.err_code === 10037) return 0; // no message found
      throw err;
    }
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain();
  }

  private consume(
    stream: string,
    subject: string,
    afterSeq: number,
    onMessage: (m: JsMsg) => void | Promise<void>,
  ): Promise<SubjectReader> {
    return readSubject({
      js: this.js,
      jsm: this.jsm,
      stream,
      subject,
      afterSeq,
      onMessage,
      logger: this.logger,
      openTimeoutMs: this.appendTimeoutMs,
    });
  }

  private async publishAcked(stream: string, subject: string, data: Uint8Array, msgId: string | undefined) {
    const deadline = Date.now() + this.appendTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      const left = deadline - Date.now();
      try {
        return await this.js.publish(subject, data, {
          timeout: Math.max(250, Math.min(left, 2_000)),
          expect: { streamName: stream },
          ...(msgId === undefined ? {} : { msgID: msgId }),
        });
      } catch (err) {
        const code = (err as NatsError).code;
        const retriable =
          code === '503' || code === 'TIMEOUT' || code === 'DISCONNECT' || code === 'REQUEST_ERROR';
        if (!retriable) throw err;
        if (Date.now() + 100 >= deadline) {
          throw new LogUnavailableError(
            `JetStream did not acknowledge ${subject} within ${this.appendTimeoutMs} ms (${attempt + 1} tries, last: ${(err as Error).message}): ` +
              `the stream ${stream} has no leader or no quorum (are most nats-server nodes down?). The record may not be stored; ` +
              'do not acknowledge it upstream. Start the stopped nats-server nodes.',
            { cause: err },
          );
        }
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 500)));
      }
    }
  }

  /** Retries a JetStream request while the cluster has no leader for it (a node just died), up to the append timeout. */
  private async untilAnswered<T>(what: string, request: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.appendTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await request();
      } catch (err) {
        const code = (err as NatsError).code;
        if (code !== '503' && code !== 'TIMEOUT') throw err;
        if (Date.now() + 100 >= deadline) {
          throw new LogUnavailableError(
            `JetStream did not answer for ${what} within ${this.appendTimeoutMs} ms (${(err as Error).message}): ` +
              'no leader or no quorum (are most nats-server nodes down?). Start the stopped nodes.',
            { cause: err },
          );
        }
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 500)));
      }
    }
  }

  private async checkPartition(partition: number): Promise<void> {
    const count = await this.partitions();
    if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
      throw new RangeError(`partition ${partition} is outside the log's 0..${count - 1}`);
    }
  }
}

// Retained messages that outlive the broker process: a device's last status, the engine's indicators, the
// devices down. aedes keeps them in its memory persistence; this writes them through to SQLite and loads
// them back at start. Writes are batched (every 200 ms, one transaction): a device fleet republishing its
// retained status must not cost a disk transaction per message. A crash loses at most that last batch.
//
// A retained message that cannot be delivered would be sent to every new subscriber of a matching filter
// and cost each of them its connection, for good (issue 10: one overlong district name). So at load, any
// message no MQTT client could receive is dropped and logged; and `purge` drops, on the owner's word,
// messages whose cause is gone (an indicator or district that no longer exists).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AedesPublishPacket } from 'aedes';
import type { AedesMemoryPersistence } from 'aedes-persistence';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';

// A CommonJS function export that its declarations describe as an ES default: load it as CommonJS.
const memory = createRequire(import.meta.url)('aedes-persistence') as () => Persistence;

export const RETAINED_FILE = 'retained.sqlite';
const FLUSH_MS = 200;
const VOLATILE_PREFIX = 'city/alerts/';

// The declarations predate aedes 1.x's async `setup(broker)`, which every persistence has.
type Persistence = AedesMemoryPersistence & { setup(broker: unknown): Promise<void> };
type Store = (packet: AedesPublishPacket, cb?: (err?: Error | null) => void) => Promise<void> | undefined;

/** MQTT 3.1.1 §1.5.3: a topic is a UTF-8 string of at most 65,535 bytes. */
export const MAX_TOPIC_BYTES = 65_535;
/** MQTT 3.1.1 §2.2.3: the largest remaining length a packet can have. */
export const MAX_REMAINING_LENGTH = 268_435_455;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why a retained message with this topic and payload size can never be delivered, or undefined. */
export function undeliverable(topic: Uint8Array, payloadBytes: number): string | undefined {
  if (topic.length === 0) return 'empty topic';
  if (topic.length > MAX_TOPIC_BYTES)
    return `topic over MQTT's ${MAX_TOPIC_BYTES.toLocaleString('en')} bytes`;
  let text: string;
  try {
    text = utf8.decode(topic);
  } catch {
    return 'topic is not valid UTF-8';
  }
  if (text.includes('\u0000')) return 'NUL in the topic';
  if (/[+#]/.test(text)) return 'wildcard in the topic';
  // PUBLISH: topic length, topic, packet id (QoS > 0), payload.
  if (2 + topic.length + 2 + payloadBytes > MAX_REMAINING_LENGTH) return "over MQTT's maximum packet size";
  return undefined;
}

/** `undeliverable` for a topic aedes holds as a string: the common short, plain topic costs one regex test. */
function undeliverableTopic(topic: string, payloadBytes: number): string | undefined {
  if (
    topic.length > 0 &&
    topic.length * 3 <= MAX_TOPIC_BYTES &&
    !/[+#]/.test(topic) &&
    !topic.includes('\u0000') &&
    payloadBytes < 1e8
  )
    return undefined;
  return undeliverable(Buffer.from(topic), payloadBytes);
}

/** What a log line shows of a topic: its start, never megabytes of it. */
export const topicPrefix = (topic: string) => (topic.length > 80 ? `${topic.slice(0, 80)}…` : topic);

export interface RetainedStore {
  /** Pass as aedes' `persistence`. */
  persistence: Persistence;
  /** Retained topics loaded at start. */
  readonly loaded: number;
  /** Messages dropped at load because no client could receive them. */
  readonly purgedAtLoad: number;
  /**
   * Drop every retained message for which `reason` gives a reason (logged with it), from memory and the
   * file, without sending anything to subscribers. Returns how many.
   */
  purge(reason: (topic: string) => string | undefined): number;
  /** Writes what is pending and closes the file. */
  close(): void;
}

export function openRetainedStore(dataDir: string, log?: Logger): RetainedStore {
  const db = new Database(join(dataDir, RETAINED_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'CREATE TABLE IF NOT EXISTS retained (topic TEXT PRIMARY KEY, payload BLOB NOT NULL, qos INTEGER NOT NULL)',
  );
  const upsert = db.prepare(
    'INSERT INTO retained (topic, payload, qos) VALUES (?, ?, ?) ON CONFLICT(topic) DO UPDATE SET payload = excluded.payload, qos = excluded.qos',
  );
  const remove = db.prepare('DELETE FROM retained WHERE topic = ?');
  // The latest packet per topic since the last flush; an empty payload deletes (MQTT 3.1.1 §3.3.1.3).
  const pending = new Map<string, { payload: Buffer; qos: number }>();
  const flush = db.transaction(() => {
    for (const [topic, p] of pending) {
      if (p.payload.length === 0) remove.run(topic);
      else upsert.run(topic, p.payload, p.qos);
    }
    pending.clear();
  });
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      flush();
    }, FLUSH_MS);
  };

  const persistence = memory();
  const store = persistence.storeRetained.bind(persistence) as Store;
  const stored = db.prepare('SELECT rowid, CAST(topic AS BLOB) AS raw, payload, qos FROM retained').all() as {
    rowid: number;
    raw: Buffer;
    payload: Buffer;
    qos: number;
  }[];
  const removeRow = db.prepare('DELETE FROM retained WHERE rowid = ?');
  const rows: { topic: string; payload: Buffer; qos: number }[] = [];
  let purgedAtLoad = 0;
  for (const r of stored) {
    const reason = undeliverable(r.raw, r.payload.length);
    if (!reason) {
      rows.push({ topic: r.raw.toString('utf8'), payload: r.payload, qos: r.qos });
      continue;
    }
    removeRow.run(r.rowid);
    purgedAtLoad++;
    log?.warn(
      {
        topic: topicPrefix(r.raw.toString('utf8')),
        topicBytes: r.raw.length,
        payloadBytes: r.payload.length,
        reason,
      },
      'retained message purged: no client could receive it',
    );
  }
  const refusedTopics = new Set<string>();
  persistence.storeRetained = ((packet: AedesPublishPacket, cb?: (err?: Error | null) => void) => {
    // Never retained, not even in memory: it would cost every later subscriber its connection. (The
    // publish itself still goes to the current subscribers; the cause is the publisher's to fix.)
    const payloadBytes =
      typeof packet.payload === 'string' ? Buffer.byteLength(packet.payload) : packet.payload.length;
    const refused = undeliverableTopic(packet.topic, payloadBytes);
    if (refused) {
      const shown = topicPrefix(packet.topic);
      if (!refusedTopics.has(shown) && refusedTopics.size < 1000) {
        refusedTopics.add(shown);
        log?.warn(
          { topic: shown, topicBytes: Buffer.byteLength(packet.topic), reason: refused },
          'retained message not kept: no client could receive it',
        );
      }
      cb?.(null);
      return Promise.resolve();
    }
    // Alert state is derived afresh by each process (the alert log, the spool's own check): a retained
    // alert from before a restart could be stale, so it stays in memory only.
    if (!packet.topic.startsWith(VOLATILE_PREFIX)) {
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      pending.set(packet.topic, { payload, qos: packet.qos });
      schedule();
    }
    return store(packet, cb);
  }) as Persistence['storeRetained'];
  const setup = persistence.setup.bind(persistence);
  // aedes insists on an async setup; the stored messages go in once the memory store is ready.
  persistence.setup = async (broker: unknown) => {
    await setup(broker);
    for (const r of rows)
      await store({
        cmd: 'publish',
        topic: r.topic,
        payload: r.payload,
        qos: r.qos as 0 | 1 | 2,
        retain: true,
        dup: false,
      } as AedesPublishPacket);
  };
  return {
    persistence,
    loaded: rows.length,
    purgedAtLoad,
    purge(reason) {
      flush();
      const topics = db.prepare('SELECT topic FROM retained').pluck().all() as string[];
      let dropped = 0;
      for (const topic of topics) {
        const why = reason(topic);
        if (!why) continue;
        // An empty payload removes the topic from aedes' store only: no subscriber is sent anything.
        void store({
          cmd: 'publish',
          topic,
          payload: Buffer.alloc(0),
          qos: 0,
          retain: true,
          dup: false,
        } as AedesPublishPacket);
        remove.run(topic);
        dropped++;
        log?.warn({ topic: topicPrefix(topic), reason: why }, 'retained message purged');
      }
      return dropped;
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (db.open) {
        flush();
        db.close();
      }
    },
  };
}

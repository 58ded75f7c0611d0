// Retained messages that outlive the broker process: a device's last status, the engine's indicators, the
// devices down. aedes keeps them in its memory persistence; this writes them through to SQLite and loads
// them back at start. Writes are batched (every 200 ms, one transaction): a device fleet republishing its
// retained status must not cost a disk transaction per message. A crash loses at most that last batch.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AedesPublishPacket } from 'aedes';
import type { AedesMemoryPersistence } from 'aedes-persistence';
import Database from 'better-sqlite3';

// A CommonJS function export that its declarations describe as an ES default: load it as CommonJS.
const memory = createRequire(import.meta.url)('aedes-persistence') as () => Persistence;

export const RETAINED_FILE = 'retained.sqlite';
const FLUSH_MS = 200;
const VOLATILE_PREFIX = 'city/alerts/';

// The declarations predate aedes 1.x's async `setup(broker)`, which every persistence has.
type Persistence = AedesMemoryPersistence & { setup(broker: unknown): Promise<void> };
type Store = (packet: AedesPublishPacket, cb?: (err?: Error | null) => void) => Promise<void> | undefined;

export interface RetainedStore {
  /** Pass as aedes' `persistence`. */
  persistence: Persistence;
  /** Retained topics loaded at start. */
  readonly loaded: number;
  /** Writes what is pending and closes the file. */
  close(): void;
}

export function openRetainedStore(dataDir: string): RetainedStore {
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
  const rows = db.prepare('SELECT topic, payload, qos FROM retained').all() as {
    topic: string;
    payload: Buffer;
    qos: number;
  }[];
  persistence.storeRetained = ((packet: AedesPublishPacket, cb?: (err?: Error | null) => void) => {
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

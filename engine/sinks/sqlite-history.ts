// The embedded history store (issue 4 item 3): with no InfluxDB configured, indicator points and device
// state changes go to `<dataDir>/history.sqlite`, with 1-minute means kept longer than the raw points.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { HistoryPoint, HistoryQuery, HistoryReader, HistorySink, SinkStats } from './points.js';

export const HISTORY_FILE = 'history.sqlite';
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface SqliteHistoryOptions {
  /** Raw indicator points and device states are kept this long (issue 4: 7 days). */
  rawRetentionMs?: number;
  /** 1-minute means are kept this long (issue 4: 90 days). */
  minuteRetentionMs?: number;
  /** Buffered points are written at least this often… */
  flushEveryMs?: number;
  /** …or as soon as this many are waiting. */
  flushAtPoints?: number;
  /** Rows deleted per prune transaction: small, so a big backlog never holds the engine's thread. */
  pruneBatch?: number;
  /** Wall clock for retention; tests pass a fake one. */
  now?: () => number;
  /** Where a failed background flush is reported; the points stay buffered for the next try. */
  onError?: (err: Error) => void;
}

// Series get a small integer id so the raw rows and their index stay narrow. The covering index
// (sid, ts, value) answers a bucketed query of one series without touching the table; the ts indexes
// let the prune find expired rows without a scan.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS series (sid INTEGER PRIMARY KEY, id TEXT NOT NULL, scope TEXT NOT NULL,
  UNIQUE (id, scope));
CREATE TABLE IF NOT EXISTS indicator_raw (sid INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL,
  numerator REAL, denominator REAL, means TEXT);
CREATE INDEX IF NOT EXISTS indicator_raw_series ON indicator_raw (sid, ts, value);
CREATE INDEX IF NOT EXISTS indicator_raw_ts ON indicator_raw (ts);
CREATE TABLE IF NOT EXISTS indicator_minute (sid INTEGER NOT NULL, minute INTEGER NOT NULL,
  sum REAL NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (sid, minute)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS indicator_minute_ts ON indicator_minute (minute);
CREATE TABLE IF NOT EXISTS device_state (device TEXT NOT NULL, kind TEXT NOT NULL, ts INTEGER NOT NULL,
  online INTEGER NOT NULL, available INTEGER NOT NULL, shared INTEGER NOT NULL,
  after_instant INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS device_state_device ON device_state (device, ts);
CREATE INDEX IF NOT EXISTS device_state_ts ON device_state (ts);
`;

type Row = { ts: number; value: number | null };

/** A store from before `after_instant` gains it (0: such changes were not told apart then). */
function addAfterInstant(db: Database.Database): void {
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('device_state');
  if (!columns.includes('after_instant'))
    db.exec('ALTER TABLE device_state ADD COLUMN after_instant INTEGER NOT NULL DEFAULT 0');
}

export class SqliteHistory implements HistorySink, HistoryReader {
  private readonly db: Database.Database;
  private readonly opts: Required<Omit<SqliteHistoryOptions, 'onError'>> &
    Pick<SqliteHistoryOptions, 'onError'>;
  private readonly sids = new Map<string, number>();
  private buffer: HistoryPoint[] = [];
  private written = 0;
  private lastPrune = Number.NEGATIVE_INFINITY;
  private pruning: Promise<unknown> | undefined;
  private closing = false;
  private soon: NodeJS.Immediate | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly sql;

  constructor(dataDir: string, options: SqliteHistoryOptions = {}) {
    this.opts = {
      rawRetentionMs: 7 * DAY_MS,
      minuteRetentionMs: 90 * DAY_MS,
      flushEveryMs: 1000,
      flushAtPoints: 5000,
      pruneBatch: 2000,
      now: Date.now,
      ...options,
    };
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, HISTORY_FILE));
    this.db.pragma('journal_mode = WAL');
    // WAL with synchronous=NORMAL stays consistent after a crash; at worst the last flush is lost.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    addAfterInstant(this.db);
    const d = this.db;
    this.sql = {
      series: d.prepare(
        'INSERT INTO series (id, scope) VALUES (?, ?) ON CONFLICT DO UPDATE SET id = id RETURNING sid',
      ),
      raw: d.prepare('INSERT INTO indicator_raw VALUES (?, ?, ?, ?, ?, ?)'),
      minute: d.prepare(`INSERT INTO indicator_minute VALUES (?, ?, ?, ?) ON CONFLICT (sid, minute)
        DO UPDATE SET sum = sum + excluded.sum, count = count + excluded.count`),
      device: d.prepare('INSERT INTO device_state VALUES (?, ?, ?, ?, ?, ?, ?)'),
      sid: d.prepare('SELECT sid FROM series WHERE id = ? AND scope = ?').pluck(),
      // Buckets align to the epoch, as InfluxQL's GROUP BY time() does, so both stores answer alike.
      fromRaw: d.prepare(`SELECT ts - ts % ? AS ts, AVG(value) AS value FROM indicator_raw
        WHERE sid = ? AND ts >= ? AND ts < ? GROUP BY 1 ORDER BY 1`),
      // The mean of a bucket is the mean of its points, weighted by how many each minute had. A minute
      // belongs to the range when it starts in it.
      fromMinutes: d.prepare(`SELECT minute - minute % ? AS ts, SUM(sum) / SUM(count) AS value
        FROM indicator_minute WHERE sid = ? AND minute >= ? AND minute < ? GROUP BY 1 ORDER BY 1`),
      pruneRaw: d.prepare(`DELETE FROM indicator_raw WHERE rowid IN
        (SELECT rowid FROM indicator_raw WHERE ts < ? ORDER BY ts LIMIT ?)`),
      pruneMinute: d.prepare(`DELETE FROM indicator_minute WHERE (sid, minute) IN
        (SELECT sid, minute FROM indicator_minute WHERE minute < ? ORDER BY minute LIMIT ?)`),
      pruneDevice: d.prepare(`DELETE FROM device_state WHERE rowid IN
        (SELECT rowid FROM device_state WHERE ts < ? ORDER BY ts LIMIT ?)`),
    };
    this.timer = setInterval(() => this.flushInBackground(), this.opts.flushEveryMs);
    this.timer.unref();
  }

  /** Buffers only: the insert happens on the next flush, off the per-message path. */
  write(points: readonly HistoryPoint[]): void {
    if (this.closing) return;
    for (const p of points) this.buffer.push(p);
    if (this.buffer.length >= this.opts.flushAtPoints && !this.soon)
      this.soon = setImmediate(() => this.flushInBackground());
  }

  async flush(): Promise<void> {
    this.flushNow();
    if (this.opts.now() - this.lastPrune >= MINUTE_MS) {
      this.lastPrune = this.opts.now();
      this.pruning ??= this.prune()
        .catch((err: Error) => this.report(err))
        .finally(() => {
          this.pruning = undefined;
        });
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true; // a running prune stops at its next batch instead of holding close up
    clearInterval(this.timer);
    if (this.soon) clearImmediate(this.soon);
    await this.pruning?.catch(() => undefined);
    this.flushNow();
    this.db.close();
  }

  stats(): SinkStats {
    return { written: this.written, spooled: 0, spoolBytes: 0, rejected: 0, dropped: 0 };
  }

  /**
   * Deletes what is past retention, a batch per transaction and yields between batches, so a backlog
   * (first start after a long pause) spreads over many ticks. Runs from `flush` at most once a minute.
   */
  async prune(): Promise<{ raw: number; minutes: number; devices: number }> {
    const now = this.opts.now();
    const rawBefore = now - this.opts.rawRetentionMs;
    const deleted = { raw: 0, minutes: 0, devices: 0 };
    const steps = [
      ['raw', this.sql.pruneRaw, rawBefore],
      ['devices', this.sql.pruneDevice, rawBefore],
      ['minutes', this.sql.pruneMinute, now - this.opts.minuteRetentionMs],
    ] as const;
    for (const [key, stmt, before] of steps) {
      for (;;) {
        if (this.closing) return deleted;
        const n = stmt.run(before, this.opts.pruneBatch).changes;
        deleted[key] += n;
        if (n < this.opts.pruneBatch) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return deleted;
  }

  /** Any width on raw points; past raw retention only the 1-minute means are left, so whole minutes. */
  buckets(from: number): { stepMs: number; why: string } {
    if (from >= this.opts.now() - this.opts.rawRetentionMs) return { stepMs: 1, why: 'raw points' };
    const ms = this.opts.rawRetentionMs;
    const span = ms >= DAY_MS ? `${+(ms / DAY_MS).toFixed(1)} days` : `${+(ms / 3_600_000).toFixed(1)} hours`;
    return {
      stepMs: MINUTE_MS,
      why: `the embedded store keeps only 1-minute means of what is older than ${span}`,
    };
  }

  /** Raw points while the range lies within raw retention, else the 1-minute means. */
  async history(q: HistoryQuery): Promise<{ ts: string; value: number | null }[]> {
    const sid = this.sql.sid.get(q.id, q.scope) as number | undefined;
    if (sid === undefined) return [];
    const fromRaw = q.from >= this.opts.now() - this.opts.rawRetentionMs;
    const stmt = fromRaw ? this.sql.fromRaw : this.sql.fromMinutes;
    const rows = stmt.all(q.everyMs, sid, q.from, q.to) as Row[];
    return rows.map((r) => ({ ts: new Date(r.ts).toISOString(), value: r.value }));
  }

  private flushInBackground(): void {
    this.soon = undefined;
    this.flush().catch((err: Error) => this.report(err));
  }

  private report(err: Error): void {
    (this.opts.onError ?? console.error)(err);
  }

  /** One transaction per flush; on failure the points go back to the front of the buffer. */
  private flushNow(): void {
    if (this.buffer.length === 0 || !this.db.open) return;
    const batch = this.buffer;
    this.buffer = [];
    try {
      this.insert(batch);
      this.written += batch.length;
    } catch (err) {
      this.buffer = batch.concat(this.buffer);
      throw err;
    }
  }

  private insert(batch: HistoryPoint[]): void {
    this.db.transaction(() => {
      // Minute means are rolled up as points arrive: a plain mean of the points in each minute, not
      // time-weighted. The feed writes every indicator at least once a minute, so points are roughly
      // even; sum and count (not the mean) are kept so later points of the same minute add in.
      const minutes = new Map<string, { sid: number; minute: number; sum: number; count: number }>();
      for (const p of batch) {
        if (p.kind === 'device_state') {
          this.sql.device.run(
            p.device,
            p.deviceKind,
            p.ts,
            +p.online,
            +p.available,
            +p.shared,
            +!!p.afterInstant,
          );
          continue;
        }
        const sid = this.sidOf(p.id, p.scope);
        this.sql.raw.run(sid, p.ts, p.value, p.numerator, p.denominator, JSON.stringify(p.means));
        const minute = p.ts - (p.ts % MINUTE_MS);
        const key = `${sid}:${minute}`;
        const m = minutes.get(key) ?? { sid, minute, sum: 0, count: 0 };
        minutes.set(key, m);
        // A null value (empty denominator) counts for nothing, as AVG ignores it over raw points.
        if (p.value !== null) {
          m.sum += p.value;
          m.count += 1;
        }
      }
      for (const m of minutes.values()) this.sql.minute.run(m.sid, m.minute, m.sum, m.count);
    })();
  }

  private sidOf(id: string, scope: string): number {
    const key = `${id}\u0000${scope}`;
    let sid = this.sids.get(key);
    if (sid === undefined) {
      sid = (this.sql.series.get(id, scope) as { sid: number }).sid;
      this.sids.set(key, sid);
    }
    return sid;
  }
}

// The embedded history store as a recompute source. A --write moves the replaced points into
// `indicator_replaced` (tagged with the time of the recompute, its change-log entry's `at`) and rebuilds the 1-minute means
// of the minutes it touched from the raw points, so the history API answers the new values at every width.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DeviceStateRow, StoredPoint } from '../recompute.js';
import type { RecomputeSource } from './history-source.js';
import type { IndicatorPoint } from './points.js';
import { HISTORY_FILE } from './sqlite-history.js';

const MINUTE_MS = 60_000;

const REPLACED = `CREATE TABLE IF NOT EXISTS indicator_replaced (recomputed_at INTEGER NOT NULL, sid INTEGER NOT NULL,
  ts INTEGER NOT NULL, value REAL, numerator REAL, denominator REAL, means TEXT)`;

type StateRow = {
  device: string;
  ts: number;
  online: number;
  available: number;
  shared: number;
  after_instant: number;
};
const toState = (r: StateRow): DeviceStateRow => ({
  device: r.device,
  ts: r.ts,
  online: r.online === 1,
  available: r.available === 1,
  shared: r.shared === 1,
  ...(r.after_instant === 1 ? { afterInstant: true } : {}),
});

export class SqliteRecomputeSource implements RecomputeSource {
  readonly where: string;
  private readonly db: Database.Database;

  /** Throws when the data dir has no history yet: there is nothing to recompute from. */
  constructor(dataDir: string) {
    const file = join(dataDir, HISTORY_FILE);
    if (!existsSync(file))
      throw new Error(
        `no ${HISTORY_FILE} in '${dataDir}': check --data-dir, or give the --influx-* flags the engine writes history with`,
      );
    this.where = `embedded store ${file}`;
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 5000');
  }

  async firstState(): Promise<number | undefined> {
    const t = this.db.prepare('SELECT MIN(ts) FROM device_state').pluck().get() as number | null;
    return t ?? undefined;
  }

  async statesAt(t: number): Promise<DeviceStateRow[]> {
    // The last row per device: rowid breaks ties at one instant in the order they were written.
    const rows = this.db
      .prepare(
        `SELECT device, ts, online, available, shared, after_instant FROM device_state WHERE rowid IN
         (SELECT (SELECT rowid FROM device_state s WHERE s.device = d.device AND s.ts <= ?
                  ORDER BY ts DESC, rowid DESC LIMIT 1)
          FROM (SELECT DISTINCT device FROM device_state) d)`,
      )
      .all(t) as StateRow[];
    return rows.map(toState);
  }

  async statesBetween(after: number, to: number): Promise<DeviceStateRow[]> {
    const rows = this.db
      .prepare(
        'SELECT device, ts, online, available, shared, after_instant FROM device_state WHERE ts > ? AND ts <= ? ORDER BY ts, rowid',
      )
      .all(after, to) as StateRow[];
    return rows.map(toState);
  }

  async instants(from: number, to: number): Promise<number[]> {
    return this.db
      .prepare('SELECT DISTINCT ts FROM indicator_raw WHERE ts >= ? AND ts <= ? ORDER BY ts')
      .pluck()
      .all(from, to) as number[];
  }

  async points(id: string, from: number, to: number): Promise<StoredPoint[]> {
    const rows = this.db
      .prepare(
        `SELECT s.scope, r.ts, r.value, r.numerator, r.denominator, r.means FROM indicator_raw r
         JOIN series s ON s.sid = r.sid WHERE s.id = ? AND r.ts >= ? AND r.ts <= ? ORDER BY r.ts, r.rowid`,
      )
      .all(id, from, to) as (Omit<StoredPoint, 'means'> & { means: string | null })[];
    return rows.map((r) => ({ ...r, means: r.means ? JSON.parse(r.means) : {} }));
  }

  async replace(
    id: string,
    from: number,
    to: number,
    points: readonly IndicatorPoint[],
    recomputedAt: number,
  ): Promise<number> {
    const d = this.db;
    d.exec(REPLACED);
    const sidOf = d.prepare(
      'INSERT INTO series (id, scope) VALUES (?, ?) ON CONFLICT DO UPDATE SET id = id RETURNING sid',
    );
    const sids = d.prepare('SELECT sid FROM series WHERE id = ?').pluck();
    const keep =
      d.prepare(`INSERT INTO indicator_replaced SELECT ?, sid, ts, value, numerator, denominator, means
      FROM indicator_raw WHERE sid = ? AND ts >= ? AND ts <= ?`);
    const drop = d.prepare('DELETE FROM indicator_raw WHERE sid = ? AND ts >= ? AND ts <= ?');
    const insert = d.prepare('INSERT INTO indicator_raw VALUES (?, ?, ?, ?, ?, ?)');
    const dropMinutes = d.prepare(
      'DELETE FROM indicator_minute WHERE sid = ? AND minute >= ? AND minute <= ?',
    );
    // The minutes the range touches, rebuilt as the store rolls them up: the plain mean of their points.
    const rollUp = d.prepare(`INSERT INTO indicator_minute (sid, minute, sum, count)
      SELECT sid, ts - ts % ${MINUTE_MS}, COALESCE(SUM(value), 0), COUNT(value) FROM indicator_raw
      WHERE sid = ? AND ts >= ? AND ts < ? GROUP BY 1, 2`);
    const firstMinute = from - (from % MINUTE_MS);
    const lastMinute = to - (to % MINUTE_MS);
    let replaced = 0;
    d.transaction(() => {
      const touched = new Set(sids.all(id) as number[]);
      for (const sid of touched) {
        keep.run(recomputedAt, sid, from, to);
        replaced += drop.run(sid, from, to).changes;
      }
      for (const p of points) {
        const sid = (sidOf.get(p.id, p.scope) as { sid: number }).sid;
        touched.add(sid);
        insert.run(sid, p.ts, p.value, p.numerator, p.denominator, JSON.stringify(p.means));
      }
      for (const sid of touched) {
        dropMinutes.run(sid, firstMinute, lastMinute);
        rollUp.run(sid, firstMinute, lastMinute + MINUTE_MS);
      }
    })();
    return replaced;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

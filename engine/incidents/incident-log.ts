// The incident log: each incident's latest state with its timeline, and the indicator alerts linked to it.
// Read back at start, so a restart keeps incidents open (and their holds counting). In the embedded
// database (`<data-dir>/incidents.sqlite`) here, or in PostgreSQL (pg-incident-log.ts) behind --db.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrateSqlite } from '../../registry/migrate.js';
import { INCIDENT_MIGRATIONS } from '../../registry/migration.js';
import type { Incident } from './incident.js';

/** What the incident service needs of a log: synchronous, as it is called while the engine updates. */
export interface IncidentLog {
  /** Insert or update: the log holds each incident's latest state. */
  record(i: Incident): void;
  /** Alert `alertId` was raised while incident `incidentId` explained its devices. */
  link(incidentId: string, alertId: string, at: number): void;
  /** Not resolved, oldest first. */
  open(): Incident[];
  /** The newest first, at most `limit`. */
  list(limit?: number): Incident[];
  get(incidentId: string): Incident | undefined;
  /** The alerts linked to the incident, in the order they were linked. */
  alertsOf(incidentId: string): string[];
  close(): void | Promise<void>;
}

export const INCIDENT_FILE = 'incidents.sqlite';

const parse = (rows: { doc: string }[]) => rows.map((r) => JSON.parse(r.doc) as Incident);

export class SqliteIncidentLog implements IncidentLog {
  private constructor(private readonly db: Database.Database) {}

  /** The log under `dataDir`, its schema brought up to date by the migrations. */
  static async open(dataDir: string): Promise<SqliteIncidentLog> {
    mkdirSync(dataDir, { recursive: true });
    const db = new Database(join(dataDir, INCIDENT_FILE));
    db.pragma('journal_mode = WAL');
    // FULL: an incident raised or acknowledged is on disk when it is told.
    db.pragma('synchronous = FULL');
    try {
      await migrateSqlite(db, INCIDENT_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteIncidentLog(db);
  }

  record(i: Incident): void {
    this.db
      .prepare(
        `INSERT INTO incidents (incident_id, cause, subject, district, status, raised_at, resolved_at, doc)
         VALUES (@id, @cause, @subject, @district, @status, @raisedAt, @resolvedAt, @doc)
         ON CONFLICT(incident_id) DO UPDATE SET status = excluded.status, resolved_at = excluded.resolved_at,
           doc = excluded.doc`,
      )
      .run({
        id: i.id,
        cause: i.cause,
        subject: i.subject,
        district: i.district,
        status: i.status,
        raisedAt: i.raisedAt,
        resolvedAt: i.resolvedAt ?? null,
        doc: JSON.stringify(i),
      });
  }

  link(incidentId: string, alertId: string, at: number): void {
    this.db
      .prepare('INSERT OR IGNORE INTO incident_alerts (incident_id, alert_id, linked_at) VALUES (?, ?, ?)')
      .run(incidentId, alertId, at);
  }

  open(): Incident[] {
    return parse(
      this.db.prepare('SELECT doc FROM incidents WHERE resolved_at IS NULL ORDER BY raised_at').all() as {
        doc: string;
      }[],
    );
  }

  list(limit = 500): Incident[] {
    return parse(
      this.db
        .prepare('SELECT doc FROM incidents ORDER BY raised_at DESC, incident_id LIMIT ?')
        .all(limit) as {
        doc: string;
      }[],
    );
  }

  get(incidentId: string): Incident | undefined {
    const row = this.db.prepare('SELECT doc FROM incidents WHERE incident_id = ?').get(incidentId) as
      | { doc: string }
      | undefined;
    return row && (JSON.parse(row.doc) as Incident);
  }

  alertsOf(incidentId: string): string[] {
    return this.db
      .prepare('SELECT alert_id FROM incident_alerts WHERE incident_id = ? ORDER BY linked_at, alert_id')
      .pluck()
      .all(incidentId) as string[];
  }

  close(): void {
    this.db.close();
  }
}

/** A log in memory, for a run that keeps nothing (replay): what it is told, nothing more. */
export class MemoryIncidentLog implements IncidentLog {
  private readonly incidents = new Map<string, Incident>();
  private readonly links = new Map<string, string[]>();

  record(i: Incident): void {
    this.incidents.set(i.id, structuredClone(i));
  }

  link(incidentId: string, alertId: string): void {
    const linked = this.links.get(incidentId) ?? [];
    if (!linked.includes(alertId)) this.links.set(incidentId, [...linked, alertId]);
  }

  open(): Incident[] {
    return this.all().filter((i) => i.resolvedAt === undefined);
  }

  list(limit = 500): Incident[] {
    return this.all().reverse().slice(0, limit);
  }

  get(incidentId: string): Incident | undefined {
    const i = this.incidents.get(incidentId);
    return i && structuredClone(i);
  }

  alertsOf(incidentId: string): string[] {
    return [...(this.links.get(incidentId) ?? [])];
  }

  close(): void {}

  /** Oldest first. */
  private all(): Incident[] {
    return [...this.incidents.values()]
      .sort((a, b) => a.raisedAt - b.raisedAt || (a.id < b.id ? -1 : 1))
      .map((i) => structuredClone(i));
  }
}

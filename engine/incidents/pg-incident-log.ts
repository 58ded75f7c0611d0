// The incident log in a PostgreSQL control plane (`--db`): the incident service calls it while the engine
// updates, so it answers from memory and writes through in order (registry/pg-write-through.ts). Memory holds
// every incident not resolved and the newest resolved ones, as many as the API lists at most: a flapping
// fleet's years of incidents stay in the table only.
import type { Logger } from 'pino';
import { PgWriteThrough } from '../../registry/pg-write-through.js';
import type { Incident } from './incident.js';
import type { IncidentLog } from './incident-log.js';

/** Resolved incidents kept in memory: GET /api/incidents lists at most this many. */
export const KEEP_RESOLVED = 5000;

export class PgIncidentLog implements IncidentLog {
  private readonly incidents = new Map<string, Incident>();
  /** incident id → alert ids, in the order linked. */
  private readonly links = new Map<string, string[]>();
  private resolvedKept = 0;

  private constructor(
    private readonly db: PgWriteThrough,
    private readonly keepResolved: number,
  ) {}

  static open(url: string, log?: Logger, keepResolved = KEEP_RESOLVED): Promise<PgIncidentLog> {
    return PgWriteThrough.open(url, 'incident log', log, async (db) => {
      const store = new PgIncidentLog(db, keepResolved);
      const kept = await db.rows(
        `SELECT doc FROM incidents WHERE resolved_at IS NULL OR incident_id IN
           (SELECT incident_id FROM incidents WHERE resolved_at IS NOT NULL
            ORDER BY raised_at DESC, incident_id LIMIT $1)`,
        [keepResolved],
      );
      for (const r of kept) store.keep(JSON.parse(r.doc as string) as Incident);
      const links = await db.rows(
        'SELECT incident_id, alert_id FROM incident_alerts ORDER BY linked_at, alert_id',
      );
      for (const r of links)
        if (store.incidents.has(r.incident_id as string))
          store.linksOf(r.incident_id as string).push(r.alert_id as string);
      return store;
    });
  }

  record(i: Incident): void {
    this.keep(structuredClone(i));
    this.forgetOldResolved();
    this.db.write(
      `INSERT INTO incidents (incident_id, cause, subject, district, status, raised_at, resolved_at, doc)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (incident_id) DO UPDATE SET status = EXCLUDED.status, resolved_at = EXCLUDED.resolved_at,
         doc = EXCLUDED.doc`,
      [i.id, i.cause, i.subject, i.district, i.status, i.raisedAt, i.resolvedAt ?? null, JSON.stringify(i)],
    );
  }

  link(incidentId: string, alertId: string, at: number): void {
    const linked = this.linksOf(incidentId);
    if (linked.includes(alertId)) return;
    linked.push(alertId);
    this.db.write(
      'INSERT INTO incident_alerts (incident_id, alert_id, linked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [incidentId, alertId, at],
    );
  }

  open(): Incident[] {
    return [...this.incidents.values()]
      .filter((i) => i.resolvedAt === undefined)
      .sort((a, b) => a.raisedAt - b.raisedAt)
      .map((i) => structuredClone(i));
  }

  list(limit = 500): Incident[] {
    return [...this.incidents.values()]
      .sort((a, b) => b.raisedAt - a.raisedAt || (a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map((i) => structuredClone(i));
  }

  get(incidentId: string): Incident | undefined {
    const i = this.incidents.get(incidentId);
    return i && structuredClone(i);
  }

  alertsOf(incidentId: string): string[] {
    return [...(this.links.get(incidentId) ?? [])];
  }

  /** Settles once every change made so far is stored; rejects when one failed. */
  written(): Promise<void> {
    return this.db.written();
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private keep(i: Incident): void {
    const before = this.incidents.get(i.id);
    if (before?.resolvedAt !== undefined) this.resolvedKept--;
    if (i.resolvedAt !== undefined) this.resolvedKept++;
    this.incidents.set(i.id, i);
  }

  /** Past the bound by a tenth, the oldest resolved go back to the table alone. */
  private forgetOldResolved(): void {
    if (this.resolvedKept <= this.keepResolved * 1.1) return;
    const resolved = [...this.incidents.values()]
      .filter((i) => i.resolvedAt !== undefined)
      .sort((a, b) => b.raisedAt - a.raisedAt || (a.id < b.id ? -1 : 1));
    for (const old of resolved.slice(this.keepResolved)) {
      this.incidents.delete(old.id);
      this.links.delete(old.id);
      this.resolvedKept--;
    }
  }

  private linksOf(incidentId: string): string[] {
    let linked = this.links.get(incidentId);
    if (!linked) {
      linked = [];
      this.links.set(incidentId, linked);
    }
    return linked;
  }
}

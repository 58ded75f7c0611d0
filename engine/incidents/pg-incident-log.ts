// The incident log in a PostgreSQL control plane (`--db`): the incident service calls it while the engine
// updates, so it answers from memory (every incident and link, read at start) and writes through in order
// (registry/pg-write-through.ts).
import type { Logger } from 'pino';
import { PgWriteThrough } from '../../registry/pg-write-through.js';
import type { Incident } from './grouper.js';
import type { IncidentLog } from './incident-log.js';

export class PgIncidentLog implements IncidentLog {
  private readonly incidents = new Map<string, Incident>();
  /** incident id → alert ids, in the order linked. */
  private readonly links = new Map<string, string[]>();

  private constructor(private readonly db: PgWriteThrough) {}

  static open(url: string, log?: Logger): Promise<PgIncidentLog> {
    return PgWriteThrough.open(url, 'incident log', log, async (db) => {
      const store = new PgIncidentLog(db);
      for (const r of await db.rows('SELECT doc FROM incidents')) {
        const i = JSON.parse(r.doc as string) as Incident;
        store.incidents.set(i.id, i);
      }
      const links = await db.rows(
        'SELECT incident_id, alert_id FROM incident_alerts ORDER BY linked_at, alert_id',
      );
      for (const r of links) store.linksOf(r.incident_id as string).push(r.alert_id as string);
      return store;
    });
  }

  record(i: Incident): void {
    this.incidents.set(i.id, structuredClone(i));
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

  private linksOf(incidentId: string): string[] {
    let linked = this.links.get(incidentId);
    if (!linked) {
      linked = [];
      this.links.set(incidentId, linked);
    }
    return linked;
  }
}

// Alerts in a cluster. Every API node runs the alert machine on the same merged city, so every node knows the
// same alerts at the same instants (an alert's id is `<indicator>@<scope>@<raisedAt>`); only the leader writes
// them to the alert log and sends their events. A new leader first writes what it holds (upserts: an alert
// its predecessor wrote is written again unchanged), then carries on.
//
// An acknowledgement is made on any node: it goes into stream CITYGAUGE_ACKS, which every node reads from
// the start and applies, so every node's machine and list agree on who acknowledged what, whatever the order
// in which a node catching up meets the alert and its acknowledgement.
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AlertLog } from '../engine/alerts/alert-log.js';
import type { Alert, AlertEvent, AlertWait } from '../engine/alerts/alert-machine.js';
import { AlertService } from '../engine/alerts/alert-service.js';
import type { CityEngine, Snapshot } from '../engine/city-engine.js';
import type { Threshold } from '../registry/inventory.js';
import { ACK_STREAM, type ClusterLog } from './log.js';
import type { SubjectReader } from './log-reader.js';

const ACK_SUBJECT = 'citygauge.ack';
const Ack = z.object({ alertId: z.string().min(1), by: z.string().min(1), at: z.number().finite() });
type Ack = z.infer<typeof Ack>;

const waitKey = (w: AlertWait) => `${w.indicator}\n${w.scope}\n${w.below}`;

/**
 * The alert log of an API node: answers from memory (what this node's machine produced, with every known
 * acknowledgement), and writes through to the shared log only while this node leads.
 */
export class LeaderAlertLog implements AlertLog {
  private readonly alerts = new Map<string, Alert>();
  private readonly waiting = new Map<string, AlertWait>();
  /** Every acknowledgement heard, by alert: an alert recorded without one that exists gets it. */
  readonly acks = new Map<string, Ack>();
  private leading = false;

  constructor(private readonly store: AlertLog) {}

  record(a: Alert): void {
    const ack = this.acks.get(a.alertId);
    const alert =
      ack && a.acknowledgedAt === undefined ? { ...a, acknowledgedAt: ack.at, acknowledgedBy: ack.by } : a;
    this.alerts.set(a.alertId, alert);
    if (this.leading) this.store.record(alert);
  }

  recordWait(w: AlertWait): void {
    if (w.since === undefined) this.waiting.delete(waitKey(w));
    else this.waiting.set(waitKey(w), { ...w });
    if (this.leading) this.store.recordWait(w);
  }

  /** Leading from now: the shared log is brought to what this node holds, then written through. */
  lead(): void {
    if (this.leading) return;
    for (const w of this.store.waits())
      if (!this.waiting.has(waitKey(w))) this.store.recordWait({ ...w, since: undefined });
    for (const w of this.waiting.values()) this.store.recordWait(w);
    for (const a of [...this.alerts.values()].sort((x, y) => x.raisedAt - y.raisedAt)) this.store.record(a);
    this.leading = true;
  }

  follow(): void {
    this.leading = false;
  }

  // A node's machine starts empty: reading the merged history from its start rebuilds the alerts and waits.
  waits(): AlertWait[] {
    return [];
  }

  open(): Alert[] {
    return [];
  }

  list(limit = 500): Alert[] {
    return [...this.alerts.values()].sort((a, b) => b.raisedAt - a.raisedAt).slice(0, limit);
  }

  get(alertId: string): Alert | undefined {
    return this.alerts.get(alertId);
  }

  close(): void | Promise<void> {
    return this.store.close();
  }
}

export class ClusterAlerts {
  readonly service: AlertService;
  readonly log: LeaderAlertLog;
  private reader: SubjectReader | undefined;
  /** Acknowledgements that could not be read (not JSON, not an acknowledgement), skipped. */
  malformedAcks = 0;

  constructor(
    thresholds: readonly Threshold[],
    store: AlertLog,
    private readonly cluster: ClusterLog,
    emit: (e: AlertEvent) => void,
    onFault: (err: unknown) => void,
    private readonly logger: Logger,
  ) {
    this.log = new LeaderAlertLog(store);
    this.service = new AlertService(
      thresholds,
      this.log,
      (e) => {
        emit(e);
        // An acknowledgement read before this node's merge reached the alert: applied once it is raised.
        const ack = e.type === 'raise' ? this.log.acks.get(e.alert.alertId) : undefined;
        if (ack) queueMicrotask(() => this.service.acknowledge(ack.alertId, ack.by, ack.at));
      },
      onFault,
    );
  }

  attach(engine: CityEngine): void {
    this.service.attach(engine);
  }

  onSnapshot(s: Snapshot): void {
    this.service.onSnapshot(s);
  }

  /** Reads every acknowledgement ever made, then each new one. */
  async start(): Promise<void> {
    this.reader = await this.cluster.readStream(ACK_STREAM, ACK_SUBJECT, 0, (m) => {
      let ack: Ack;
      try {
        ack = Ack.parse(JSON.parse(new TextDecoder().decode(m.data)));
      } catch (err) {
        this.malformedAcks++;
        this.logger.warn({ seq: m.seq, err: (err as Error).message }, 'skipped a malformed acknowledgement');
        return;
      }
      this.apply(ack);
    });
  }

  /**
   * Acknowledges on behalf of `by`: stored in the log first (so every node hears it), then applied here.
   * Undefined when the alert is not open on this node.
   */
  async acknowledge(alertId: string, by: string, at = Date.now()): Promise<Alert | undefined> {
    const known = this.log.get(alertId);
    if (!known || known.clearedAt !== undefined || known.acknowledgedAt !== undefined) return undefined;
    const ack: Ack = { alertId, by, at };
    await this.cluster.publish(ACK_STREAM, ACK_SUBJECT, new TextEncoder().encode(JSON.stringify(ack)));
    this.apply(ack);
    return this.log.get(alertId);
  }

  list(limit?: number): Alert[] {
    return this.log.list(limit);
  }

  get(alertId: string): Alert | undefined {
    return this.log.get(alertId);
  }

  lead(): void {
    this.log.lead();
  }

  follow(): void {
    this.log.follow();
  }

  async stop(): Promise<void> {
    await this.reader?.stop();
  }

  private apply(ack: Ack): void {
    if (this.log.acks.has(ack.alertId)) return;
    this.log.acks.set(ack.alertId, ack);
    // Open here: the machine acknowledges it (an `acknowledge` event). Already cleared here: the log's copy
    // takes the acknowledgement, so a leader never writes it back unacknowledged.
    if (!this.service.acknowledge(ack.alertId, ack.by, ack.at)) {
      const known = this.log.get(ack.alertId);
      if (known) this.log.record(known);
    }
  }
}

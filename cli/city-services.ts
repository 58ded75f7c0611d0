// What `citygauge start` and `citygauge engine` run around the live engine alike: the history feed, the
// threshold alerts, the devices down and each device's last messages, fed from every snapshot and
// re-attached when a registry change rebuilds the engine; and the HTTP API's view of all of it. A throw in
// any of them, or in the engine, is contained (engine/faults.ts): logged, counted, that message skipped.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Observable, SchedulerLike } from 'rxjs';
import type { AlertLog } from '../engine/alerts/alert-log.js';
import type { AlertEvent } from '../engine/alerts/alert-machine.js';
import { AlertService } from '../engine/alerts/alert-service.js';
import { primeBudgetsFromHistory } from '../engine/alerts/budget-history.js';
import { rebuildEngine } from '../engine/carry-over.js';
import type { CityEngine } from '../engine/city-engine.js';
import { DownPublisher } from '../engine/down-publisher.js';
import { Faults } from '../engine/faults.js';
import type { ArrivalForecasts } from '../engine/forecasts.js';
import { INCIDENTS_TOPIC, incidentDocument } from '../engine/incidents/incident-document.js';
import type { IncidentLog } from '../engine/incidents/incident-log.js';
import { type IncidentChange, IncidentService, incidentRule } from '../engine/incidents/incident-service.js';
import type { RetainedPublish } from '../engine/indicator-publisher.js';
import { LiveCity, type LiveConsumer } from '../engine/live.js';
import { MaintenancePublisher } from '../engine/maintenance-publisher.js';
import type { RawMessage } from '../engine/pipeline.js';
import { RecentMessages } from '../engine/recent-messages.js';
import { RejectionLog } from '../engine/rejection-log.js';
import { HistoryFeed } from '../engine/sinks/history-feed.js';
import type { HistoryReader, HistorySink } from '../engine/sinks/points.js';
import { STATE_FILE_NAME } from '../engine/state-file.js';
import { EngineStatePersistence } from '../engine/state-persistence.js';
import type { DeviceStatusSource } from '../http/device-status.js';
import type { HealthCheck } from '../http/health.js';
import type { IndicatorSource } from '../http/indicators.js';
import { createMetrics, type MetricsSource } from '../http/metrics.js';
import type { ObjectiveDesk } from '../http/objectives.js';
import type { IndicatorDef } from '../indicators/definition.js';
import type { Inventory, Objective, Threshold } from '../registry/inventory.js';
import type { MaintenancePlan } from '../registry/maintenance-plan.js';
import type { Registry } from '../registry/registry-service.js';

/** A message for the broker: `retain` for state (indicators, devices down), not for events (alerts). */
export interface CityMessage {
  topic: string;
  payload: string;
  retain: boolean;
}

/**
 * docs/contract.md §4: an alert event on `city/alerts/<indicatorId>`, not retained; a raise explained by open
 * incidents names them (issue 14 item 1).
 */
export function alertMessage(e: AlertEvent, incidents: readonly string[] = []): CityMessage {
  return {
    topic: `city/alerts/${e.alert.indicator}`,
    payload: JSON.stringify({
      event: e.type,
      at: new Date(e.at).toISOString(),
      ...e.alert,
      ...(incidents.length ? { incidents } : {}),
    }),
    retain: false,
  };
}

/**
 * Issue 14 item 1: an incident as it stands on `city/incidents/<id>`, retained, with what happened to it
 * since the last snapshot (`events`: raised, grew, acknowledged, recovering, refailed, resolved, merged).
 */
export function incidentMessage(c: IncidentChange): CityMessage {
  return {
    topic: `${INCIDENTS_TOPIC}/${c.incident.id}`,
    payload: JSON.stringify({ events: c.events, ...incidentDocument(c.incident) }),
    retain: true,
  };
}

/** Issue 4: the InfluxDB spool filled up (raise) or drained (clear), on `city/alerts/history.spool`, retained. */
export function spoolAlertMessage(full: boolean, spoolDir: string, at = Date.now()): CityMessage {
  return {
    topic: 'city/alerts/history.spool',
    payload: JSON.stringify({
      id: 'history.spool',
      event: full ? 'raise' : 'clear',
      severity: 'major',
      message: full
        ? `history spool ${spoolDir} is full: raw device states are being dropped; bring InfluxDB back or raise --spool-max-mb`
        : 'history spool below its limit again',
      ts: new Date(at).toISOString(),
    }),
    retain: true,
  };
}

export interface CityServicesOptions {
  engine: CityEngine;
  catalogue: readonly IndicatorDef[];
  /** The city's thresholds (city.json or the API). */
  thresholds: readonly Threshold[];
  /** The city's error-budget objectives (city.json or the API). */
  objectives?: readonly Objective[];
  /** Where the objectives' windows are read back from at start (primeBudgets). */
  historyReader?: HistoryReader;
  /** Device messages from the broker. */
  messages$: Observable<RawMessage>;
  /** Arrival forecasts from GTFS-Realtime feeds (engine/gtfs-rt/), when any is polled. */
  forecasts$?: Observable<ArrivalForecasts>;
  /** Where history goes (cli/history-options.ts `openHistory`); closed by `close()`. */
  history: HistorySink;
  /** Closed by `close()`. */
  alertLog: AlertLog;
  /** Indicators, `city/devices/down` and alert events, each with whether the broker should retain it. */
  publish: (message: CityMessage) => void;
  /** Snapshot period: 500 ms, so a device's message shows in the published indicators within ~0.5 s. */
  everyMs?: number;
  /** Keep device liveness across restarts in `<dataDir>/engine-state.bin`, saved every minute and at close. */
  dataDir?: string;
  logger?: Logger;
  /** The live clock (tests: a virtual one). */
  scheduler?: SchedulerLike;
  /** More consumers of every message and snapshot, after the city's own (guarded like them). */
  consumers?: readonly LiveConsumer[];
  /** Maintenance windows: applied by the engine at their instants, the open ones on `city/maintenance`. */
  maintenance?: MaintenancePlan;
  /** Root-cause incidents (issue 14 item 1) are kept here, and published on `city/incidents/<id>`; closed by `close()`. */
  incidentLog?: IncidentLog;
  /** city.json `incidents`; the defaults when absent. */
  incidentRule?: Inventory['city']['incidents'];
}

export class CityServices {
  /** The current engine: replaced when a registry change rebuilds it. */
  engine: CityEngine;
  live: LiveCity;
  readonly feed: HistoryFeed;
  readonly alerts: AlertService;
  /** Root-cause incidents, when an incident log was given. */
  readonly incidents: IncidentService | undefined;
  readonly recent = new RecentMessages();
  private readonly rejections: RejectionLog | undefined;
  readonly down: DownPublisher;
  /** Wall-clock time of the latest snapshot, across rebuilds (health). */
  lastSnapshotAt: number | undefined;
  /** Throws contained while handling a message or a snapshot, by where (`/metrics`). */
  readonly faults: Faults;
  private readonly retained: RetainedPublish;
  private readonly liveness: EngineStatePersistence | undefined;
  private readonly maintenance: MaintenancePublisher | undefined;

  constructor(private readonly opts: CityServicesOptions) {
    this.engine = opts.engine;
    // Windows reach the engine as threshold changes do: a hook on the store, applied at the engine's clock.
    if (opts.maintenance) {
      this.engine.setMaintenance(opts.maintenance.windows);
      opts.maintenance.onChange.push((windows) => this.engine.setMaintenance(windows));
      this.maintenance = new MaintenancePublisher((topic, payload) =>
        opts.publish({ topic, payload, retain: true }),
      );
    }
    this.rejections = opts.logger && new RejectionLog(opts.logger);
    const logger = opts.logger;
    this.faults = new Faults({
      log: (where, err, suppressed, topic) =>
        logger?.error(
          { err, where, suppressed, topic },
          `internal error in ${where}: the message or tick was skipped, the city goes on` +
            (suppressed ? ` (${suppressed} more there since the last stack)` : ''),
        ),
    });
    this.retained = (topic, payload) => opts.publish({ topic, payload, retain: true });
    // The alerts attach before the restore, which lets them hear what lapsed while the city was down, at
    // its real times (never the devices coming back as they were): a wait then counts from the lapse, or
    // from before the stop (alerts.sqlite) if the value was below already.
    // Incidents first: an alert raised as the alerts attach is linked to the incidents that explain it.
    this.incidents =
      opts.incidentLog &&
      new IncidentService(
        opts.incidentLog,
        (c) => opts.publish(incidentMessage(c)),
        (err) => this.faults.report('incidents', err),
        incidentRule(opts.incidentRule),
      );
    // A resolved incident leaves its retained topic an hour later (an empty retained message clears it).
    this.incidents?.onForget.push((id) =>
      opts.publish({ topic: `${INCIDENTS_TOPIC}/${id}`, payload: '', retain: true }),
    );
    this.alerts = new AlertService(
      opts.thresholds,
      opts.alertLog,
      (e) => opts.publish(alertMessage(e, e.type === 'raise' ? this.incidents?.link(e.alert) : undefined)),
      (err) => this.faults.report('alerts', err),
      opts.objectives,
    );
    this.alerts.attach(this.engine);
    // Incidents too hear the devices that lapsed while the city was down, at their real times.
    this.incidents?.attach(this.engine);
    // The history attaches after it: it hears nothing of the downtime.
    if (opts.dataDir) {
      const log = opts.logger;
      this.liveness = new EngineStatePersistence(
        join(opts.dataDir, STATE_FILE_NAME),
        () => this.engine,
        60_000,
        {
          onError: (message) => log?.warn(message),
        },
      );
      const restored = this.liveness.restore();
      if (!restored.ok) log?.warn(restored.message);
      else if (restored.found)
        log?.info({ ...restored, ok: undefined }, 'device liveness restored from the last run');
      this.liveness.start();
    }
    // The devices the restore left down were told to nobody: open incidents take them up at the engine's clock.
    this.incidents?.reconcile();
    // The feed writes from inside the engine (device changes): a sink that throws must not reach it.
    const history = opts.history;
    this.feed = new HistoryFeed({
      write: this.faults.guard('history', (points) => history.write(points)),
      flush: () => history.flush(),
      close: () => history.close(),
      stats: () => history.stats(),
    });
    this.feed.attach(this.engine);
    this.down = new DownPublisher(this.engine, this.retained);
    this.live = this.startLive();
    this.budgetsPrimed = this.primeBudgets();
  }

  /** Settles once the objectives' series hold their history (at once when there is none to read). */
  readonly budgetsPrimed: Promise<void>;

  private async primeBudgets(): Promise<void> {
    const reader = this.opts.historyReader;
    if (!reader || !this.opts.objectives?.length) return;
    try {
      const now = this.opts.scheduler?.now() ?? Date.now();
      const primed = await primeBudgetsFromHistory(this.alerts.budgets, reader, now);
      this.opts.logger?.info({ primed }, 'error budgets read back from history');
    } catch (err) {
      this.opts.logger?.warn(
        { err },
        'error budgets could not be read back from history: they count from now (GET /api/objectives says the coverage)',
      );
    }
  }

  /** A registry change: rebuild the engine with its live state carried over, and follow the new one. */
  rebuild(inventory: Inventory): void {
    this.live.stop();
    this.engine = rebuildEngine(this.engine, inventory, this.opts.catalogue);
    this.down.setEngine(this.engine);
    this.feed.attach(this.engine);
    this.incidents?.setRule(incidentRule(inventory.city.incidents));
    this.incidents?.attach(this.engine);
    this.alerts.setObjectives(inventory.city.objectives ?? []);
    this.alerts.setThresholds(inventory.city.thresholds, this.engine);
    this.live = this.startLive();
  }

  /** Rebuild on every registry change (devices, inventory uploads, thresholds through the API). */
  follow(registry: Registry): () => void {
    return registry.onChange((inv) => this.rebuild(inv));
  }

  /** For buildApi's `indicators`: between a rebuild and its first tick, a snapshot on the wall clock. */
  readonly indicators: IndicatorSource = {
    engine: () => this.engine,
    latest: () => this.live.latest ?? this.engine.snapshot(Date.now()),
  };

  /** For buildApi's `objectives`: the budgets at the latest tick's time. */
  readonly objectives: ObjectiveDesk = {
    states: () => this.alerts.budgets.states(this.live.latest?.at ?? Date.now()),
  };

  /** For buildApi's `deviceStatus`. */
  readonly deviceStatus: DeviceStatusSource = { engine: () => this.engine, recent: this.recent };

  /** For buildApi's `health`: a snapshot within the last 5 s. */
  readonly engineHealth: HealthCheck = () => ({
    ok: this.lastSnapshotAt !== undefined && Date.now() - this.lastSnapshotAt < 5000,
  });

  /** For buildApi's `metrics`: the engine's, the evaluation lag and the history sink's, plus a broker's. */
  metrics(extra: Pick<MetricsSource, 'broker' | 'gtfsRt'> = {}) {
    return createMetrics({
      engine: () => this.engine,
      evaluationLagMs: () => this.live.lastEvaluationMs,
      history: () => this.opts.history.stats(),
      internalErrors: () => this.faults.tally(),
      ...extra,
    });
  }

  /** Stop the engine's clock and input. */
  stop(): void {
    this.live.stop();
  }

  /** Stop, then flush and close the history store and the alert log. */
  async close(): Promise<void> {
    this.stop();
    try {
      await this.liveness?.stop();
    } catch (err) {
      this.opts.logger?.warn({ err }, 'device liveness could not be saved; the next start begins fresh');
    }
    try {
      await this.opts.history.close();
    } finally {
      await this.opts.alertLog.close();
      await this.opts.incidentLog?.close();
    }
  }

  private startLive(): LiveCity {
    const rejections = this.rejections;
    const live = new LiveCity({
      engine: this.engine,
      messages$: this.opts.messages$,
      forecasts$: this.opts.forecasts$,
      publish: this.retained,
      meta: new Map(this.opts.catalogue.map((d) => [d.id, { name: d.name, unit: d.unit }])),
      everyMs: this.opts.everyMs ?? 500,
      scheduler: this.opts.scheduler,
      onFault: (where, err, topic) => this.faults.report(where, err, topic),
      consumers: [
        {
          name: 'recent-messages',
          onIngested: (msg, receivedAt, outcome) => this.recent.record(msg, receivedAt, outcome),
        },
        ...(rejections ? [{ name: 'refusal-log', onIngested: rejections.record.bind(rejections) }] : []),
        {
          name: 'health',
          onSnapshot: () => {
            this.lastSnapshotAt = Date.now();
          },
        },
        { name: 'history', onSnapshot: (s) => this.feed.onSnapshot(s) },
        { name: 'alerts', onSnapshot: (s) => this.alerts.onSnapshot(s) },
        { name: 'incidents', onSnapshot: (s) => this.incidents?.onSnapshot(s) },
        { name: 'devices-down', onSnapshot: (s) => this.down.onSnapshot(s) },
        { name: 'maintenance', onSnapshot: (s) => this.maintenance?.onSnapshot(this.engine, s.at) },
        ...(this.opts.consumers ?? []),
      ],
    });
    live.publisher.onRefused.push((topic, reason) =>
      this.opts.logger?.warn(
        { topic: `${topic.slice(0, 120)}...`, reason },
        'indicator topic refused, not published',
      ),
    );
    live.start();
    return live;
  }
}

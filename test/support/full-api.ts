// The whole HTTP API in process, on real stores in a temp dir (registry, history, alert log, scorecard,
// people), with every optional part present so every route exists: what the route sweeps (the role
// matrix, the fuzzer) run against. The routes are collected as the server adds them.
import type { FastifyInstance } from 'fastify';
import { SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import { AlertService } from '../../engine/alerts/alert-service.js';
import { CityEngine } from '../../engine/city-engine.js';
import { SqliteIncidentLog } from '../../engine/incidents/incident-log.js';
import { IncidentService } from '../../engine/incidents/incident-service.js';
import { RecentMessages } from '../../engine/recent-messages.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { ensureAdminToken } from '../../http/auth.js';
import { createMetrics } from '../../http/metrics.js';
import { type ApiDeps, buildApi } from '../../http/server.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { SqliteChangeLog } from '../../indicators/change-log-stores.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { People } from '../../people/people.js';
import { SqlitePeople } from '../../people/sqlite-people.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { MaintenancePlan } from '../../registry/maintenance-plan.js';
import { Registry } from '../../registry/registry-service.js';
import { RegistryStore } from '../../registry/store.js';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import { tempDir } from './tmp.js';

export const TOWN = new URL('../fixtures/town/', import.meta.url).pathname;

export interface FullApi {
  app: FastifyInstance;
  registry: Registry;
  people: People;
  alerts: AlertService;
  /** Root-cause incidents, following the engine's device changes as `citygauge start` has them. */
  incidents: IncidentService;
  /** The incidents' log, to put in incidents no device raised. */
  incidentLog: SqliteIncidentLog;
  /** The maintenance windows, applied to the engine as `citygauge start` applies them. */
  maintenance: MaintenancePlan;
  engine(): CityEngine;
  /** The break-glass admin token. */
  adminToken: string;
  /** GET as the admin, in process: the answer's JSON, or an error with the status and body when not 200. */
  // biome-ignore lint/suspicious/noExplicitAny: response shapes are asserted by the tests
  get(url: string): Promise<any>;
  routes: { method: string; url: string }[];
  close(): Promise<void>;
}

export async function fullApi(extra: Partial<ApiDeps> = {}): Promise<FullApi> {
  const dir = tempDir('citygauge-full-api-');
  const store = await RegistryStore.open(dir);
  store.upsert((await loadInventoryDir(TOWN)).inventory);
  const registry = new Registry(store, store.credentials());
  const adminToken = ensureAdminToken(registry.credentials, '')!;
  const catalogue = buildCatalogue(LIVE_CATALOGUE);
  let engine = new CityEngine(registry.inventory, catalogue);
  const maintenance = new MaintenancePlan(store.maintenance(), () => registry.inventory);
  const incidentLog = await SqliteIncidentLog.open(dir);
  const incidents = new IncidentService(incidentLog, () => {});
  incidents.attach(engine);
  registry.onChange((inv) => {
    engine = new CityEngine(inv, catalogue);
    engine.setMaintenance(maintenance.windows);
    incidents.attach(engine);
  });
  maintenance.onChange.push((windows) => engine.setMaintenance(windows));
  const history = new SqliteHistory(dir, { now: () => Date.now() });
  const alerts = new AlertService(
    registry.inventory.city.thresholds,
    await SqliteAlertLog.open(dir),
    () => {},
  );
  const people = new People(await SqlitePeople.open(dir));
  const routes: { method: string; url: string }[] = [];
  const app = await buildApi({
    registry,
    people,
    indicators: { engine: () => engine, latest: () => undefined },
    metrics: createMetrics({ engine: () => engine, evaluationLagMs: () => 0 }),
    health: { engine: () => ({ ok: true }) },
    history,
    indicatorChanges: new SqliteChangeLog(dir),
    alerts,
    incidents,
    deviceStatus: { engine: () => engine, recent: new RecentMessages() },
    maintenance: { plan: maintenance },
    deviceBroker: { mqttPort: 1883 },
    scorecard: {
      store: ScorecardStore.open(dir),
      live: () => ({ values: new Map(), note: 'no live values in this test' }),
    },
    onRoute: [
      (r) => {
        for (const method of [r.method].flat()) routes.push({ method, url: r.url });
      },
    ],
    ...extra,
  });
  await app.ready();
  return {
    app,
    registry,
    people,
    alerts,
    incidents,
    incidentLog,
    maintenance,
    engine: () => engine,
    adminToken,
    get: async (url) => {
      const res = await app.inject({ url, headers: { authorization: `Bearer ${adminToken}` } });
      if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    routes,
    close: async () => {
      await app.close();
      await history.close();
      await people.store.close();
      incidentLog.close();
      store.close();
    },
  };
}

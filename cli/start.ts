// `citygauge start` (npm start): the whole city in one process on embedded defaults (docs/contract.md §5) —
// registry, embedded MQTT broker, engine fed in-process by the broker, HTTP API, and a simulated fleet.
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { Subject } from 'rxjs';
import { BUS_SERVICE_HOURS } from '../edge/behaviour.js';
import { CityEngine } from '../engine/city-engine.js';
import type { RawMessage } from '../engine/pipeline.js';
import { staleIndicatorTopic } from '../engine/stale-indicators.js';
import { adminTokenProblem, ensureAdminToken } from '../http/auth.js';
import { buildApi } from '../http/server.js';
import { sharedServer } from '../red/shared-server.js';
import { MaintenancePlan } from '../registry/maintenance-plan.js';
import { PgMaintenanceStore } from '../registry/pg-maintenance-store.js';
import { ControlPlaneError } from '../registry/postgres.js';
import { seedScorecard } from '../scorecard/seed.js';
import { CityServices, spoolAlertMessage } from './city-services.js';
import { SAMPLE_CITY_DIR } from './demo.js';
import { CliError, UsageError } from './errors.js';
import { connectableHost, portFlag, wholeFlag } from './flags.js';
import { addGtfsRtOptions, type GtfsRtFlags, openGtfsRt } from './gtfs-rt.js';
import { addHistoryOptions, type HistoryFlags, openHistory } from './history-options.js';
import { recordIndicatorChanges } from './indicator-changes.js';
import { loadCatalogue } from './load-city.js';
import { createLogger } from './logger.js';
import { addDbOption, type DbFlag, openAlertLog, openIncidentLog } from './open-registry.js';
import { openScorecard, scorecardSource, scorecardWritten } from './open-scorecard.js';
import { usePrivateDataDir } from './private-data.js';
import { addPeopleOptions, adminAccountLine, openPeople, type PeopleFlags } from './serve-people.js';
import { closeHttp, onStopSignal, stopInOrder } from './shutdown.js';
import { startCityBroker } from './start-broker.js';
import { simulatedBanner, startCityFleet } from './start-fleet.js';
import { redBanner, startCityRed } from './start-red.js';
import { openStartRegistry } from './start-registry.js';
import { cityTimeZoneLogged } from './time-zone-log.js';
import { httpScheme, readTlsPair } from './tls-files.js';

interface StartOptions extends HistoryFlags, DbFlag, PeopleFlags, GtfsRtFlags {
  inventory: string;
  mqttPort: number;
  wsPort?: number;
  mqttsPort: number;
  httpPort: number;
  host: string;
  sim: boolean;
  red: boolean;
  devices?: number;
}

export function registerStart(program: Command): void {
  const cmd = program.command('start');
  addHistoryOptions(cmd);
  addDbOption(cmd);
  addPeopleOptions(cmd);
  addGtfsRtOptions(cmd);
  cmd
    .description(
      'run the whole city on embedded defaults: broker, engine, registry, HTTP API and a simulated fleet',
    )
    .option('--data-dir <dir>', 'registry, credentials and state', './data')
    .option('--inventory <dir>', 'inventory imported on first start', SAMPLE_CITY_DIR)
    .option('--mqtt-port <port>', 'MQTT over TCP', portFlag(), 1883)
    .option('--ws-port <port>', 'MQTT over WebSocket', portFlag())
    .option(
      '--mqtts-port <port>',
      'MQTT over TLS when --tls-cert/--tls-key are given (broker: --tls-port)',
      portFlag(),
      8883,
    )
    .option('--http-port <port>', 'HTTP API and /docs', portFlag(), 8080)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--no-sim', 'leave the simulated fleet out')
    .option('--no-red', 'leave Node-RED (the /red editor and the /dashboard) out')
    .option('--devices <n>', 'simulate only the first N devices', wholeFlag(1))
    .action(async (opts: StartOptions, command: Command) => {
      const log = createLogger('citygauge');
      const weakToken = adminTokenProblem();
      if (weakToken) throw new UsageError(weakToken);
      const tls = readTlsPair(opts.tlsCert, opts.tlsKey);
      if (!tls && command.getOptionValueSource('mqttsPort') === 'cli')
        throw new UsageError('--mqtts-port is MQTT over TLS: give --tls-cert and --tls-key too');
      usePrivateDataDir(opts.dataDir, log);
      const { store, registry } = await openStartRegistry(opts, log);
      // Issue 6: the inventory's scorecard-indicators.* every start, scorecard-*.csv and self-assessments-* once.
      const scorecard = await openScorecard(opts, log);
      await seedScorecard(scorecard, opts.inventory, log).catch((err: Error) => {
        throw new CliError(err.message);
      });
      // Nodes starting together on an empty --db may both seed it: the later one's copy is refused, and the
      // change feed brings it the earlier one's.
      await scorecardWritten(scorecard, (err) =>
        log.warn(
          { err: err.message },
          'another node seeded the scorecard at the same time: using its entries',
        ),
      );
      const adminToken = ensureAdminToken(registry.credentials);
      await registry.written();
      const { people, firstAdminPassword, oidc } = await openPeople(opts, log, {
        host: connectableHost(opts.host),
        port: Number(opts.httpPort),
      });
      const timeZone = cityTimeZoneLogged(registry.inventory.city, log);
      const catalogue = loadCatalogue(opts.inventory);
      const indicatorChanges = await recordIndicatorChanges(opts, catalogue, people, log);
      // History: the embedded store unless InfluxDB is configured (issue 4); a full spool is an alert.
      let publishSpool: ((topic: string, payload: string) => void) | undefined;
      const {
        sink: history,
        reader: historyReader,
        where: historyWhere,
      } = openHistory(opts, opts.dataDir, log, (full, dir) => {
        const m = spoolAlertMessage(full, dir);
        publishSpool?.(m.topic, m.payload);
      });

      const gtfsRt = await openGtfsRt(opts, { inventoryDir: opts.inventory, engine: () => city.engine, log });
      const messages$ = new Subject<RawMessage>();
      const broker = await startCityBroker({
        registry,
        mqttPort: Number(opts.mqttPort),
        wsPort: opts.wsPort ? Number(opts.wsPort) : undefined,
        // The certificate that serves HTTPS serves MQTT over TLS too: devices get the city's one trust anchor.
        tls: tls && { ...tls, port: Number(opts.mqttsPort) },
        host: opts.host,
        logger: log,
        dataDir: opts.dataDir,
        onPublish: (topic, payload) => messages$.next({ topic, payload }),
      });
      publishSpool = (topic, payload) => void broker.publish(topic, payload);
      // Maintenance windows live beside the registry: in registry.sqlite, or in the --db PostgreSQL.
      const pgMaintenance = opts.db ? await openPgMaintenance(opts.db, log) : undefined;
      const maintenanceStore = pgMaintenance ?? store.maintenance?.();
      const maintenance = maintenanceStore && new MaintenancePlan(maintenanceStore, () => registry.inventory);
      // The engine fed in process by the broker, with history, alerts, device memory and the devices down.
      const city = new CityServices({
        maintenance,
        engine: new CityEngine(registry.inventory, catalogue),
        catalogue,
        thresholds: registry.inventory.city.thresholds,
        objectives: registry.inventory.city.objectives,
        historyReader,
        messages$,
        forecasts$: gtfsRt?.forecasts$,
        history,
        alertLog: await openAlertLog(opts, log),
        incidentLog: await openIncidentLog(opts, log),
        incidentRule: registry.inventory.city.incidents,
        dataDir: opts.dataDir,
        logger: log,
        publish: (m) =>
          void (m.retain ? broker.publish(m.topic, m.payload) : broker.publishEvent(m.topic, m.payload)),
      });
      city.follow(registry);
      gtfsRt?.start();
      // Retained values of indicators or districts that are gone would be served to every new subscriber.
      broker.purgeRetained(staleIndicatorTopic(city.engine.model));

      const shared = opts.red ? sharedServer(tls) : undefined;
      const api = await buildApi({
        registry,
        people,
        anonymousRead: opts.anonymousRead,
        oidc: oidc,
        securityLog: log,
        home: opts.red ? '/dashboard' : '/docs',
        serverFactory: shared?.factory,
        tls,
        trustProxy: opts.trustProxy,
        deviceStatus: city.deviceStatus,
        simulatedBusHours: opts.sim ? BUS_SERVICE_HOURS.text : undefined,
        scorecard: scorecardSource(
          scorecard,
          { reader: historyReader, where: historyWhere },
          () => registry.inventory.city.objectives ?? [],
        ),
        indicators: city.indicators,
        metrics: city.metrics({ broker: () => broker.stats(), gtfsRt: gtfsRt?.views }),
        gtfsRt: gtfsRt?.views,
        history: historyReader,
        indicatorChanges,
        alerts: city.alerts,
        incidents: city.incidents,
        objectives: city.objectives,
        maintenance: maintenance && { plan: maintenance },
        // Devices are told the name they reached the API by: the broker listens on the same address.
        deviceBroker: { mqttPort: broker.mqttPort, tlsPort: broker.tlsPort, wsPort: broker.wsPort },
        health: {
          broker: () => ({ ok: broker.listening() }),
          engine: city.engineHealth,
          store: () => ({ ok: store.isOpen() }),
        },
      });
      await api.listen({ port: Number(opts.httpPort), host: opts.host });
      const http = `${httpScheme(tls)}://${opts.host}:${Number(opts.httpPort)}`;

      const red = shared
        ? await startCityRed({
            server: api.server,
            shared,
            registry,
            people,
            dataDir: opts.dataDir,
            host: opts.host,
            httpPort: Number(opts.httpPort),
            mqttPort: broker.mqttPort,
            trustProxy: opts.trustProxy,
            logger: log,
          })
        : undefined;

      const fleet = opts.sim
        ? await startCityFleet({
            registry,
            url: `mqtt://127.0.0.1:${broker.mqttPort}`,
            dataDir: opts.dataDir,
            devices: opts.devices ? Number(opts.devices) : undefined,
            logger: log,
          })
        : undefined;

      process.stdout.write(
        [
          '',
          `citygauge is running — ${registry.inventory.city.name}, ${registry.inventory.devices.size.toLocaleString('en')} devices`,
          ...redBanner(http, red),
          `  HTTP API       ${http}/api/indicators   (OpenAPI: ${http}/docs)`,
          `  scorecard      ${http}/report   (ISO/IEC 30146 roll-ups and PAS 181 maturity)`,
          `  health         ${http}/healthz   metrics: ${http}/metrics`,
          `  MQTT           mqtt://${opts.host}:${broker.mqttPort}${broker.wsPort ? `   ws://${opts.host}:${broker.wsPort}` : ''}${broker.tlsPort !== undefined ? `   mqtts://${opts.host}:${broker.tlsPort}` : ''}`,
          `  devices        ${http}/asyncapi.json   (topics, payloads, Last Will: docs/devices.md)`,
          `  live values    subscribe to city/indicators/# (retained)`,
          `  incidents      ${http}/api/incidents   city/incidents/# (retained)`,
          adminToken
            ? `  admin token    ${adminToken}   (shown once: writes need Authorization: Bearer <token>)`
            : '  admin token    set earlier (CITYGAUGE_ADMIN_TOKEN or printed on first start)',
          adminAccountLine(firstAdminPassword),
          ...Object.entries(broker.serviceTokens).map(
            ([name, token]) => `  MQTT account   ${name} / ${token}   (shown once)`,
          ),
          simulatedBanner(registry, fleet),
          `  history        ${historyWhere}`,
          `  time zone      ${timeZone}   (report periods, service hours, times on the dashboard)`,
          '  Ctrl-C stops everything cleanly.',
          '',
        ].join('\n'),
      );

      const signal = await new Promise<NodeJS.Signals>((resolve) => onStopSignal(resolve));
      log.info({ signal }, 'stopping');
      // Data first (the engine's state, history, alert log), so that a part that hangs afterwards costs
      // nothing; the fleet before them, so the engine hears its last messages.
      const { failed, tookMs } = await stopInOrder(
        [
          { name: 'simulated fleet', run: () => fleet?.stop() },
          { name: 'GTFS-Realtime feeds', run: () => gtfsRt?.stop() },
          { name: 'engine, history and alert log', run: () => city.close() },
          { name: 'Node-RED', run: () => red?.red.stop() },
          { name: 'browser connections', run: () => shared?.closeWebSockets() },
          { name: 'HTTP server', run: () => closeHttp(api) },
          { name: 'MQTT broker', run: () => broker.close() },
          { name: 'scorecard store', run: () => scorecard.close() },
          { name: 'indicator change log', run: () => indicatorChanges.close() },
          { name: 'maintenance windows', run: () => pgMaintenance?.close() },
          { name: 'people', run: () => people.store.close() },
          { name: 'registry', run: () => store.close() },
        ],
        log,
      );
      log.info({ tookMs }, 'stopped');
      // Node-RED's nodes and the clients of a part that did not close in time may hold the event loop:
      // everything of ours is saved and closed, so do not wait for it to drain.
      process.exit(failed.length ? 1 : 0);
    });
}

/** The --db PostgreSQL's maintenance windows; a database it cannot use stops the start, saying why. */
async function openPgMaintenance(url: string, log: Logger): Promise<PgMaintenanceStore> {
  try {
    return await PgMaintenanceStore.open(url, log);
  } catch (err) {
    throw err instanceof ControlPlaneError ? new CliError(err.message) : err;
  }
}

// `citygauge engine --mqtt-url URL`: the engine alone, beside any MQTT broker (docs/contract.md §5) — the
// deployment for cities whose devices need MQTT 5 (Mosquitto, EMQX). Indicators retained on the broker,
// history (the embedded store or InfluxDB), threshold alerts on `city/alerts/<id>`, the devices down on
// `city/devices/down`, and with --http-port the HTTP API: the same parts as `citygauge start`
// (cli/city-services.ts), without the embedded broker, the simulated fleet, Node-RED or the scorecard.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { CityEngine } from '../engine/city-engine.js';
import { connectEngineClient, mqttMessages } from '../engine/mqtt-source.js';
import { adminTokenProblem, ensureAdminToken } from '../http/auth.js';
import { brokerOfUrl } from '../http/device-connection.js';
import { buildApi } from '../http/server.js';
import type { People } from '../people/people.js';
import type { Inventory } from '../registry/inventory.js';
import { Registry } from '../registry/registry-service.js';
import { RegistryStore } from '../registry/store.js';
import { type CityMessage, CityServices, spoolAlertMessage } from './city-services.js';
import { addClusterOptions } from './cluster-flags.js';
import { declareDistrictsLogged } from './declare-districts.js';
import { UsageError } from './errors.js';
import { connectableHost, portFlag } from './flags.js';
import { addGtfsRtOptions, type GtfsRtFlags, openGtfsRt } from './gtfs-rt.js';
import { addHistoryOptions, type HistoryFlags, openHistory } from './history-options.js';
import { recordIndicatorChanges } from './indicator-changes.js';
import { loadCatalogue, loadInventoryStrictly } from './load-city.js';
import { createLogger } from './logger.js';
import {
  addDbOption,
  type DbFlag,
  openAlertLog,
  openIncidentLog,
  openRegistryBackend,
} from './open-registry.js';
import { usePrivateDataDir } from './private-data.js';
import { addPeopleOptions, adminAccountLine, openPeople, type PeopleFlags } from './serve-people.js';
import { runShard, type ShardFlags } from './shard.js';
import { closeHttp, onStopSignal, stopInOrder } from './shutdown.js';
import { cityTimeZoneLogged } from './time-zone-log.js';
import { httpScheme, readTlsPair } from './tls-files.js';

interface EngineOptions extends HistoryFlags, DbFlag, PeopleFlags, GtfsRtFlags {
  mqttUrl?: string;
  inventory?: string;
  username?: string;
  password?: string;
  clientId: string;
  indicators?: string;
  httpPort?: number;
  host: string;
}

/**
 * The inventory, and for the HTTP API a registry to serve and change it. From the registry in the data
 * dir; or, with --inventory, from the folder, changes through the API then living in a scratch registry
 * until the engine stops (the folder stays the source). Credentials (the admin token) are always the data
 * dir's, so the token outlives a restart.
 */
export async function openCity(
  opts: Pick<EngineOptions, 'dataDir' | 'inventory' | 'db'>,
  withApi: boolean,
  log: Logger,
) {
  const fromFolder = opts.inventory ? await loadInventoryStrictly(opts.inventory) : undefined;
  if (fromFolder && !withApi) return { inventory: fromFolder, close: () => {} };
  const store = await openRegistryBackend(opts, log);
  if (!fromFolder && store.isEmpty()) {
    await store.close();
    throw new UsageError(
      `the registry in '${store.path}' is empty: run citygauge import DIR first, or pass --inventory DIR`,
    );
  }
  const inventory: Inventory = fromFolder ?? store.load();
  // On a shared PostgreSQL the engine follows the registry other nodes change, API or not.
  if (!withApi && !opts.db) {
    await store.close();
    return { inventory, close: () => {} };
  }
  const scratchDir = fromFolder ? mkdtempSync(join(tmpdir(), 'citygauge-engine-registry-')) : undefined;
  const scratch = scratchDir ? await RegistryStore.open(scratchDir) : undefined;
  const registry = new Registry(scratch ?? store, store.credentials(), inventory);
  declareDistrictsLogged(registry, log);
  return {
    inventory: registry.inventory,
    registry,
    storeOpen: () => store.isOpen(),
    close: async () => {
      scratch?.close();
      if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
      await store.close();
    },
  };
}

/** Disconnect after the publishes in flight are acknowledged; forced if the broker does not answer in 5 s. */
function endClient(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => client.end(true, {}, () => resolve()), 5000);
    client.end(false, {}, () => {
      clearTimeout(force);
      resolve();
    });
  });
}

export function registerEngine(program: Command): void {
  const cmd = program.command('engine');
  addHistoryOptions(cmd);
  addDbOption(cmd);
  addPeopleOptions(cmd);
  addGtfsRtOptions(cmd);
  cmd
    .description('run the indicator engine against an MQTT broker (Mosquitto, EMQX, the embedded one)')
    .option('--mqtt-url <url>', 'broker URL, e.g. mqtt://localhost:1883 (or --cluster)')
    .option('--data-dir <dir>', 'registry, history, alert log and credentials', './data')
    .option('--inventory <dir>', 'read the inventory from this folder instead of the registry')
    .option('--username <name>', 'MQTT username (default service:engine)', 'service:engine')
    .option('--password <token>', 'MQTT password (or CITYGAUGE_MQTT_PASSWORD)')
    .option('--client-id <id>', 'MQTT client id of the persistent session', 'citygauge-engine')
    .option('--indicators <file>', 'user-defined indicators (JSON or YAML)')
    .option(
      '--http-port <port>',
      'serve the HTTP API and /docs on this port (with --cluster: /healthz and /metrics only; default: no HTTP server)',
      portFlag({ allowZero: true }),
    )
    .option('--host <address>', "address the HTTP API (or a shard's /healthz) listens on", '127.0.0.1')
    .option('--node-id <id>', "with --cluster: this shard's name in leases and logs");
  addClusterOptions(cmd).action(async (opts: EngineOptions & ShardFlags) => {
    if (opts.cluster) {
      if (opts.mqttUrl) throw new UsageError('--cluster and --mqtt-url are two ways to run: choose one');
      if (opts.gtfsRt?.length)
        throw new UsageError('--gtfs-rt runs in one engine (--mqtt-url), not yet in a --cluster shard');
      return runShard(opts);
    }
    if (!opts.mqttUrl)
      throw new UsageError('the engine reads devices from --mqtt-url URL (or --cluster URL as a shard)');
    const mqttUrl = opts.mqttUrl;
    const log = createLogger('engine');
    if (!/^(mqtts?|wss?|tcp):\/\//.test(mqttUrl)) {
      throw new UsageError(`--mqtt-url '${mqttUrl}' must start with mqtt://, mqtts://, ws:// or wss://`);
    }
    const { httpPort } = opts;
    const weakToken = adminTokenProblem();
    if (weakToken && httpPort !== undefined) throw new UsageError(weakToken);
    const tls = readTlsPair(opts.tlsCert, opts.tlsKey);
    if ((tls || opts.trustProxy) && httpPort === undefined)
      throw new UsageError('--tls-cert, --tls-key and --trust-proxy are for the HTTP API: add --http-port N');
    usePrivateDataDir(opts.dataDir, log);
    const city = await openCity(opts, httpPort !== undefined, log);
    const { inventory } = city;
    const timeZone = cityTimeZoneLogged(inventory.city, log);
    const catalogue = loadCatalogue(opts.inventory, opts.indicators);
    const indicatorChanges = await recordIndicatorChanges(opts, catalogue, undefined, log);
    const engine = new CityEngine(inventory, catalogue);
    const gtfsRt = await openGtfsRt(opts, {
      inventoryDir: opts.inventory,
      engine: () => services.engine,
      log,
    });

    // Indicators and the devices down retained, alert events not; QoS 1 so the broker takes each for sure.
    let publish = (_m: CityMessage): void => {};
    // History: the embedded store unless InfluxDB is configured (issue 4); a full spool is an alert.
    const history = openHistory(opts, opts.dataDir, log, (full, dir) =>
      publish(spoolAlertMessage(full, dir)),
    );
    const client = connectEngineClient({
      url: mqttUrl,
      username: opts.username,
      password: opts.password ?? process.env.CITYGAUGE_MQTT_PASSWORD,
      clientId: opts.clientId,
    });
    publish = (m) => void client.publish(m.topic, m.payload, { qos: 1, retain: m.retain });
    client.on('connect', () => log.info({ url: mqttUrl }, 'connected to the broker'));
    client.on('error', (err) =>
      log.error({ err: err.message }, 'MQTT error: check --mqtt-url, --username and --password'),
    );

    const services = new CityServices({
      engine,
      catalogue,
      thresholds: inventory.city.thresholds,
      objectives: inventory.city.objectives,
      historyReader: history.reader,
      messages$: mqttMessages(client),
      forecasts$: gtfsRt?.forecasts$,
      history: history.sink,
      alertLog: await openAlertLog(opts, log),
      incidentLog: await openIncidentLog(opts, log),
      incidentRule: inventory.city.incidents,
      dataDir: opts.dataDir,
      logger: log,
      publish: (m) => publish(m),
    });

    let api: FastifyInstance | undefined;
    let adminToken: string | undefined;
    let people: People | undefined;
    let firstAdminPassword: string | undefined;
    let http: string | undefined;
    if (city.registry) services.follow(city.registry);
    gtfsRt?.start();
    if (httpPort !== undefined && city.registry) {
      const registry = city.registry;
      adminToken = ensureAdminToken(registry.credentials);
      await registry.written();
      const opened = await openPeople(opts, log, { host: connectableHost(opts.host), port: httpPort });
      people = opened.people;
      firstAdminPassword = opened.firstAdminPassword;
      api = await buildApi({
        registry,
        people,
        anonymousRead: opts.anonymousRead,
        oidc: opened.oidc,
        securityLog: log,
        tls,
        trustProxy: opts.trustProxy,
        indicators: services.indicators,
        deviceStatus: services.deviceStatus,
        metrics: services.metrics({ gtfsRt: gtfsRt?.views }),
        gtfsRt: gtfsRt?.views,
        history: history.reader,
        indicatorChanges,
        alerts: services.alerts,
        incidents: services.incidents,
        objectives: services.objectives,
        deviceBroker: brokerOfUrl(mqttUrl),
        health: {
          broker: () => ({
            ok: client.connected,
            ...(client.connected ? {} : { detail: mqttUrl }),
          }),
          engine: services.engineHealth,
          store: () => ({ ok: city.storeOpen?.() ?? false }),
        },
      });
      await api.listen({ port: httpPort, host: opts.host });
      const address = api.server.address();
      const port = typeof address === 'object' && address ? address.port : httpPort;
      http = `${httpScheme(tls)}://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
    }

    log.info(
      { devices: inventory.devices.size, indicators: catalogue.length, history: history.where, http },
      'engine running',
    );
    process.stdout.write(
      [
        '',
        `citygauge engine is running — ${inventory.city.name}, ${inventory.devices.size.toLocaleString('en')} devices, broker ${mqttUrl}`,
        ...(http
          ? [
              `  HTTP API       ${http}/api/indicators   (OpenAPI: ${http}/docs)`,
              `  health         ${http}/healthz   metrics: ${http}/metrics`,
              adminToken
                ? `  admin token    ${adminToken}   (shown once: writes need Authorization: Bearer <token>)`
                : '  admin token    set earlier (CITYGAUGE_ADMIN_TOKEN or printed on first start)',
              adminAccountLine(firstAdminPassword),
            ]
          : ['  HTTP API       off (--http-port N serves it)']),
        '  live values    city/indicators/# (retained)   alerts: city/alerts/#   devices down: city/devices/down',
        '  incidents      city/incidents/# (retained)   GET /api/incidents',
        `  history        ${history.where}`,
        `  time zone      ${timeZone}   (times shown to people; APIs answer in UTC)`,
        '  Ctrl-C stops it cleanly.',
        '',
      ].join('\n'),
    );

    const signal = await new Promise<NodeJS.Signals>((resolve) => onStopSignal(resolve));
    log.info({ signal }, 'stopping');
    const { failed, notClosed } = await stopInOrder(
      [
        { name: 'HTTP server', run: () => api && closeHttp(api) },
        { name: 'GTFS-Realtime feeds', run: () => gtfsRt?.stop() },
        { name: 'people', run: () => people?.store.close() },
        { name: 'indicator change log', run: () => indicatorChanges.close() },
        { name: 'engine, history and alert log', run: () => services.close() },
        { name: 'MQTT connection', run: () => endClient(client) },
        { name: 'registry', run: () => city.close() },
      ],
      log,
    );
    log.info({ accepted: services.engine.accepted, rejected: services.engine.rejected }, 'engine stopped');
    if (failed.length) process.exitCode = 1;
    // A part that did not close in time may hold the event loop: leave it behind.
    if (notClosed.length) process.exit();
  });
}

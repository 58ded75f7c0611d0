// `citygauge api --cluster URL`: an API node of the cluster. It merges every partition's batches into the
// city (cluster/api-node.ts) and serves it over HTTP as `citygauge start` does: /api/indicators, /api/alerts,
// /api/history, /healthz, /metrics, /docs. Any number of them can run; each holds the same city, and the one
// holding the leader lease sends `city/#` to the front doors and writes the alert log and the history.

import { hostname } from 'node:os';
import type { Command } from 'commander';
import { ApiNode, LEADER_LEASE } from '../cluster/api-node.js';
import { InventoryStore } from '../cluster/inventory-store.js';
import { Leases } from '../cluster/lease.js';
import { watchNats } from '../cluster/nats-health.js';
import { RecentMessages } from '../engine/recent-messages.js';
import { needs } from '../http/access.js';
import { ensureAdminToken } from '../http/auth.js';
import { brokerOfUrls, type DeviceBroker } from '../http/device-connection.js';
import { processRegistry } from '../http/metrics.js';
import { buildApi } from '../http/server.js';
import { sharedServer } from '../red/shared-server.js';
import { EMBEDDED_RED_SUBJECT } from '../registry/credentials.js';
import { addClusterOptions, type ClusterFlags, joinLog, whileJoining } from './cluster-flags.js';
import { openCity } from './engine.js';
import { UsageError } from './errors.js';
import { connectableHost, portFlag } from './flags.js';
import { addHistoryOptions, type HistoryFlags, openHistory } from './history-options.js';
import { recordIndicatorChanges } from './indicator-changes.js';
import { loadCatalogue } from './load-city.js';
import { createLogger } from './logger.js';
import { addDbOption, openAlertLog } from './open-registry.js';
import { openScorecard, scorecardSource } from './open-scorecard.js';
import { usePrivateDataDir } from './private-data.js';
import { addPeopleOptions, adminAccountLine, openPeople, type PeopleFlags } from './serve-people.js';
import { closeHttp, onStopSignal, stopInOrder } from './shutdown.js';
import { redBanner, startCityRed } from './start-red.js';
import { httpScheme, readTlsPair } from './tls-files.js';

interface ApiOptions extends ClusterFlags, HistoryFlags, PeopleFlags {
  db?: string;
  dataDir: string;
  inventory?: string;
  indicators?: string;
  httpPort: number;
  host: string;
  nodeId?: string;
  dashboardBroker?: string;
  deviceBroker?: string[];
}

/** A front door's MQTT address for the dashboard's flows. */
function brokerAddress(flag: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(flag);
  } catch {
    throw new UsageError(`--dashboard-broker '${flag}' is not a URL: write mqtt://host:1883`);
  }
  if (url.protocol !== 'mqtt:')
    throw new UsageError(
      `--dashboard-broker '${flag}': the dashboard's flows speak plain MQTT, write mqtt://host:port`,
    );
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 1883 };
}

/** Where devices are told to connect: the front doors given, else the dashboard's; none, none is told. */
function devicesConnectTo(opts: ApiOptions): DeviceBroker | undefined {
  const urls = opts.deviceBroker ?? (opts.dashboardBroker ? [opts.dashboardBroker] : []);
  if (urls.length === 0) return undefined;
  try {
    return brokerOfUrls(urls);
  } catch (err) {
    throw new UsageError(`--device-broker ${(err as Error).message}`);
  }
}

/** An API node that has merged nothing for this long is unhealthy: some partition has no shard. */
const STALE_MS = 15_000;

export function registerApi(program: Command): void {
  const cmd = program
    .command('api')
    .description("serve a cluster's merged city over HTTP (an API node; needs --cluster)")
    .option('--data-dir <dir>', 'registry and credentials (the admin token)', './data')
    .option('--inventory <dir>', 'read the inventory from this folder instead of the registry')
    .option('--indicators <file>', 'user-defined indicators (JSON or YAML)')
    .option('--http-port <port>', 'HTTP API port (0 picks a free one)', portFlag({ allowZero: true }), 8080)
    .option('--host <address>', 'address the HTTP API listens on', '127.0.0.1')
    .option('--node-id <id>', "this node's name in the cluster's logs")
    .option(
      '--dashboard-broker <url>',
      "serve the dashboard and the flows editor on the HTTP port, their live values from this front door's MQTT (mqtt://host:port)",
    )
    .option(
      '--device-broker <url...>',
      "where devices connect (the front doors, as devices reach them): told at registration and in /asyncapi.json, e.g. mqtts://mqtt.city.example:8883 (default: --dashboard-broker's)",
    );
  addDbOption(cmd);
  addPeopleOptions(cmd);
  addHistoryOptions(cmd);
  addClusterOptions(cmd).action(async (opts: ApiOptions) => {
    if (!opts.cluster)
      throw new UsageError('citygauge api serves a cluster: pass --cluster nats://host:4222');
    const dashboardBroker = opts.dashboardBroker ? brokerAddress(opts.dashboardBroker) : undefined;
    const deviceBroker = devicesConnectTo(opts);
    const tls = readTlsPair(opts.tlsCert, opts.tlsKey);
    const id = opts.nodeId ?? `api-${hostname()}-${process.pid}`;
    const log = createLogger('api').child({ node: id });
    usePrivateDataDir(opts.dataDir, log);
    const city = await openCity(opts, true, log);
    const catalogue = loadCatalogue(opts.inventory, opts.indicators);
    const clusterLog = await joinLog(opts, id, log);
    const partitions = await clusterLog.partitions();
    const leases = await whileJoining(
      'opening the lease bucket',
      () => Leases.open(clusterLog.nc, { ttlMs: opts.leaseTtlMs }),
      log,
    );
    const inventories = await whileJoining(
      'opening the registry versions',
      () => InventoryStore.open(clusterLog.nc),
      log,
    );
    const history = openHistory(opts, opts.dataDir, log);
    const scorecard = await openScorecard(opts, log);
    const node = new ApiNode({
      log: clusterLog,
      leases,
      inventories,
      inventory: city.inventory,
      catalogue,
      partitions,
      id,
      logger: log,
      alertStore: await openAlertLog(opts, log),
      // InfluxDB is one store for every node: the leader alone writes it. The embedded store is each node's own.
      history: { sink: history.sink, shared: opts.influxUrl !== undefined },
    });
    await node.start();
    const registry = city.registry!;
    const adminToken = ensureAdminToken(registry.credentials);
    const { people, firstAdminPassword, oidc } = await openPeople(opts, log, {
      host: connectableHost(opts.host),
      port: opts.httpPort,
    });
    const indicatorChanges = await recordIndicatorChanges(opts, catalogue, people, log);
    const shared = dashboardBroker ? sharedServer(tls) : undefined;
    const api = await buildApi({
      serverFactory: shared?.factory,
      tls,
      trustProxy: opts.trustProxy,
      registry,
      people,
      anonymousRead: opts.anonymousRead,
      oidc: oidc,
      securityLog: log,
      home: dashboardBroker ? '/dashboard' : '/docs',
      deviceBroker,
      dashboardSubject: `${EMBEDDED_RED_SUBJECT}@${id}`,
      indicators: { engine: () => node.merge.merge.engine, latest: () => node.latest() },
      // The merged condition bits give every device's state; an API node sees no device traffic, so a
      // device's last messages stay empty here (docs/contract-as-implemented.md, "Devices down").
      deviceStatus: { engine: () => node.merge.merge.engine, recent: new RecentMessages() },
      alerts: node.alerts,
      history: history.reader,
      indicatorChanges,
      scorecard: scorecardSource(scorecard, history),
      metrics: processRegistry(),
      health: {
        // isClosed() stays false while nats.js reconnects: the status events tell the outage.
        log: watchNats(clusterLog.nc, opts.cluster).check,
        merge: () => {
          const at = node.latest()?.at;
          const ok = at !== undefined && Date.now() - at < STALE_MS;
          return ok
            ? { ok }
            : {
                ok,
                detail:
                  at === undefined
                    ? 'nothing merged yet: are the shards running?'
                    : `merged up to ${new Date(at).toISOString()} only`,
              };
        },
      },
    });
    // Where the merge stands: the instant every partition has reached, and each partition's last batch.
    api.get('/api/cluster', { ...needs('viewer'), schema: { tags: ['cluster'] } }, async () => {
      const at = node.latest()?.at;
      return {
        partitions,
        mergedThrough: at === undefined ? null : new Date(at).toISOString(),
        accepted: node.latest()?.accepted ?? 0,
        rejected: node.latest()?.rejected ?? {},
        batches: Array.from({ length: partitions }, (_, p) => node.merge.applied(p)),
        republishedDropped: node.merge.duplicates.reduce((a, b) => a + b, 0),
        failed: node.failed.reduce((a, b) => a + b, 0),
        node: id,
        leading: node.leading,
        leader: (await leases.holder(LEADER_LEASE).catch(() => null))?.owner ?? null,
        caughtUp: node.isCaughtUp,
        output: node.output.stats,
      };
    });
    await api.listen({ port: opts.httpPort, host: opts.host });
    const address = api.server.address();
    const port = typeof address === 'object' && address ? address.port : opts.httpPort;
    const http = `${httpScheme(tls)}://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
    // The dashboard's flows subscribe to city/# at a front door, where the leader's output comes out.
    const red =
      shared && dashboardBroker
        ? await startCityRed({
            server: api.server,
            shared,
            registry,
            people,
            dataDir: opts.dataDir,
            host: opts.host,
            httpPort: port,
            mqttHost: dashboardBroker.host,
            mqttPort: dashboardBroker.port,
            subject: `${EMBEDDED_RED_SUBJECT}@${id}`,
            trustProxy: opts.trustProxy,
            logger: log,
          })
        : undefined;
    log.info({ http, partitions }, 'api node running');
    process.stdout.write(
      [
        `citygauge api node ${id}: ${partitions} partitions merged from ${opts.cluster}`,
        `  HTTP API       ${http}/api/indicators   (OpenAPI: ${http}/docs)`,
        ...(red ? redBanner(http, red) : []),
        `  health         ${http}/healthz`,
        adminToken
          ? `  admin token    ${adminToken}   (shown once)`
          : '  admin token    set earlier (CITYGAUGE_ADMIN_TOKEN or printed on first start)',
        adminAccountLine(firstAdminPassword),
        '',
      ].join('\n'),
    );
    const signal = await new Promise<NodeJS.Signals>((resolve) => onStopSignal(resolve));
    log.info({ signal }, 'stopping');
    const { failed } = await stopInOrder(
      [
        { name: 'merge', run: () => node.stop() },
        { name: 'people', run: () => people.store.close() },
        { name: 'indicator change log', run: () => indicatorChanges.close() },
        { name: 'Node-RED', run: () => red?.red.stop() },
        { name: 'browser connections', run: () => shared?.closeWebSockets() },
        { name: 'HTTP server', run: () => closeHttp(api) },
        { name: 'log', run: () => clusterLog.close() },
        { name: 'scorecard store', run: () => scorecard.close() },
        { name: 'registry', run: () => city.close() },
      ],
      log,
    );
    // Node-RED's nodes may hold the event loop: everything of ours is closed, so do not wait for it to drain.
    process.exit(failed.length ? 1 : 0);
  });
}

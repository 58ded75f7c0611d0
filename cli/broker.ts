// `citygauge broker`: the embedded MQTT broker alone (docs/contract.md §5), admitting the devices and service
// accounts registered in --data-dir. SIGHUP re-reads the registry; SIGINT/SIGTERM close cleanly.
import { type Command, Option } from 'commander';
import { startBroker } from '../broker/embedded-broker.js';
import { logHealth } from '../broker/front-door.js';
import { RegistryPolicy } from '../broker/registry-policy.js';
import { ensureServiceTokens } from '../broker/service-accounts.js';
import { followCityOutput } from '../cluster/city-output.js';
import { watchNats } from '../cluster/nats-health.js';
import { shownHost, startNodeHttp } from '../cluster/node-http.js';
import { doorMetrics } from '../cluster/node-metrics.js';
import { addClusterOptions, type ClusterFlags, joinLog } from './cluster-flags.js';
import { type ClusterFrontDoor, joinAsFrontDoor } from './cluster-front-door.js';
import { CliError } from './errors.js';
import { portFlag } from './flags.js';
import { createLogger } from './logger.js';
import { addDbOption, type DbFlag, openRegistryBackend } from './open-registry.js';
import { usePrivateDataDir } from './private-data.js';
import { readTlsPair } from './tls-files.js';

/** The broker prints the ports it listens on, so 0 (a free one) is fine. */
const ANY_PORT = portFlag({ allowZero: true });

interface BrokerCliOptions extends DbFlag {
  host: string;
  mqttPort: number;
  wsPort?: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsPort: number;
  mqttsPort?: number;
  allowAnonymous?: boolean;
  httpPort?: number;
}

export function registerBroker(program: Command): void {
  const cmd = program.command('broker');
  addDbOption(cmd);
  cmd
    .description('run the embedded MQTT broker alone, admitting the devices registered in --data-dir')
    .option('--data-dir <dir>', 'registry with the devices and their credentials', './data')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--mqtt-port <port>', 'MQTT over TCP', ANY_PORT, 1883)
    .option('--ws-port <port>', 'MQTT over WebSocket (off unless given)', ANY_PORT)
    .option('--tls-cert <file>', 'PEM certificate; with --tls-key, also MQTT over TLS')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--tls-port <port>', 'MQTT over TLS', ANY_PORT, 8883)
    .addOption(
      new Option('--mqtts-port <port>', 'the same as --tls-port (the name citygauge start uses)')
        .argParser(ANY_PORT)
        .conflicts('tlsPort'),
    )
    .option(
      '--http-port <port>',
      'serve /healthz and /metrics on this port, on --host (off unless given)',
      ANY_PORT,
    )
    .option('--allow-anonymous', 'DEVELOPMENT ONLY: anyone may connect without credentials and do anything');
  addClusterOptions(cmd).action(async (opts: BrokerCliOptions & ClusterFlags) => {
    const { mqttPort, wsPort } = opts;
    const tls = tlsFiles(opts);
    const log = createLogger('citygauge');
    usePrivateDataDir(opts.dataDir, log);

    const store = await openRegistryBackend(opts, log);
    const credentials = store.credentials();
    const inventory = store.load();
    const policy = new RegistryPolicy(inventory, credentials, { allowAnonymous: opts.allowAnonymous });
    const newTokens = ensureServiceTokens(credentials);
    // Shown only once stored: a token PostgreSQL did not take would open nothing.
    await credentials.written();
    // On a shared PostgreSQL another node's change arrives by itself; SIGHUP re-reads SQLite.
    let front: ClusterFrontDoor | undefined;
    store.onExternalChange?.((inv) => {
      // In a cluster the log hears of the new registry before any device is admitted under it.
      void (front?.updateInventory(inv) ?? Promise.resolve()).then(() => {
        policy.updateInventory(inv);
        log.info(
          { event: 'registry-changed', devices: inv.devices.size },
          'registry changed on another node',
        );
      });
    });
    if (inventory.devices.size === 0) {
      process.stderr.write(
        `note: the registry in ${store.path} has no devices yet: run citygauge import DIR to add some\n`,
      );
    }
    if (opts.allowAnonymous) {
      process.stderr.write(
        `\n${'!'.repeat(78)}\n  --allow-anonymous: ANYONE who can reach this broker may connect, publish and\n` +
          `  subscribe to anything, including other devices' topics. Development only.\n${'!'.repeat(78)}\n\n`,
      );
    }

    const broker = await startBroker({
      policy,
      host: opts.host,
      mqttPort,
      wsPort,
      tls,
      logger: log,
      dataDir: opts.dataDir,
    }).catch(async (err: NodeJS.ErrnoException) => {
      await store.close();
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
        throw new CliError(
          `cannot listen on ${opts.host}: ${err.message}; choose other ports (--mqtt-port, --ws-port, --tls-port)`,
        );
      }
      throw err;
    });

    // A front door of a cluster: device traffic goes to the log, acknowledged once it is there.
    const clusterLog = opts.cluster ? await joinLog(opts, 'front-door', log) : undefined;
    if (clusterLog)
      front = await joinAsFrontDoor(broker.aedes, clusterLog, await clusterLog.partitions(), inventory, log);
    // …and what the city publishes (the API leader's indicators, devices down, alerts) comes back out here.
    const output = clusterLog
      ? followCityOutput(
          clusterLog,
          (topic, payload, retain) =>
            void broker
              .publish(topic, payload, { retain, qos: 1 })
              .catch((err: Error) => log.warn({ topic, err: err.message }, 'city output not delivered')),
          log,
        )
      : undefined;

    let closing = false;
    const http =
      opts.httpPort === undefined
        ? undefined
        : await startNodeHttp({
            host: opts.host,
            port: opts.httpPort,
            logger: log,
            checks: {
              mqtt: () => (closing ? { ok: false, detail: 'the broker is closing' } : { ok: true }),
              ...(clusterLog ? { nats: watchNats(clusterLog.nc, opts.cluster!).check } : {}),
              ...(front ? { log: () => logHealth(front!.door.stats) } : {}),
            },
            registry: doorMetrics({
              broker: () => broker.stats,
              ...(front ? { door: () => front!.door.stats } : {}),
            }),
          }).catch(async (err: NodeJS.ErrnoException) => {
            await broker.close();
            await output?.stop();
            await clusterLog?.close();
            await store.close();
            throw new CliError(
              `cannot serve /healthz on ${opts.host}:${opts.httpPort}: ${err.message}; choose another --http-port`,
            );
          });

    const shown = shownHost(opts.host);
    const lines = [
      `citygauge broker: ${inventory.devices.size.toLocaleString('en')} devices registered in ${store.path}`,
      `  MQTT       mqtt://${shown}:${broker.mqttPort}`,
    ];
    if (broker.wsPort !== undefined) lines.push(`  WebSocket  ws://${shown}:${broker.wsPort}`);
    if (broker.tlsPort !== undefined) lines.push(`  TLS        mqtts://${shown}:${broker.tlsPort}`);
    if (http) lines.push(`  health     http://${shown}:${http.port}/healthz, /metrics`);
    if (shown !== opts.host) lines.push(`  (listening on ${opts.host}: every interface)`);
    for (const [name, token] of Object.entries(newTokens)) {
      lines.push(`  ${name.padEnd(18)} token ${token}   (shown once: the MQTT password of ${name})`);
    }
    if (opts.cluster)
      lines.push(`  front door of the cluster at ${opts.cluster}: device messages go to its log`);
    lines.push('  Devices log in with their id as username and their secret as password.');
    lines.push('  SIGHUP re-reads the registry; Ctrl-C stops.');
    process.stdout.write(`${lines.join('\n')}\n`);

    // SIGHUP: registry changes made by other processes (citygauge import, the HTTP API elsewhere).
    const reload = () => {
      const next = store.load();
      void (front?.updateInventory(next) ?? Promise.resolve()).then(() => {
        policy.updateInventory(next);
        policy.updateCredentials(store.credentials());
        log.info({ event: 'registry-reloaded' }, 'registry re-read');
      });
    };
    process.on('SIGHUP', reload);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        process.off('SIGHUP', reload);
        process.stderr.write('closing the broker\n');
        closing = true;
        void (http?.close() ?? Promise.resolve())
          .then(() => broker.close())
          .then(() => output?.stop())
          .then(() => clusterLog?.close())
          .then(() => store.close())
          .finally(() => resolve());
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    log.info({ stats: { ...broker.stats, refusals: { ...broker.stats.refusals } } }, 'broker stopped');
  });
}

function tlsFiles(opts: BrokerCliOptions): { cert: Buffer; key: Buffer; port: number } | undefined {
  const pair = readTlsPair(opts.tlsCert, opts.tlsKey);
  return pair && { ...pair, port: opts.mqttsPort ?? opts.tlsPort };
}

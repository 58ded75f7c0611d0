// `citygauge engine --mqtt-url URL`: the engine alone, beside any MQTT broker (CONTRACT §5).
import type { Command } from 'commander';
import { CityEngine } from '../engine/city-engine.js';
import { LiveCity } from '../engine/live.js';
import { connectEngineClient, mqttMessages } from '../engine/mqtt-source.js';
import { RegistryStore } from '../registry/store.js';
import { UsageError } from './errors.js';
import { loadCatalogue, loadInventoryStrictly } from './load-city.js';
import { createLogger } from './logger.js';

interface EngineOptions {
  mqttUrl: string;
  dataDir: string;
  inventory?: string;
  username?: string;
  password?: string;
  clientId: string;
  indicators?: string;
}

export function registerEngine(program: Command): void {
  program
    .command('engine')
    .description('run the indicator engine against an MQTT broker (Mosquitto, EMQX, the embedded one)')
    .requiredOption('--mqtt-url <url>', 'broker URL, e.g. mqtt://localhost:1883')
    .option('--data-dir <dir>', 'registry to read devices and assets from', './data')
    .option('--inventory <dir>', 'read the inventory from this folder instead of the registry')
    .option('--username <name>', 'MQTT username (default service:engine)', 'service:engine')
    .option('--password <token>', 'MQTT password (or CITYGAUGE_MQTT_PASSWORD)')
    .option('--client-id <id>', 'MQTT client id of the persistent session', 'citygauge-engine')
    .option('--indicators <file>', 'user-defined indicators (JSON or YAML)')
    .action(async (opts: EngineOptions) => {
      const log = createLogger('engine');
      if (!/^(mqtts?|wss?|tcp):\/\//.test(opts.mqttUrl)) {
        throw new UsageError(
          `--mqtt-url '${opts.mqttUrl}' must start with mqtt://, mqtts://, ws:// or wss://`,
        );
      }
      let inventory = opts.inventory ? await loadInventoryStrictly(opts.inventory) : undefined;
      if (!inventory) {
        const store = RegistryStore.open(opts.dataDir);
        if (store.isEmpty())
          throw new UsageError(
            `the registry in '${opts.dataDir}' is empty: run citygauge import DIR first, or pass --inventory DIR`,
          );
        inventory = store.load();
        store.close();
      }
      const catalogue = loadCatalogue(opts.inventory, opts.indicators);
      const engine = new CityEngine(inventory, catalogue);
      const client = connectEngineClient({
        url: opts.mqttUrl,
        username: opts.username,
        password: opts.password ?? process.env.CITYGAUGE_MQTT_PASSWORD,
        clientId: opts.clientId,
      });
      client.on('connect', () => log.info({ url: opts.mqttUrl }, 'connected to the broker'));
      client.on('error', (err) =>
        log.error({ err: err.message }, 'MQTT error: check --mqtt-url, --username and --password'),
      );
      const live = new LiveCity({
        engine,
        messages$: mqttMessages(client),
        publish: (topic, payload) => client.publish(topic, payload, { retain: true, qos: 1 }),
        meta: new Map(catalogue.map((d) => [d.id, { name: d.name, unit: d.unit }])),
      });
      live.start();
      log.info({ devices: inventory.devices.size, indicators: catalogue.length }, 'engine running');
      await new Promise<void>((resolve) => {
        const stop = () => {
          live.stop();
          client.end(false, {}, () => resolve());
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      log.info({ accepted: engine.accepted, rejected: engine.rejected }, 'engine stopped');
    });
}

// The embedded broker inside `citygauge start`: the registry's policy, kept in step with registry changes,
// and device messages handed to the engine in process, with no network hop.
import type { Logger } from 'pino';
import { startBroker } from '../broker/embedded-broker.js';
import { RegistryPolicy } from '../broker/registry-policy.js';
import { ensureServiceTokens } from '../broker/service-accounts.js';
import type { Registry } from '../registry/registry-service.js';
import type { TlsPair } from './tls-files.js';

export interface CityBrokerOptions {
  registry: Registry;
  mqttPort: number;
  wsPort?: number;
  /** MQTT over TLS on `port` with the city's --tls-cert/--tls-key, beside plain MQTT. */
  tls?: TlsPair & { port: number };
  host: string;
  logger: Logger;
  /** Device traffic only: the engine's own indicators and the alert routes never loop back into it. */
  onPublish: (topic: string, payload: Buffer) => void;
  publishRatePerClient?: number;
  /** Where retained messages are kept across restarts. */
  dataDir?: string;
}

export async function startCityBroker(opts: CityBrokerOptions) {
  const policy = new RegistryPolicy(opts.registry.inventory, opts.registry.credentials);
  const unfollow = opts.registry.onChange((inv) => policy.updateInventory(inv));
  const serviceTokens = ensureServiceTokens(opts.registry.credentials);
  const broker = await startBroker({
    policy,
    host: opts.host,
    mqttPort: opts.mqttPort,
    wsPort: opts.wsPort,
    tls: opts.tls,
    logger: opts.logger,
    publishRatePerClient: opts.publishRatePerClient,
    dataDir: opts.dataDir,
  });
  broker.onPublish((topic, payload) => {
    if (!topic.startsWith('city/indicators/') && !topic.startsWith('city/alerts/'))
      opts.onPublish(topic, payload);
  });
  let open = true;
  return {
    mqttPort: broker.mqttPort,
    wsPort: broker.wsPort,
    tlsPort: broker.tlsPort,
    serviceTokens,
    stats: () => broker.stats,
    listening: () => open,
    /** Drop retained messages whose cause is gone (an indicator or a district): see broker/retained-store.ts. */
    purgeRetained: (reason: (topic: string) => string | undefined) => broker.purgeRetained(reason),
    publish: (topic: string, payload: string) => broker.publish(topic, payload, { retain: true, qos: 1 }),
    /** Events (alerts) are not retained: the alert log and the API hold the current state. */
    publishEvent: (topic: string, payload: string) =>
      broker.publish(topic, payload, { retain: false, qos: 1 }),
    close: async () => {
      open = false;
      unfollow();
      await broker.close();
    },
  };
}

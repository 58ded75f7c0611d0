// The simulated fleet inside `citygauge start`: the sample city's devices as edge agents over real MQTT
// connections to the embedded broker, with tokens issued into the very credential store it checks.
import type { Logger } from 'pino';
import type { Registry } from '../registry/registry-service.js';
import { startFleetFromInventory } from './simulate.js';

export interface CityFleetOptions {
  registry: Registry;
  url: string;
  dataDir: string;
  devices?: number;
  logger: Logger;
}

export async function startCityFleet(opts: CityFleetOptions) {
  const fleet = startFleetFromInventory({
    inventory: opts.registry.inventory,
    credentials: opts.registry.credentials,
    url: opts.url,
    dataDir: opts.dataDir,
    devices: opts.devices,
    logger: opts.logger,
  });
  return {
    devices: fleet.devices,
    connections: fleet.connections,
    stop: async () => {
      await fleet.stop();
    },
  };
}

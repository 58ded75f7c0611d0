// The simulated fleet inside `citygauge start`: the sample city's devices as edge agents over real MQTT
// connections to the embedded broker, with tokens issued into the very credential store it checks. It
// plays only the devices marked simulated (imported by `start` on first start): a device a person
// registered or uploaded is real, and the simulator never speaks for it.
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
    inventory: opts.registry.simulatedInventory(),
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

/** The banner's line: how many devices are simulated, how many are not, and how to turn it off. */
export function simulatedBanner(
  registry: Registry,
  fleet: { devices: number; connections: number } | undefined,
): string {
  const n = (x: number) => x.toLocaleString('en');
  const all = registry.inventory.devices.size;
  if (!fleet) return `  simulated      off (--no-sim): none of the ${n(all)} devices`;
  const real = all - registry.simulatedInventory().devices.size;
  const people = real === 1 ? 'the 1 device a person registered' : `the ${n(real)} devices people registered`;
  return `  simulated      ${n(fleet.devices)} of ${n(all)} devices over ${n(fleet.connections)} MQTT connections${real ? `, not ${people}` : ''}; --no-sim turns the simulation off`;
}

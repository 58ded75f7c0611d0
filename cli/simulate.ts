// `citygauge simulate --broker mqtt://... [--broker ...] [--devices N]`: a fleet of edge agents for the devices
// in the registry, against any MQTT broker (docs/contract.md §5), or several front doors of one city that the devices
// spread over and fail over between (`--url` is the same flag under its first name). The registry keeps only
// digests of device tokens, so the simulator issues new tokens for the devices it runs: the real devices with
// those ids would need new ones too. Run it against a test city, or inside `citygauge start`
// (startFleetFromInventory).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { connectionsFor, devicesIn, Fleet, type FleetDevice, type FleetStats } from '../edge/fleet.js';
import type { EdgeLogger } from '../edge/logger.js';
import { cityTimeZone, type Inventory } from '../registry/inventory.js';
import { REGISTRY_FILE, RegistryStore } from '../registry/store.js';
import { CliError, UsageError } from './errors.js';
import { brokersFlag, MAX_TIMER_S, positiveFlag, SEED_MAX, wholeFlag } from './flags.js';
import { createLogger } from './logger.js';
import { progressBar } from './progress.js';

/** A device to simulate before its token is issued. */
export type SimulatedDevice = Omit<FleetDevice, 'token'>;

/**
 * The devices of `inv` as a fleet, in registry order, one entry per MQTT connection, at most `limit` entries.
 * A camera whose gateway is registered rides in its gateway's entry (all of a gateway's cameras come with it).
 * A bus without a route of its own is given one of the city's routes in turn.
 */
export function fleetDevices(inv: Inventory, limit = Number.POSITIVE_INFINITY): SimulatedDevice[] {
  const camerasOf = new Map<string, { id: string; shared?: boolean }[]>();
  for (const d of inv.devices.values()) {
    if (d.kind !== 'cctv' || !d.gatewayId || inv.devices.get(d.gatewayId)?.kind !== 'cctv-gateway') continue;
    const cameras = camerasOf.get(d.gatewayId) ?? [];
    cameras.push({ id: d.id, shared: sharedAttribute(d.attributes) });
    camerasOf.set(d.gatewayId, cameras);
  }
  const routes = [...inv.routes.keys()];
  let nextRoute = 0;
  const fleet: SimulatedDevice[] = [];
  for (const d of inv.devices.values()) {
    if (fleet.length >= limit) break;
    const base = { id: d.id, kind: d.kind, intervalS: d.expectedIntervalS };
    switch (d.kind) {
      case 'cctv':
        if (d.gatewayId && camerasOf.has(d.gatewayId)) continue; // reported by its gateway
        fleet.push({ ...base, shared: sharedAttribute(d.attributes) });
        break;
      case 'cctv-gateway':
        fleet.push({ ...base, cameras: camerasOf.get(d.id) ?? [] });
        break;
      case 'transit-beacon': {
        const own = d.assetId && inv.routes.has(d.assetId) ? d.assetId : undefined;
        const routeId = own ?? (routes.length > 0 ? routes[nextRoute++ % routes.length] : undefined);
        fleet.push({ ...base, routeId });
        break;
      }
      case 'sensor':
        fleet.push({ ...base, siteClass: d.assetId ? inv.sites.get(d.assetId)?.class : undefined });
        break;
      default:
        fleet.push(base);
    }
  }
  return fleet;
}

/** A `shared` column in devices.csv, when the city keeps one; otherwise the fleet decides. */
function sharedAttribute(attributes: Record<string, string> | undefined): boolean | undefined {
  const v = attributes?.shared?.toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

export interface InventoryFleetOptions {
  inventory: Inventory;
  /**
   * Where the new device tokens are issued. In-process (`citygauge start`) pass the very store the broker
   * authenticates against: a CredentialStore caches digests, and another instance would not see the new ones.
   */
  credentials: { issue(subject: string, type: 'device'): string };
  /** The broker, or several front doors the devices spread over and fail over between. */
  url: string | readonly string[];
  /** Device outboxes go under `<dataDir>/sim-outbox/<deviceId>`. */
  dataDir: string;
  /** Simulate the first N connections' worth of devices (gateways bring their cameras). */
  devices?: number;
  seed?: number;
  speed?: number;
  faults?: boolean;
  logger?: EdgeLogger;
}

/** Issue tokens for the devices of the inventory and start their simulated fleet. */
export function startFleetFromInventory(options: InventoryFleetOptions): Fleet {
  const devices = fleetDevices(options.inventory, options.devices).map((d) => ({
    ...d,
    token: options.credentials.issue(d.id, 'device'),
  }));
  return Fleet.start(devices, {
    url: options.url,
    outboxRoot: join(options.dataDir, 'sim-outbox'),
    seed: options.seed,
    speed: options.speed,
    faults: options.faults,
    logger: options.logger,
    // Buses run 05:00–24:00 in the city's zone, not the machine's.
    timeZone: cityTimeZone(options.inventory.city),
  });
}

interface SimulateOptions {
  url?: string[];
  broker?: string[];
  devices?: number;
  dataDir: string;
  seed: number;
  duration?: number;
  speed: number;
  faults: boolean;
}

const n = (x: number) => x.toLocaleString('en');

function statusLine(s: FleetStats): string {
  const faults = Object.entries(s.faults)
    .filter(([, k]) => k > 0)
    .map(([kind, k]) => `${kind} ${k}`)
    .join(', ');
  return [
    `connected ${n(s.connected)}/${n(s.connections)}`,
    `sent ${n(s.messagesSent)}`,
    `acked ${n(s.messagesAcked)}`,
    `pending ${n(s.pending)}`,
    ...(s.dropped > 0 ? [`dropped ${n(s.dropped)}`] : []),
    `faults ${faults || 'none yet'}`,
  ].join(' · ');
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('run simulated edge devices from the registry against an MQTT broker')
    .option(
      '--broker <url>',
      'the MQTT broker, e.g. mqtt://localhost:1883; repeat it or separate by commas for several front doors, ' +
        'which the devices spread over and fail over between',
      brokersFlag,
    )
    .option('--url <url>', 'the same as --broker', brokersFlag)
    .option(
      '--devices <n>',
      'simulate the first N devices of the registry; a gateway counts once and brings its cameras',
      wholeFlag(1),
    )
    .option('--data-dir <dir>', 'where the registry and the simulated devices’ outboxes live', './data')
    .option('--seed <n>', 'seed of behaviour and faults', wholeFlag(0, SEED_MAX), 42)
    .option('--duration <s>', 'stop after S seconds (default: run until Ctrl-C)', positiveFlag(MAX_TIMER_S))
    .option('--speed <x>', 'run simulated time X times as fast as real time', positiveFlag(1_000_000), 1)
    .option('--no-faults', 'a calm fleet: no outages, flaps, failures or lost video')
    .action(async (opts: SimulateOptions) => {
      const brokers = [...(opts.url ?? []), ...(opts.broker ?? [])];
      if (brokers.length === 0) {
        throw new UsageError(
          'give the broker: --broker mqtt://host:1883 (repeat it for several front doors)',
        );
      }
      const { devices: limit, seed, duration: durationS, speed } = opts;
      if (!existsSync(join(opts.dataDir, REGISTRY_FILE))) {
        throw new CliError(
          `no registry in '${opts.dataDir}': import the city first (citygauge import DIR --data-dir ${opts.dataDir})`,
        );
      }
      const store = await RegistryStore.open(opts.dataDir);
      const inventory = store.load();
      const planned = fleetDevices(inventory, limit);
      if (planned.length === 0) {
        store.close();
        throw new CliError(`the registry in '${opts.dataDir}' has no devices: import the city first`);
      }
      const connections = connectionsFor(planned);
      const devices = devicesIn(planned);
      process.stdout.write(
        `simulating ${n(devices)} devices over ${n(connections)} MQTT connections to ${brokers.join(', ')}` +
          ` (cameras behind a gateway share its connection)\n` +
          `issuing new tokens for ${n(connections)} devices: their earlier tokens stop working\n`,
      );

      const log = createLogger('simulate');
      let fleet: Fleet;
      try {
        fleet = startFleetFromInventory({
          inventory,
          credentials: store.credentials(),
          url: brokers,
          dataDir: opts.dataDir,
          devices: limit,
          seed,
          speed,
          faults: opts.faults,
          logger: log,
        });
      } catch (err) {
        if ((err as { code?: string }).code !== 'ERR_OUTBOX_LOCKED') throw err;
        throw new CliError(
          `another simulator runs on '${opts.dataDir}' (${(err as Error).message}): stop it, or use another --data-dir`,
        );
      } finally {
        store.close();
      }

      const bar = progressBar('connecting', connections);
      let connecting = true;
      const ticker = setInterval(() => {
        const s = fleet.stats();
        if (connecting) {
          bar.update(s.connected);
          if (s.connected < s.connections) return;
          bar.stop();
          connecting = false;
          process.stderr.write(`all ${n(s.connections)} connections up\n`);
        }
      }, 250);
      const report = setInterval(() => process.stderr.write(`${statusLine(fleet.stats())}\n`), 10_000);

      await new Promise<void>((resolve) => {
        const stop = () => {
          process.removeListener('SIGINT', stop);
          process.removeListener('SIGTERM', stop);
          clearTimeout(timer);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const timer = durationS === undefined ? undefined : setTimeout(stop, durationS * 1000);
      });
      clearInterval(ticker);
      clearInterval(report);
      if (connecting) bar.stop();
      process.stderr.write('stopping: every device says offline (Ctrl-C again to leave at once)\n');
      const leaveNow = () => process.exit(130);
      process.once('SIGINT', leaveNow);
      const final = await fleet.stop({ graceful: true });
      process.removeListener('SIGINT', leaveNow);
      process.stdout.write(`${statusLine(final)}\n`);
    });
}

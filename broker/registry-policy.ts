// The registry's broker policy (docs/contract.md §2): username = device id and password = its token; a device
// speaks only for itself (a cctv-gateway also for the cameras whose gateway_id names it) and listens only
// to its own command topics; the engine and Node-RED log in as service accounts (service-accounts.ts).
import type { CredentialStore } from '../registry/credentials.js';
import type { Device, Inventory } from '../registry/inventory.js';
import type { BrokerPolicy, LoginRefusal, Principal } from './policy.js';
import { serviceAccount } from './service-accounts.js';
import { filterWithin, topicMatches } from './topic-filter.js';

export interface RegistryPolicyOptions {
  /** Development only: clients without a username connect and may do anything. */
  allowAnonymous?: boolean;
}

export class RegistryPolicy implements BrokerPolicy {
  readonly allowsAnonymous: boolean;
  private inventory!: Inventory;
  /** gateway id → its cameras; built on first use after each inventory change. */
  private camerasByGateway: Map<string, Set<string>> | undefined;

  constructor(
    inventory: Inventory,
    private credentials: CredentialStore,
    opts: RegistryPolicyOptions = {},
  ) {
    this.allowsAnonymous = opts.allowAnonymous === true;
    this.updateInventory(inventory);
  }

  /**
   * Apply a changed registry without a restart. Rules are decided against the current inventory on every
   * message, so connected devices see the change at once (a camera moved to another gateway, a device removed).
   */
  updateInventory(inventory: Inventory): void {
    this.inventory = inventory;
    this.camerasByGateway = undefined;
  }

  /** Use re-read credentials (e.g. after another process rotated a secret). */
  updateCredentials(credentials: CredentialStore): void {
    this.credentials = credentials;
  }

  /** The address is not part of the registry's rules (the broker rate limits failures per address). */
  authenticate(
    username: string | undefined,
    password: string | undefined,
    _clientAddress?: string,
  ): Principal | LoginRefusal {
    if (!username) return this.allowsAnonymous ? { type: 'anonymous' } : 'unknown-user';
    const type = this.credentials.verify(username, password ?? '');
    if (type === undefined) return this.credentials.has(username) ? 'bad-credentials' : 'unknown-user';
    if (type === 'device') {
      const device = this.inventory.devices.get(username);
      // A secret left behind by a removed device opens nothing.
      return device ? this.devicePrincipal(device) : 'unknown-user';
    }
    const account = type === 'service' ? serviceAccount(username) : undefined;
    // The admin token is for the HTTP API, not for MQTT.
    if (!account) return 'unknown-user';
    return { type: 'service', name: username, read: account.read, write: account.write };
  }

  canPublish(principal: Principal, topic: string): boolean {
    switch (principal.type) {
      case 'anonymous':
        return true;
      case 'service':
        return principal.write.some((f) => topicMatches(f, topic));
      case 'device': {
        const target = deviceTopic(topic);
        if (!target) return false;
        const self = this.inventory.devices.get(principal.id);
        if (!self) return false;
        if (target.id === principal.id) return target.kind === self.kind;
        // docs/contract.md §2: a gateway publishes for the cameras whose gateway_id names it.
        const camera = this.inventory.devices.get(target.id);
        return (
          self.kind === 'cctv-gateway' &&
          target.kind === 'cctv' &&
          camera?.kind === 'cctv' &&
          camera.gatewayId === principal.id
        );
      }
    }
  }

  canSubscribe(principal: Principal, topicFilter: string): boolean {
    switch (principal.type) {
      case 'anonymous':
        return true;
      case 'service':
        return principal.read.some((f) => filterWithin(topicFilter, f));
      case 'device': {
        const self = this.inventory.devices.get(principal.id);
        return self !== undefined && filterWithin(topicFilter, `city/${self.kind}/${self.id}/cmd/#`);
      }
    }
  }

  private devicePrincipal(device: Device): Principal {
    const policy = this;
    return {
      type: 'device',
      id: device.id,
      kind: device.kind,
      // Read live, so it follows updateInventory like the rules do.
      get speaksFor(): ReadonlySet<string> {
        return new Set([device.id, ...(policy.gatewayCameras().get(device.id) ?? [])]);
      },
    };
  }

  private gatewayCameras(): Map<string, Set<string>> {
    if (!this.camerasByGateway) {
      const index = new Map<string, Set<string>>();
      for (const d of this.inventory.devices.values()) {
        if (d.kind !== 'cctv' || !d.gatewayId) continue;
        const cameras = index.get(d.gatewayId);
        if (cameras) cameras.add(d.id);
        else index.set(d.gatewayId, new Set([d.id]));
      }
      this.camerasByGateway = index;
    }
    return this.camerasByGateway;
  }
}

/** `city/<kind>/<id>/<channel...>` → kind and id; undefined for anything else. No allocation but the two slices. */
function deviceTopic(topic: string): { kind: string; id: string } | undefined {
  if (!topic.startsWith('city/')) return undefined;
  const kindEnd = topic.indexOf('/', 5);
  if (kindEnd <= 5) return undefined;
  const idEnd = topic.indexOf('/', kindEnd + 1);
  // A channel level must follow the id: `city/<kind>/<id>` alone is not a device topic.
  if (idEnd <= kindEnd + 1 || idEnd === topic.length - 1) return undefined;
  return { kind: topic.slice(5, kindEnd), id: topic.slice(kindEnd + 1, idEnd) };
}

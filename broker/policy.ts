// The broker's extension point: who a connecting client is, and what it may publish and subscribe to.
// Like aedes' own authenticate / authorizePublish / authorizeSubscribe hooks, the broker stays generic and
// a policy (the registry's, in registry-policy.ts) plugs in. Policies are synchronous: they are asked on
// every message, and everything they need is in memory.
import type { DeviceKind } from '../registry/inventory.js';

export type Principal =
  | {
      type: 'device';
      id: string;
      kind: DeviceKind;
      /** The device ids it may publish for: its own, and for a cctv-gateway its cameras (docs/contract.md §2). */
      readonly speaksFor: ReadonlySet<string>;
    }
  | {
      type: 'service';
      name: string;
      /** Topic filters it may subscribe within. */
      read: string[];
      /** Topic filters it may publish to. */
      write: string[];
    }
  | { type: 'anonymous' };

/** Why a login was refused: the client sees "bad user name or password" for both; logs and stats tell apart. */
export type LoginRefusal = 'bad-credentials' | 'unknown-user';

export interface BrokerPolicy {
  /** True when clients may connect without credentials: the broker warns loudly at start. */
  readonly allowsAnonymous?: boolean;
  authenticate(
    username: string | undefined,
    password: string | undefined,
    clientAddress: string,
  ): Principal | LoginRefusal;
  canPublish(principal: Principal, topic: string): boolean;
  canSubscribe(principal: Principal, topicFilter: string): boolean;
}

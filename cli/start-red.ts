// Node-RED inside `citygauge start` (issue 5): the editor and the dashboard on the API's port, its flows
// talking to this city's broker and API with an account issued for this process, for the person signed in.
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { attemptLimitOf } from '../http/attempt-limit.js';
import { ADMIN_SUBJECT } from '../http/auth.js';
import { whoIsOf } from '../http/identity.js';
import type { People } from '../people/people.js';
import { type EmbeddedRed, startEmbeddedRed } from '../red/embedded-red.js';
import type { SharedServer } from '../red/shared-server.js';
import { EMBEDDED_RED_SUBJECT } from '../registry/credentials.js';
import type { Registry } from '../registry/registry-service.js';
import { connectableHost } from './flags.js';

/** The shipped Node-RED flows (dist/cli/start-red.js → flows/ at the package root). */
export const SHIPPED_FLOWS = fileURLToPath(new URL('../../flows/citygauge.json', import.meta.url));

export interface CityRedOptions {
  server: Server;
  shared: SharedServer;
  registry: Registry;
  dataDir: string;
  /** Where the API and the broker listen. */
  host: string;
  httpPort: number;
  mqttPort: number;
  /** The broker's host, when it is not this process's (an API node's dashboard reads a front door). */
  mqttHost?: string;
  /** Its MQTT account: an API node's is its own (`service:node-red-embedded@<node>`). */
  subject?: string;
  /** The city's people: the dashboard and the editor know the person by their session cookie. */
  people: People;
  /** --trust-proxy, for the editor's attempt limit. */
  trustProxy?: string[];
  logger: Logger;
}

/** Where a signed-out browser is sent (http/ serves it; it takes `?next=`). */
export const SIGN_IN_PATH = '/signin';

export async function startCityRed(o: CityRedOptions): Promise<{ red: EmbeddedRed; signInPath: string }> {
  const isAdminToken = (token: string) => o.registry.credentials.verify(ADMIN_SUBJECT, token) === 'admin';
  const signInPath = SIGN_IN_PATH;
  const self = connectableHost(o.host);
  // Over TLS the flows' http request nodes would have to trust the city's certificate, often self-signed
  // for 127.0.0.1: NODE_EXTRA_CA_CERTS is read only when Node starts (Node-RED runs in this process), and
  // a tls-config node in the shipped flows would need the CA's path in every flow. The flows call the
  // API instead on a plain-HTTP listener on loopback that never leaves this host (shared-server.ts).
  const apiUrl =
    (await o.shared.loopbackUrl()) ?? `http://${self.includes(':') ? `[${self}]` : self}:${o.httpPort}`;
  const red = await startEmbeddedRed({
    server: o.server,
    shared: o.shared,
    dataDir: o.dataDir,
    flowsFile: SHIPPED_FLOWS,
    apiUrl,
    mqttHost: o.mqttHost ?? self,
    mqttPort: o.mqttPort,
    account: {
      username: o.subject ?? EMBEDDED_RED_SUBJECT,
      token: o.registry.credentials.issue(o.subject ?? EMBEDDED_RED_SUBJECT, 'service'),
    },
    whoIs: whoIsOf(o.people),
    signInPath,
    isAdminToken,
    isAdmin: async (name) => {
      const account = await o.people.account(name);
      return account?.role === 'admin' && !account.disabled;
    },
    attempts: attemptLimitOf(o.registry.credentials),
    trustProxy: o.trustProxy,
    logger: o.logger,
  });
  // A sign-out, a person disabled or given another role, or a wall's token revoked closes their open
  // dashboards at once.
  o.people.onAudit.push((entry) => {
    if (entry.action === 'signout' || entry.action === 'token.revoke' || entry.action.startsWith('person.'))
      void red.recheckPeople();
  });
  return { red, signInPath };
}

/** The start banner's lines for Node-RED. */
export function redBanner(http: string, started: { signInPath: string } | undefined): string[] {
  if (!started) return ['  dashboard      off (--no-red)'];
  return [
    `  dashboard      ${http}/dashboard   (sign in: ${http}${started.signInPath})`,
    `  flows editor   ${http}/red   (admins)`,
  ];
}

// MQTT service accounts (issue 3): the engine reads everything and writes indicators, alerts, the
// devices down and the incidents; Node-RED reads everything and writes alerts (acknowledgements from the dashboard). Their
// tokens live in the CredentialStore beside the devices', issued on first start and shown once, like the
// admin token.
// The Node-RED embedded in `citygauge start` has its own account, re-issued at every start and handed to
// it in memory, so no person ever needs to see or copy its token.
import { type CredentialStore, EMBEDDED_RED_SUBJECT } from '../registry/credentials.js';

export const SERVICE_ACCOUNTS: Readonly<Record<string, { read: string[]; write: string[] }>> = {
  'service:engine': {
    read: ['city/#'],
    write: ['city/indicators/#', 'city/alerts/#', 'city/devices/down', 'city/incidents/#'],
  },
  'service:node-red': { read: ['city/#'], write: ['city/alerts/#'] },
  [EMBEDDED_RED_SUBJECT]: { read: ['city/#'], write: ['city/alerts/#'] },
};

/**
 * The account a service username logs in as. `service:node-red-embedded@<node>` is the Node-RED embedded in
 * one API node of a cluster: several share the control plane, and each has its own token.
 */
export function serviceAccount(username: string): { read: string[]; write: string[] } | undefined {
  if (Object.hasOwn(SERVICE_ACCOUNTS, username)) return SERVICE_ACCOUNTS[username];
  return username.startsWith(`${EMBEDDED_RED_SUBJECT}@`) ? SERVICE_ACCOUNTS[EMBEDDED_RED_SUBJECT] : undefined;
}

/** Issue a token to every service account that has none; returns the new ones (username → token) to show once. */
export function ensureServiceTokens(credentials: CredentialStore): Record<string, string> {
  const issued: Record<string, string> = {};
  for (const name of Object.keys(SERVICE_ACCOUNTS)) {
    if (name !== EMBEDDED_RED_SUBJECT && !credentials.has(name))
      issued[name] = credentials.issue(name, 'service');
  }
  return issued;
}

// MQTT service accounts (issue 3): the engine reads everything and writes indicators and alerts;
// Node-RED reads everything and writes alerts (acknowledgements from the dashboard). Their tokens live in
// the CredentialStore beside the devices', issued on first start and shown once, like the admin token.
import type { CredentialStore } from '../registry/credentials.js';

export const SERVICE_ACCOUNTS: Readonly<Record<string, { read: string[]; write: string[] }>> = {
  'service:engine': { read: ['city/#'], write: ['city/indicators/#', 'city/alerts/#'] },
  'service:node-red': { read: ['city/#'], write: ['city/alerts/#'] },
};

/** Issue a token to every service account that has none; returns the new ones (username → token) to show once. */
export function ensureServiceTokens(credentials: CredentialStore): Record<string, string> {
  const issued: Record<string, string> = {};
  for (const name of Object.keys(SERVICE_ACCOUNTS)) {
    if (!credentials.has(name)) issued[name] = credentials.issue(name, 'service');
  }
  return issued;
}

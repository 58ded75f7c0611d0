// The brokers a device may connect to: one or several MQTT front doors of the same city, tried in order.
// A device connects to the first and goes on to the next, wrapping around, when one cannot be reached or
// drops it unacknowledged (agent.ts). Every front door checks the same credentials, so a device logs in to each with its own id and token.

export class BrokerUrlError extends Error {
  readonly code = 'ERR_BROKER_URL';
}

const SCHEMES = new Set(['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:']);

/**
 * The broker list from one URL or several, each of which may itself be a comma-separated list
 * (`--broker a,b --broker c`). Blanks are skipped and repeats kept once; an empty list or a URL that is not
 * mqtt://, mqtts://, ws://, wss:// or tcp:// with a host throws a BrokerUrlError naming it.
 */
export function brokerList(values: string | readonly string[]): string[] {
  const urls: string[] = [];
  for (const value of typeof values === 'string' ? [values] : values) {
    for (const part of value.split(',')) {
      const url = part.trim();
      if (url === '' || urls.includes(url)) continue;
      checkBrokerUrl(url);
      urls.push(url);
    }
  }
  if (urls.length === 0) throw new BrokerUrlError('no broker URL given, e.g. mqtt://localhost:1883');
  return urls;
}

function checkBrokerUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BrokerUrlError(`'${url}' is not a URL: give mqtt://host:port, mqtts://, ws:// or wss://`);
  }
  if (!SCHEMES.has(parsed.protocol) || parsed.hostname === '') {
    throw new BrokerUrlError(
      `a broker is an mqtt://, mqtts://, ws:// or wss:// address with a host, got '${url}'`,
    );
  }
  // MQTT.js would log every device in as this user: a device logs in with its own id and token only.
  if (parsed.username !== '' || parsed.password !== '') {
    throw new BrokerUrlError(
      `'${url}' carries a user name or password: remove it, each device logs in with its own id and token`,
    );
  }
}

/** The list starting at its `by`-th entry (wrapping), so a fleet spreads its first connections. */
export function rotated<T>(list: readonly T[], by: number): T[] {
  if (list.length === 0) return [];
  const k = ((by % list.length) + list.length) % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

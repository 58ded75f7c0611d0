// Where a device connects, as the HTTP API tells it (registration, secret rotation, /asyncapi.json): the
// broker's listeners with the name devices reach them by. citygauge has no setting for its public name, so
// unless the process was given one it is the name the request was addressed to (the Host header, or
// X-Forwarded-Host behind a trusted proxy): whoever registers a device reached this server by that name,
// and the embedded broker listens on the same address as the HTTP API.
import type { BrokerServer } from '../engine/asyncapi.js';
import type { DeviceKind } from '../registry/inventory.js';

/** The broker's listeners devices connect to; each port absent when that listener is off. */
export interface DeviceBroker {
  /** The name devices reach the broker by; absent: the name the HTTP request was addressed to. */
  host?: string;
  mqttPort?: number;
  tlsPort?: number;
  wsPort?: number;
  /** MQTT over WebSocket with TLS (a front door behind a TLS proxy): told as wss://. */
  wssPort?: number;
  /** The WebSocket listeners' path (`/mqtt`), when they have one. */
  wsPath?: string;
}

export interface DeviceConnection {
  /** The broker URL: MQTT over TLS when the broker serves it, else MQTT over TCP, else over WebSocket. */
  url: string;
  username: string;
  clientId: string;
  /** Everything the device publishes starts with this; a gateway also publishes under its cameras' ids. */
  topicPrefix: string;
}

/** A name fit for a URL's host: a DNS name, an IPv4 address or a bracketed IPv6 one. */
const HOST_NAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])$/;

/** The host devices are told; a Host header that is no host name (or none) gives `localhost`. */
export function advertisedHost(broker: DeviceBroker, requestHostname: string): string {
  const host = broker.host ?? requestHostname;
  if (host.includes(':') && !host.startsWith('[')) return `[${host}]`;
  return HOST_NAME.test(host) ? host : 'localhost';
}

/** The broker's listeners as AsyncAPI servers, named by scheme; TLS ones first, as devices should prefer them. */
export function brokerServers(broker: DeviceBroker, requestHostname: string): Record<string, BrokerServer> {
  const host = advertisedHost(broker, requestHostname);
  const servers: Record<string, BrokerServer> = {};
  if (broker.tlsPort !== undefined)
    servers.mqtts = { host: `${host}:${broker.tlsPort}`, protocol: 'secure-mqtt' };
  const path = broker.wsPath ? { pathname: broker.wsPath } : {};
  if (broker.wssPort !== undefined)
    servers.wss = { host: `${host}:${broker.wssPort}`, protocol: 'wss', ...path };
  if (broker.mqttPort !== undefined) servers.mqtt = { host: `${host}:${broker.mqttPort}`, protocol: 'mqtt' };
  if (broker.wsPort !== undefined) servers.ws = { host: `${host}:${broker.wsPort}`, protocol: 'ws', ...path };
  return servers;
}

const SCHEME: Record<BrokerServer['protocol'], string> = {
  'secure-mqtt': 'mqtts',
  mqtt: 'mqtt',
  ws: 'ws',
  wss: 'wss',
};

/** How one device connects; undefined when the broker has no listener this process knows of. */
export function deviceConnection(
  device: { id: string; kind: DeviceKind },
  broker: DeviceBroker,
  requestHostname: string,
): DeviceConnection | undefined {
  // The first listed is the one to prefer: TLS when there is one.
  const [server] = Object.values(brokerServers(broker, requestHostname));
  if (!server) return undefined;
  return {
    url: `${SCHEME[server.protocol]}://${server.host}${server.pathname ?? ''}`,
    username: device.id,
    clientId: device.id,
    topicPrefix: `city/${device.kind}/${device.id}/`,
  };
}

const LOOPBACK_OR_ANY = /^(?:localhost|127(?:\.\d+){3}|\[::1?\]|0\.0\.0\.0|)$/;
const DEFAULT_PORT: Record<string, [keyof DeviceBroker, number]> = {
  'mqtt:': ['mqttPort', 1883],
  'tcp:': ['mqttPort', 1883],
  'mqtts:': ['tlsPort', 8883],
  'ws:': ['wsPort', 80],
  'wss:': ['wssPort', 443],
};

/**
 * The broker an MQTT URL names (`citygauge engine --mqtt-url`), as devices are told it: a loopback or
 * wildcard host is this machine's, so they are given the name the HTTP request reached it by instead.
 */
export function brokerOfUrl(url: string): DeviceBroker {
  const u = new URL(url);
  const [field, port] = DEFAULT_PORT[u.protocol] ?? ['mqttPort', 1883];
  const ws = field === 'wsPort' || field === 'wssPort';
  return {
    ...(LOOPBACK_OR_ANY.test(u.hostname) ? {} : { host: u.hostname }),
    [field]: u.port ? Number(u.port) : port,
    ...(ws && u.pathname !== '/' && u.pathname !== '' ? { wsPath: u.pathname } : {}),
  };
}

/**
 * The broker given as one or more URLs of its listeners (`citygauge api --device-broker mqtts://mqtt.city:8883
 * mqtt://mqtt.city:1883`): what devices are told. Throws naming the fix when one is no MQTT URL.
 */
export function brokerOfUrls(urls: string[]): DeviceBroker {
  const broker: DeviceBroker = {};
  for (const url of urls) {
    let u: URL | undefined;
    try {
      u = new URL(url);
    } catch {}
    if (!u || !DEFAULT_PORT[u.protocol])
      throw new Error(
        `'${url}' is not a broker URL: write mqtts://host:8883, mqtt://host:1883 or wss://host/mqtt`,
      );
    const one = brokerOfUrl(url);
    Object.assign(broker, one, { host: broker.host ?? one.host });
    if (broker.host === undefined) delete broker.host;
  }
  return broker;
}

// A real broker on a free loopback port for the broker tests: a small registered city, tokens for every
// device and service account, and the broker's log captured so tests can wait for a refusal to be logged.
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { type BrokerHandle, type BrokerOptions, startBroker } from '../../broker/embedded-broker.js';
import { RegistryPolicy } from '../../broker/registry-policy.js';
import type { Inventory } from '../../registry/inventory.js';
import { RegistryStore } from '../../registry/store.js';
import { type CitySpec, makeInventory } from '../support/city.js';
import { tempDir } from '../support/tmp.js';

export const CITY: CitySpec = {
  areas: [{ id: 'plaza', class: 'key-public', district: 'north' }],
  pipes: [{ id: 'seg-1', lengthM: 100, district: 'north' }],
  devices: [
    { id: 'pm-1', kind: 'pipe-monitor', assetId: 'seg-1' },
    { id: 'pm-2', kind: 'pipe-monitor', assetId: 'seg-1' },
    { id: 's-1', kind: 'sensor' },
    { id: 's-2', kind: 'sensor' },
    { id: 's-3', kind: 'sensor' },
    { id: 's-4', kind: 'sensor' },
    { id: 'gw-1', kind: 'cctv-gateway' },
    { id: 'gw-2', kind: 'cctv-gateway' },
    { id: 'cam-1', kind: 'cctv', assetId: 'plaza', gatewayId: 'gw-1' },
    { id: 'cam-2', kind: 'cctv', assetId: 'plaza', gatewayId: 'gw-1' },
    { id: 'cam-9', kind: 'cctv', assetId: 'plaza', gatewayId: 'gw-2' },
  ],
};

export interface LogLine {
  level: number;
  msg?: string;
  event?: string;
  reason?: string;
  clientId?: string;
  address?: string;
  username?: string;
  topic?: string;
  [key: string]: unknown;
}

export interface TestBroker {
  broker: BrokerHandle;
  policy: RegistryPolicy;
  inventory: Inventory;
  url: string;
  /** Tokens by username (device ids, service:engine, service:node-red, and `ghost`, a removed device). */
  tokens: Record<string, string>;
  logs: LogLine[];
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** A connected mqtt.js client as `username` with its own token, unless options say otherwise. */
  connect(username: string | undefined, options?: IClientOptions, url?: string): Promise<MqttClient>;
  close(): Promise<void>;
}

export async function startTestBroker(
  options: Partial<BrokerOptions> & { allowAnonymous?: boolean } = {},
  spec: CitySpec = CITY,
): Promise<TestBroker> {
  const store = await RegistryStore.open(tempDir('citygauge-broker-'));
  const credentials = store.credentials();
  const inventory = makeInventory(spec);
  const tokens: Record<string, string> = {};
  for (const id of inventory.devices.keys()) tokens[id] = credentials.issue(id, 'device');
  for (const name of ['service:engine', 'service:node-red'])
    tokens[name] = credentials.issue(name, 'service');
  tokens.ghost = credentials.issue('ghost', 'device');

  const logs: LogLine[] = [];
  const logged = new EventEmitter();
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const text of String(chunk).split('\n')) {
        if (!text) continue;
        const line = JSON.parse(text) as LogLine;
        logs.push(line);
        logged.emit('line', line);
      }
      done();
    },
  });
  const policy = new RegistryPolicy(inventory, credentials, { allowAnonymous: options.allowAnonymous });
  const broker = await startBroker({
    host: '127.0.0.1',
    mqttPort: 0,
    logger: pino({ level: 'debug' }, sink),
    ...options,
    policy,
  });
  const url = `mqtt://127.0.0.1:${broker.mqttPort}`;
  const clients = new Set<MqttClient>();

  return {
    broker,
    policy,
    inventory,
    url,
    tokens,
    logs,
    waitForLog: (match, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const seen = logs.find(match);
        if (seen) return resolve(seen);
        const timer = setTimeout(() => {
          logged.off('line', onLine);
          reject(new Error(`no matching broker log line in ${timeoutMs} ms`));
        }, timeoutMs);
        const onLine = (line: LogLine) => {
          if (!match(line)) return;
          clearTimeout(timer);
          logged.off('line', onLine);
          resolve(line);
        };
        logged.on('line', onLine);
      }),
    connect: async (username, opts = {}, to = url) => {
      const client = await connectClient(to, {
        clientId: username,
        username,
        password: username ? tokens[username] : undefined,
        ...opts,
      });
      clients.add(client);
      return client;
    },
    close: async () => {
      for (const c of clients) c.end(true);
      await broker.close();
      store.close();
    },
  };
}

/** Resolves with the client once connected; rejects with the broker's refusal (CONNACK) or a close. */
export function connectClient(url: string, opts: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    const fail = (err: Error) => {
      client.end(true);
      reject(err);
    };
    client.once('connect', () => {
      client.off('error', fail);
      resolve(client);
    });
    client.once('error', fail);
    client.once('close', () => fail(new Error('closed before CONNACK')));
  });
}

/** The next publish the broker routes in process that matches, within timeoutMs. */
export function nextPublish(
  broker: BrokerHandle,
  match: (topic: string, payload: Buffer, clientId: string) => boolean,
  timeoutMs = 5000,
): Promise<{ topic: string; payload: Buffer; clientId: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching publish in ${timeoutMs} ms`));
    }, timeoutMs);
    const off = broker.onPublish((topic, payload, clientId) => {
      if (!match(topic, payload, clientId)) return;
      clearTimeout(timer);
      off();
      resolve({ topic, payload, clientId });
    });
  });
}

/** Resolves when the client's connection closes, rejects if it stays open for timeoutMs. */
export function closed(client: MqttClient, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected) return resolve();
    const timer = setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The QoS granted per filter, 0x80 (128) for a refused one: mqtt.js rejects on any 0x80, so read the SUBACK. */
export async function grantedQos(client: MqttClient, filters: string[], qos: 0 | 1 = 1): Promise<number[]> {
  try {
    return (await client.subscribeAsync(filters, { qos })).map((g) => g.qos);
  } catch (err) {
    const granted = (err as { packet?: { granted?: number[] } }).packet?.granted;
    if (granted) return granted;
    throw err;
  }
}

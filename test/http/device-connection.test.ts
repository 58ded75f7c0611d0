// A device registered through the API is told where and as whom to connect, beside its one-time secret,
// and those details open a session on the city's broker; /asyncapi.json, public, names the same broker.
import { Parser } from '@asyncapi/parser';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCityBroker } from '../../cli/start-broker.js';
import { asyncApiDocument } from '../../engine/asyncapi.js';
import {
  advertisedHost,
  brokerOfUrl,
  brokerOfUrls,
  brokerServers,
  type DeviceBroker,
  deviceConnection,
} from '../../http/device-connection.js';
import { type FullApi, fullApi } from '../support/full-api.js';
import { waitFor } from '../support/wait.js';

let api: FullApi;
let broker: Awaited<ReturnType<typeof startCityBroker>>;
const heard: { topic: string; payload: string }[] = [];
/** Filled in once the broker listens: the API reads it per request. */
const deviceBroker: DeviceBroker = {};

beforeAll(async () => {
  api = await fullApi({ deviceBroker });
  broker = await startCityBroker({
    registry: api.registry,
    mqttPort: 0,
    host: '127.0.0.1',
    logger: pino({ level: 'silent' }),
    onPublish: (topic, payload) => heard.push({ topic, payload: payload.toString() }),
  });
  deviceBroker.mqttPort = broker.mqttPort;
});
afterAll(async () => {
  await broker?.close();
  await api?.close();
});

const post = (url: string, host: string, payload?: unknown) =>
  api.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${api.adminToken}`, host },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

describe("a device's connection details", () => {
  it('come with the secret on registration, and open a session that may publish under the prefix', async () => {
    const r = await post('/api/devices', '127.0.0.1:8080', {
      id: 'pm-9',
      kind: 'pipe-monitor',
      assetId: 'p1',
    });
    expect(r.statusCode).toBe(201);
    const { secret, connection } = r.json();
    expect(connection).toEqual({
      url: `mqtt://127.0.0.1:${broker.mqttPort}`,
      username: 'pm-9',
      clientId: 'pm-9',
      topicPrefix: 'city/pipe-monitor/pm-9/',
    });

    const device = await mqtt.connectAsync(connection.url, {
      username: connection.username,
      clientId: connection.clientId,
      password: secret,
      reconnectPeriod: 0,
    });
    try {
      const reading = { ts: Date.now(), pressureKPa: 400, flowLps: 12, leak: false };
      await device.publishAsync(`${connection.topicPrefix}telemetry`, JSON.stringify(reading), { qos: 1 });
      const got = await waitFor('the reading at the broker', () =>
        heard.find((m) => m.topic === 'city/pipe-monitor/pm-9/telemetry'),
      );
      expect(JSON.parse(got.payload)).toEqual(reading);
    } finally {
      await device.endAsync();
    }
  });

  it('come with a rotated secret too, under the name the request reached the server by', async () => {
    const r = await post('/api/devices/cam-3/secret', 'city.example:8080');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      id: 'cam-3',
      secret: expect.any(String),
      connection: {
        url: `mqtt://city.example:${broker.mqttPort}`,
        username: 'cam-3',
        clientId: 'cam-3',
        topicPrefix: 'city/cctv/cam-3/',
      },
    });
  });

  it('name the TLS listener when the broker has one, and a configured host over the Host header', async () => {
    const withTls = await fullApi({
      deviceBroker: { host: 'mqtt.city.example', mqttPort: 1883, tlsPort: 8883 },
    });
    try {
      const r = await withTls.app.inject({
        method: 'POST',
        url: '/api/devices/pm-1/secret',
        headers: { authorization: `Bearer ${withTls.adminToken}`, host: 'api.city.example' },
      });
      expect(r.json().connection.url).toBe('mqtts://mqtt.city.example:8883');
    } finally {
      await withTls.close();
    }
  });

  it('name the host a trusted proxy was asked for, and ignore it from anyone else', async () => {
    const proxied = await fullApi({ deviceBroker: { mqttPort: 1883 }, trustProxy: ['127.0.0.1'] });
    try {
      const rotate = (remoteAddress: string) =>
        proxied.app.inject({
          method: 'POST',
          url: '/api/devices/pm-1/secret',
          remoteAddress,
          headers: {
            authorization: `Bearer ${proxied.adminToken}`,
            host: '10.0.0.5:8080',
            'x-forwarded-host': 'city.example.org',
          },
        });
      expect((await rotate('127.0.0.1')).json().connection.url).toBe('mqtt://city.example.org:1883');
      expect((await rotate('192.0.2.9')).json().connection.url).toBe('mqtt://10.0.0.5:1883');
    } finally {
      await proxied.close();
    }
  });

  it('are left out where the server does not know the broker', async () => {
    const bare = await fullApi({ deviceBroker: undefined });
    try {
      const r = await bare.app.inject({
        method: 'POST',
        url: '/api/devices/pm-1/secret',
        headers: { authorization: `Bearer ${bare.adminToken}` },
      });
      expect(r.statusCode).toBe(200);
      expect(r.json()).not.toHaveProperty('connection');
      expect((await bare.app.inject('/asyncapi.json')).json()).not.toHaveProperty('servers');
    } finally {
      await bare.close();
    }
  });
});

describe('GET /asyncapi.json', () => {
  it('is public, valid AsyncAPI 3.0, and names the broker as the request reached the server', async () => {
    const r = await api.app.inject({ url: '/asyncapi.json', headers: { host: 'city.example:8080' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const doc = r.json();
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.servers).toEqual({
      mqtt: expect.objectContaining({ host: `city.example:${broker.mqttPort}`, protocol: 'mqtt' }),
    });
    const errors = (await new Parser().validate(doc)).filter((d) => d.severity === 0);
    expect(errors).toEqual([]);
  });

  it('is listed in the OpenAPI document', async () => {
    const openapi = (await api.app.inject('/docs/json')).json();
    expect(openapi.paths['/asyncapi.json'].get.summary).toMatch(/AsyncAPI 3\.0/);
  });
});

describe('the broker as devices are told it', () => {
  it("is an engine's --mqtt-url, with this machine's name where the URL says loopback or any address", () => {
    expect(brokerOfUrl('mqtts://broker.city.example:8884')).toEqual({
      host: 'broker.city.example',
      tlsPort: 8884,
    });
    expect(brokerOfUrl('mqtt://127.0.0.1:1884')).toEqual({ mqttPort: 1884 });
    expect(brokerOfUrl('mqtt://localhost')).toEqual({ mqttPort: 1883 });
    expect(brokerOfUrl('ws://[::1]:8083')).toEqual({ wsPort: 8083 });
    expect(brokerOfUrl('mqtt://0.0.0.0:1883')).toEqual({ mqttPort: 1883 });
  });

  it("is an API node's --device-broker listeners, TLS told first, and a URL that is none is refused", () => {
    const broker = brokerOfUrls(['mqtt://mqtt.city.example:1883', 'mqtts://mqtt.city.example:8883']);
    expect(broker).toEqual({ host: 'mqtt.city.example', mqttPort: 1883, tlsPort: 8883 });
    expect(deviceConnection({ id: 'cam-7', kind: 'cctv' }, broker, '10.0.0.5')?.url).toBe(
      'mqtts://mqtt.city.example:8883',
    );
    expect(() => brokerOfUrls(['http://mqtt.city.example'])).toThrow(
      /'http:\/\/mqtt.city.example' is not a broker URL: write mqtts:\/\/host:8883/,
    );
    expect(() => brokerOfUrls(['door-1:1883'])).toThrow(/not a broker URL/);
  });

  it('is told as wss:// with its path when the front doors are reached over WebSocket and TLS', async () => {
    const broker = brokerOfUrls(['wss://mqtt.city.example/mqtt', 'mqtt://mqtt.city.example:1883']);
    expect(broker).toEqual({ host: 'mqtt.city.example', wssPort: 443, wsPath: '/mqtt', mqttPort: 1883 });
    expect(deviceConnection({ id: 'cam-7', kind: 'cctv' }, broker, '10.0.0.5')?.url).toBe(
      'wss://mqtt.city.example:443/mqtt',
    );
    const doc = asyncApiDocument({ version: '0.1.0', servers: brokerServers(broker, '10.0.0.5') });
    expect(doc.servers).toMatchObject({
      wss: { host: 'mqtt.city.example:443', pathname: '/mqtt', protocol: 'wss' },
      mqtt: { host: 'mqtt.city.example:1883', protocol: 'mqtt' },
    });
    expect((await new Parser().validate(doc as never)).filter((d) => d.severity === 0)).toEqual([]);
  });

  it('is a plain host name, whatever the Host header carries', () => {
    expect(advertisedHost({}, 'city.example')).toBe('city.example');
    expect(advertisedHost({}, '[::1]')).toBe('[::1]');
    expect(advertisedHost({ host: 'fd00::7' }, 'city.example')).toBe('[fd00::7]');
    expect(advertisedHost({}, 'evil.example/@x')).toBe('localhost');
    expect(advertisedHost({}, '')).toBe('localhost');
  });
});

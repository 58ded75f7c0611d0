// How a device opens its MQTT session (docs/contract.md §2): its id as client id and username, its token as
// password, and a Last Will that says offline (retained, QoS 1) on its status topic when the connection
// dies without a DISCONNECT.
import type { IClientOptions } from 'mqtt';
import { type DeviceRef, LAST_WILL_PAYLOAD, topicOf } from './wire.js';

export interface SessionOptions {
  /** MQTT keep-alive: the broker publishes the Last Will after 1.5× this of silence; default 30 s. */
  keepaliveS?: number;
  protocolVersion?: 4 | 5;
}

export function deviceSession(
  device: DeviceRef,
  token: string,
  options: SessionOptions = {},
): IClientOptions {
  return {
    clientId: device.id,
    username: device.id,
    password: token,
    // The device's memory is its outbox; a persistent broker session would only queue commands for it.
    clean: true,
    keepalive: options.keepaliveS ?? 30,
    protocolVersion: options.protocolVersion ?? 4,
    // Reconnects are the agent's, with jittered backoff; MQTT.js's fixed period would bring a thousand
    // devices back in lockstep after a broker restart.
    reconnectPeriod: 0,
    // MQTT.js waits 30 s for a CONNACK; a broker cuts a CONNECT that takes over 10 s anyway, and a device
    // with other brokers to try should not wait on a host that went dark for longer than that.
    connectTimeout: 10_000,
    queueQoSZero: false,
    // Listeners first, then connect.
    manualConnect: true,
    will: { topic: topicOf(device, 'status'), payload: Buffer.from(LAST_WILL_PAYLOAD), qos: 1, retain: true },
  };
}

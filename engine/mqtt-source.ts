// The engine's MQTT consumer: any MQTT 3.1.1/5 broker (embedded aedes, Mosquitto, EMQX). A persistent
// session (clean session off) with QoS 1 subscriptions, so the broker keeps what arrives while the engine
// is away and nothing is lost across a reconnect.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { Observable } from 'rxjs';
import { DEVICE_KINDS } from '../registry/inventory.js';
import type { RawMessage } from './pipeline.js';

/** Device traffic only: `city/<kind>/<id>/<channel>` per kind, never the engine's own `city/indicators/...`. */
export const DEVICE_TOPIC_FILTERS = DEVICE_KINDS.map((k) => `city/${k}/+/+`);

export interface EngineMqttOptions {
  url: string;
  username?: string;
  password?: string;
  /** The session's identity: keep it stable, or the broker cannot keep the session across restarts. */
  clientId?: string;
}

export function connectEngineClient(opts: EngineMqttOptions): MqttClient {
  const options: IClientOptions = {
    clientId: opts.clientId ?? 'citygauge-engine',
    clean: false,
    username: opts.username,
    password: opts.password,
    reconnectPeriod: 1000,
    protocolVersion: 4,
  };
  return mqtt.connect(opts.url, options);
}

/** Every device message the client receives; subscribes (again) on each connect that lost the session. */
export function mqttMessages(
  client: MqttClient,
  filters: readonly string[] = DEVICE_TOPIC_FILTERS,
): Observable<RawMessage> {
  return new Observable<RawMessage>((subscriber) => {
    const onMessage = (topic: string, payload: Buffer) => subscriber.next({ topic, payload });
    const onConnect = (ack: { sessionPresent?: boolean }) => {
      if (!ack.sessionPresent) client.subscribe([...filters], { qos: 1 });
    };
    client.on('message', onMessage);
    client.on('connect', onConnect);
    if (client.connected) client.subscribe([...filters], { qos: 1 });
    return () => {
      client.off('message', onMessage);
      client.off('connect', onConnect);
    };
  });
}

// A gate in front of aedes on each connection, on aedes 1.2.0 internals (checked when attached):
// - packets longer than the limit are refused from their fixed header, before their body is buffered
//   (mqtt-packet has no size limit and would buffer up to 256 MB); the connection is closed.
// - every PUBLISH passes `admitPublish` before aedes sees it, so a refused one can be dropped without
//   closing the connection, which aedes' authorizePublish cannot do (an error there disconnects). MQTT 3.1.1
//   §3.3.5 allows acknowledging a refused PUBLISH as if delivered, so QoS 1/2 ones are acknowledged here.
import type { Client } from 'aedes';

export interface InboundPublish {
  cmd: 'publish';
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  messageId?: number;
}

export interface ConnectionGate {
  /** Largest MQTT packet (remaining length) accepted on this connection. */
  maxPacketBytes: number;
  /** false drops the publish. */
  admitPublish(packet: InboundPublish): boolean;
  onPacketTooLarge(cmd: string, bytes: number): void;
}

interface MqttParser {
  packet: { cmd: string; length: number };
  _parseLength(): boolean;
  _emitError(err: Error): void;
  listeners(event: 'packet'): Array<(this: MqttParser, packet: { cmd: string }) => void>;
  removeListener(event: 'packet', fn: (this: MqttParser, packet: { cmd: string }) => void): void;
  on(event: 'packet', fn: (this: MqttParser, packet: { cmd: string }) => void): void;
}

export class BrokerInternalsError extends Error {
  readonly code = 'ERR_BROKER_AEDES_INTERNALS';
}

const PUBACK = 0x40;
const PUBREC = 0x50;

export function gateConnection(client: Client, gate: ConnectionGate): void {
  const parser = (client as unknown as { _parser?: MqttParser })._parser;
  const handlers = parser?.listeners('packet');
  if (!parser || typeof parser._parseLength !== 'function' || handlers?.length !== 1) {
    throw new BrokerInternalsError(
      'aedes client internals changed (expected _parser with _parseLength and one packet listener): ' +
        're-check broker/client-gate.ts and docs/broker.md against the installed aedes',
    );
  }
  const parseLength = parser._parseLength;
  parser._parseLength = function parseLengthWithLimit(this: MqttParser): boolean {
    const complete = parseLength.call(this);
    if (complete && this.packet.length > gate.maxPacketBytes) {
      gate.onPacketTooLarge(this.packet.cmd, this.packet.length);
      this._emitError(new Error(`packet of ${this.packet.length} bytes is over the broker's limit`));
      return false;
    }
    return complete;
  };

  const enqueue = handlers[0];
  parser.removeListener('packet', enqueue);
  parser.on('packet', function gatePacket(this: MqttParser, packet) {
    if (packet.cmd !== 'publish') return enqueue.call(this, packet);
    const publish = packet as InboundPublish;
    if (gate.admitPublish(publish)) return enqueue.call(this, packet);
    if (publish.qos !== 0 && publish.messageId !== undefined)
      acknowledge(client, publish.qos, publish.messageId);
  });
}

function acknowledge(client: Client, qos: 1 | 2, messageId: number): void {
  const conn = client.conn;
  if (conn.destroyed || !conn.writable) return;
  // PUBACK / PUBREC: fixed header, remaining length 2, packet id. The client's PUBREL for a PUBREC
  // reaches aedes, which answers PUBCOMP for ids it does not hold.
  conn.write(Buffer.from([qos === 1 ? PUBACK : PUBREC, 2, messageId >> 8, messageId & 0xff]));
}

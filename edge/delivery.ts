// Delivery of a device's outbox over its current MQTT connection: pending messages go out oldest first, QoS 1,
// at most `maxInflight` waiting for their PUBACK; a PUBACK removes the message from the outbox.
//
// The outbox, not MQTT.js, owns redelivery. MQTT.js would resend its in-flight messages after a reconnect,
// but only from memory (gone after a restart) and interleaved with what is published meanwhile. So when a
// connection closes we take our in-flight messages back from MQTT.js, and on the next connection send
// everything pending again from the oldest, in seq order. A message the broker got but whose PUBACK was
// lost is then sent twice with the same seq — a redelivery the engine drops (docs/contract.md §3).
import type mqtt from 'mqtt';
import type { Outbox, OutboxEntry } from './outbox.js';

export interface DeliveryEvents {
  /** A message went out on the wire (a sign of life of the device on its topic). */
  sent(entry: OutboxEntry): void;
  /** The broker has it (or refused it for good); it has left the outbox. */
  settled(seq: number, refusal?: Error): void;
  /** The outbox could not record an acknowledgement (the message may be sent again later). */
  failed(what: string, err: unknown): void;
}

export class Delivery {
  published = 0;
  acked = 0;
  refused = 0;
  private client: mqtt.MqttClient | undefined;
  /** seq → MQTT message id, for what the current connection has not acknowledged yet. */
  private readonly inflight = new Map<number, number>();
  /** The newest seq handed to the current connection; everything pending above it is still to send. */
  private handedUpTo = 0;
  /** Bumped on every close, so late callbacks of an old connection change nothing. */
  private generation = 0;

  constructor(
    private readonly outbox: Outbox,
    private readonly maxInflight: number,
    private readonly events: DeliveryEvents,
  ) {}

  get inflightCount(): number {
    return this.inflight.size;
  }

  /** A connection is up: start sending from the oldest pending message. */
  connected(client: mqtt.MqttClient): void {
    this.client = client;
    this.pump();
  }

  /** The connection closed: take in-flight messages back from MQTT.js; they go again on the next one. */
  disconnected(): void {
    const client = this.client;
    this.client = undefined;
    this.generation++;
    const ids = [...this.inflight.values()];
    this.inflight.clear();
    this.handedUpTo = 0;
    for (const id of ids) client?.removeOutgoingMessage(id);
  }

  /** Send what is pending, oldest first, while the window has room. */
  pump(): void {
    if (!this.client) return;
    for (const entry of this.outbox.pending()) {
      if (this.inflight.size >= this.maxInflight) return;
      if (entry.seq > this.handedUpTo) this.send(this.client, entry);
    }
  }

  private send(client: mqtt.MqttClient, entry: OutboxEntry): void {
    const generation = this.generation;
    client.publish(entry.topic, entry.payload, { qos: 1, retain: entry.retain }, (err) =>
      this.onPuback(generation, entry.seq, err),
    );
    this.inflight.set(entry.seq, client.getLastMessageId());
    this.handedUpTo = entry.seq;
    this.published++;
    this.events.sent(entry);
  }

  private onPuback(
    generation: number,
    seq: number,
    err: (Error & { code?: unknown }) | null | undefined,
  ): void {
    if (generation !== this.generation) return; // a closed connection's message: resent from the outbox
    // MQTT.js reports a PUBACK reason code (MQTT 5) as an error with a numeric code: the broker refused the
    // message, and resending cannot help. Other errors mean the connection went away.
    const refusal = err != null && typeof err.code === 'number' ? err : undefined;
    if (err && !refusal) return;
    this.inflight.delete(seq);
    if (refusal) this.refused++;
    else this.acked++;
    try {
      this.outbox.ack(seq);
    } catch (e) {
      this.events.failed('acknowledgement', e);
    }
    this.events.settled(seq, refusal);
    this.pump();
  }
}

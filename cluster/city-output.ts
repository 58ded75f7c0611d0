// What the city publishes over MQTT (`city/indicators/#`, `city/devices/down`, `city/alerts/#`), in a cluster:
// every API node computes it from the same merge, only the leader sends it, into stream CITYGAUGE_OUT, and
// every front door hands it to its MQTT subscribers (followCityOutput). Stream CITYGAUGE_OUT keeps each
// retained topic's last message, so a front door that starts later still has the current values to retain;
// events go through CITYGAUGE_EVENTS, read live.
//
// A new leader sends every retained value again (the stream keeps one per topic, so nothing doubles) and the
// events of the last minutes it computed as a follower, each under an id JetStream remembers for
// OUT_DUPLICATE_WINDOW_MS: those its predecessor already sent are dropped by JetStream, the others land. So
// no alert event is lost or sent twice across a change of leader.
import type { Logger } from 'pino';
import { type ClusterLog, EVENT_STREAM, OUT_DUPLICATE_WINDOW_MS, OUT_STREAM } from './log.js';
import type { SubjectReader } from './log-reader.js';
import { EVENT_SUBJECTS, outputSubject, outputTopic, RETAINED_SUBJECTS } from './output-subject.js';

interface PendingEvent {
  topic: string;
  payload: string;
  msgId: string;
  at: number;
}

/**
 * An event older than this when computed is history being replayed (a node catching up), not news: it goes
 * to the alert log, never to MQTT. Half the duplicate window, so a republished one is always recognised.
 */
export const NEWS_MS = OUT_DUPLICATE_WINDOW_MS / 2;

const encoder = new TextEncoder();

export class CityOutput {
  private readonly retained = new Map<string, string>();
  private events: PendingEvent[] = [];
  private leading = false;
  /** Messages stored by JetStream, dropped as already stored (duplicates), and not stored (failed). */
  readonly stats = { sent: 0, duplicates: 0, failed: 0, old: 0 };

  constructor(
    private readonly log: ClusterLog,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  get isLeading(): boolean {
    return this.leading;
  }

  /** A retained topic's new value: sent when leading, remembered either way. */
  retain(topic: string, payload: string): void {
    this.retained.set(topic, payload);
    if (this.leading) this.send(topic, payload, true);
  }

  /** An event at data time `at` (an alert raised, acknowledged, cleared), `msgId` naming it uniquely. */
  event(topic: string, payload: string, msgId: string, at: number): void {
    const now = this.now();
    if (now - at > NEWS_MS) {
      this.stats.old++;
      return;
    }
    this.events.push({ topic, payload, msgId, at });
    this.events = this.events.filter((e) => now - e.at <= NEWS_MS);
    if (this.leading) this.send(topic, payload, false, msgId);
  }

  /** This node leads now: everything retained, and the recent events, are sent. */
  lead(): void {
    if (this.leading) return;
    this.leading = true;
    for (const [topic, payload] of this.retained) this.send(topic, payload, true);
    const now = this.now();
    this.events = this.events.filter((e) => now - e.at <= NEWS_MS);
    for (const e of this.events) this.send(e.topic, e.payload, false, e.msgId);
    this.logger.info(
      { retained: this.retained.size, events: this.events.length },
      'leading: city output sent again',
    );
  }

  follow(): void {
    this.leading = false;
  }

  /** Sent in call order on one connection; JetStream retries inside publish (a stream leader moving). */
  private send(topic: string, payload: string, retain: boolean, msgId?: string): void {
    const stream = retain ? OUT_STREAM : EVENT_STREAM;
    this.log.publish(stream, outputSubject(topic, retain), encoder.encode(payload), msgId).then(
      (ack) => {
        if (ack.duplicate) this.stats.duplicates++;
        else this.stats.sent++;
      },
      (err: Error) => {
        this.stats.failed++;
        this.logger.error({ topic, err: err.message }, 'city output not stored in the log');
      },
    );
  }
}

export interface OutputFollower {
  /** Messages handed on, and subjects that were not the output's (skipped). */
  readonly stats: { delivered: number; skipped: number };
  stop(): Promise<void>;
}

/**
 * A front door's side: every retained topic's current value (the stream's last message per subject, from the
 * start), then each new one, and the events from now on, handed to `deliver` (the local MQTT broker). Opened
 * in the background, retried until it works: a front door admits device traffic whether or not the output
 * can be read yet.
 */
export function followCityOutput(
  log: ClusterLog,
  deliver: (topic: string, payload: Buffer, retain: boolean) => void,
  logger: Logger,
): OutputFollower {
  const stats = { delivered: 0, skipped: 0 };
  const handle = (subject: string, data: Uint8Array) => {
    const out = outputTopic(subject);
    if (!out) {
      stats.skipped++;
      logger.warn({ subject }, 'skipped a message that is not city output');
      return;
    }
    stats.delivered++;
    deliver(out.topic, Buffer.from(data), out.retain);
  };
  const readers: SubjectReader[] = [];
  let stopped = false;
  const opening = (async () => {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        readers.push(
          await log.readStream(OUT_STREAM, RETAINED_SUBJECTS, 0, (m) => handle(m.subject, m.data)),
        );
        const head = await log.lastSeq(EVENT_STREAM);
        readers.push(
          await log.readStream(EVENT_STREAM, EVENT_SUBJECTS, head, (m) => handle(m.subject, m.data)),
        );
        return;
      } catch (err) {
        await Promise.all(readers.splice(0).map((r) => r.stop()));
        logger.warn(
          { err: (err as Error).message },
          "cannot read the city's output from the log yet; MQTT subscribers here get it once it can",
        );
        await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** attempt, 10_000)));
      }
    }
  })();
  return {
    stats,
    async stop() {
      stopped = true;
      await opening;
      await Promise.all(readers.map((r) => r.stop()));
    },
  };
}

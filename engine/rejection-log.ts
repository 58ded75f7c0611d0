// The engine's refusal log: each message refused under docs/contract.md §3 is logged with its device, topic and,
// for `bad-payload`, the failing fields (`pressureKPa: expected a number`). One line per device and reason
// a second at most, and 50 in all, so bad firmware cannot flood the log; /metrics keeps exact counts.
import type { Logger } from 'pino';
import { payloadProblem } from './admission.js';
import type { RawMessage } from './pipeline.js';
import { topicDeviceId } from './recent-messages.js';
import type { RejectionReason } from './rejections.js';

const LOG_EVERY_MS = 1000;
/** Lines a second in all: a whole fleet on bad firmware gives a summary, not one line per device. */
const MAX_LINES_PER_SECOND = 50;
/** Quiet windows remembered at once; past this they are forgotten (a flood of ids costs no memory). */
const MAX_KEYS = 10_000;
const MAX_TOPIC_LENGTH = 256;

export class RejectionLog {
  /** Per device and reason: until when further refusals are only tallied, and how many were. */
  private readonly quiet = new Map<string, { until: number; suppressed: number }>();
  /** The current second of the engine clock, the lines logged in it and the refusals left out past the cap. */
  private second = Number.NEGATIVE_INFINITY;
  private lines = 0;
  private unlogged = 0;

  constructor(private readonly log: Pick<Logger, 'warn'>) {}

  /** The live path's onIngested hook; an accepted message (outcome undefined) costs one comparison. */
  record(msg: RawMessage, receivedAt: number, outcome: RejectionReason | undefined): void {
    if (outcome === undefined) return;
    const device = topicDeviceId(msg.topic);
    const key = `${outcome}\u0000${device ?? ''}`;
    const entry = this.quiet.get(key);
    if (entry !== undefined && receivedAt < entry.until) {
      entry.suppressed++;
      return;
    }
    if (receivedAt >= this.second + LOG_EVERY_MS) {
      if (this.unlogged > 0)
        this.log.warn(
          { event: 'rejected', unlogged: this.unlogged },
          `rejected: ${this.unlogged} more messages from other devices not logged in that second (counted in /metrics)`,
        );
      this.second = receivedAt;
      this.lines = 0;
      this.unlogged = 0;
    }
    if (++this.lines > MAX_LINES_PER_SECOND) {
      this.unlogged++;
      return;
    }
    const detail = outcome === 'bad-payload' ? payloadProblem(msg.topic, msg.payload) : undefined;
    const topic =
      msg.topic.length > MAX_TOPIC_LENGTH ? `${msg.topic.slice(0, MAX_TOPIC_LENGTH)}…` : msg.topic;
    const repeated = entry?.suppressed ?? 0;
    this.log.warn(
      { event: 'rejected', reason: outcome, device, topic, detail, ...(repeated > 0 && { repeated }) },
      `rejected: ${outcome}${detail === undefined ? '' : ` (${detail})`}${repeated > 0 ? `, ${repeated} more before this` : ''}`,
    );
    if (this.quiet.size >= MAX_KEYS) this.quiet.clear();
    this.quiet.set(key, { until: receivedAt + LOG_EVERY_MS, suppressed: 0 });
  }
}

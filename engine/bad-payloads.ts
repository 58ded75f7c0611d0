// The stderr summary of a replay's refused payloads, grouped by what is wrong with them.
import { payloadProblem } from './admission.js';
import type { Inbound } from './inbound.js';
import type { RejectionReason } from './rejections.js';
import { formatTime } from './time.js';

export interface Problem {
  count: number;
  topic: string;
  at: number;
}

/** Distinct problems tallied; past this, further ones are only counted (a recording may hold millions). */
const MAX_PROBLEMS = 1000;
/** Problems printed, most frequent first. */
const SHOWN_PROBLEMS = 20;

/**
 * The stderr summary of messages refused as bad-payload, grouped by what is wrong with them, so a
 * recording's bad firmware shows as `pressureKPa: expected a number` rather than a bare count. Problems
 * are worked out only for refused messages: replay's accepted path stays as fast as the live one.
 */
export class BadPayloadSummary {
  private readonly problems = new Map<string, Problem>();
  private others = 0;

  /** The problems tallied, to add to another summary (a sharded replay sums its partitions'). */
  entries(): { problems: [string, Problem][]; others: number } {
    return { problems: [...this.problems], others: this.others };
  }

  /** Add another summary's tallies; a problem's first sighting is the earlier of the two. */
  add(other: { problems: [string, Problem][]; others: number }): void {
    this.others += other.others;
    for (const [problem, p] of other.problems) {
      const seen = this.problems.get(problem);
      if (seen !== undefined) {
        seen.count += p.count;
        if (p.at < seen.at) Object.assign(seen, { topic: p.topic, at: p.at });
      } else if (this.problems.size < MAX_PROBLEMS) this.problems.set(problem, { ...p });
      else this.others += p.count;
    }
  }

  readonly onIngested = (msg: Inbound, outcome: RejectionReason | undefined): void => {
    if (outcome !== 'bad-payload') return;
    const problem = payloadProblem(msg.topic, msg.payload) ?? 'fails its schema';
    const seen = this.problems.get(problem);
    if (seen !== undefined) seen.count++;
    else if (this.problems.size < MAX_PROBLEMS)
      this.problems.set(problem, { count: 1, topic: msg.topic, at: msg.receivedAt });
    else this.others++;
  };

  /** One line per problem: `<input>: bad-payload ×n: <field>: <rule> (first: <topic> at <t>)`. */
  lines(input: string): string[] {
    const sorted = [...this.problems].sort((a, b) => b[1].count - a[1].count);
    const out = sorted
      .slice(0, SHOWN_PROBLEMS)
      .map(
        ([problem, p]) =>
          `${input}: bad-payload ×${p.count}: ${problem} (first: ${p.topic} at ${formatTime(p.at)})\n`,
      );
    const rest = sorted.slice(SHOWN_PROBLEMS).reduce((n, [, p]) => n + p.count, 0) + this.others;
    if (rest > 0) out.push(`${input}: bad-payload ×${rest} more, for other reasons\n`);
    return out;
  }
}

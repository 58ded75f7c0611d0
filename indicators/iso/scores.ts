// Scores handed to roll-ups, maturity and composite indices: hundred-mark values by id, null when unknown.
import { type InputProblem, shown } from './problems.js';

/** A Map from the engine or a plain record from a JSON body; both read the same. */
export type Scores = ReadonlyMap<string, number | null> | Readonly<Record<string, number | null | undefined>>;

export function scoreOf(scores: Scores, id: string): unknown {
  if (scores instanceof Map) return scores.get(id);
  return Object.hasOwn(scores, id) ? (scores as Record<string, unknown>)[id] : undefined;
}

/**
 * The score of `id`, or null when absent; a value that is not null or a finite number in 0..100 is a
 * problem, since a roll-up would otherwise hide it inside a mean.
 */
export function readScore(scores: Scores, id: string, problems: InputProblem[]): number | null {
  const value = scoreOf(scores, id);
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
    problems.push({
      input: id,
      message: `must be a score from 0 to 100, or null when unknown; got ${shown(value)}`,
    });
    return null;
  }
  return value;
}

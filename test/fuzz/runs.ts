// How many cases each property tries: 10,000 in `npm test`, more for a long hunt with
// `FUZZ_RUNS=1000000 npm run fuzz`. fast-check prints the seed and the shrunk case of a failure; replay
// it with `FUZZ_SEED=<seed>` (and `FUZZ_PATH=<path>` for the exact case).
import type fc from 'fast-check';

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name}='${raw}' must be a positive integer`);
  return n;
}

export const RUNS = positive('FUZZ_RUNS', 10_000);

/** fast-check parameters for a property: the run count, and the seed to replay when one is given. */
export function fuzzParams(runs = RUNS): fc.Parameters<unknown> {
  const seed = process.env.FUZZ_SEED;
  return {
    numRuns: runs,
    ...(seed ? { seed: Number(seed), path: process.env.FUZZ_PATH } : {}),
  };
}

/**
 * A test timeout that grows with the run count, from what 10,000 cases take on an idle machine: ten times
 * that, so a machine busy with other work slows the property down without failing it.
 */
export const fuzzTimeout = (msPer10k: number) => Math.max(60_000, Math.ceil((RUNS / 10_000) * msPer10k * 10));

// docs/contract.md §3: every rejected message is counted under exactly one reason.

export const REJECTION_REASONS = [
  'bad-topic',
  'unknown-device',
  'kind-mismatch',
  'too-large',
  'bad-json',
  'bad-payload',
  'unknown-route',
  'duplicate',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export type RejectionCounts = Record<RejectionReason, number>;

export function zeroCounts(): RejectionCounts {
  return Object.fromEntries(REJECTION_REASONS.map((r) => [r, 0])) as RejectionCounts;
}

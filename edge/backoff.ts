// How long a device waits before trying the broker again: doubling from `minMs` to `maxMs`, each delay
// drawn from [½, 1½] of its step. The jitter matters at city scale: after a broker restart a thousand
// devices that all waited exactly 1 s, 2 s, 4 s would return as one storm each time.

export interface BackoffOptions {
  minMs?: number;
  maxMs?: number;
}

export function reconnectDelayMs(
  attempt: number,
  options: BackoffOptions = {},
  random = Math.random,
): number {
  const minMs = options.minMs ?? 1000;
  const maxMs = options.maxMs ?? 30_000;
  const step = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(step * (0.5 + random()));
}

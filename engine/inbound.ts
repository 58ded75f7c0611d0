// What the engine consumes: a message as received, stamped with the engine's clock (docs/contract.md §3).

/** docs/contract.md §2: payloads are at most 16 KiB. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

/**
 * A payload a source already had to decode (a replay line holds it as JSON), with its size in bytes —
 * exact, or any bound that is itself within the limit (the limit is all the size is used for).
 */
export class Decoded {
  constructor(
    readonly value: unknown,
    readonly bytes: number,
  ) {}
}

export interface Inbound {
  /** Engine clock, epoch ms: the wall clock live, the line's `t` in replay. */
  receivedAt: number;
  topic: string;
  /** The bytes as they arrived (Buffer live; a string in a recording), or already decoded. */
  payload: Buffer | string | Decoded;
}

/** Advance the engine's clock to `at` and emit a snapshot of every indicator. */
export class Tick {
  constructor(readonly at: number) {}
}

export type EngineInput = Inbound | Tick;

// One segment file of an outbox (see outbox.ts): its name, its line records, and appending and flushing them.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

export interface MessageRecord {
  readonly seq: number;
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

export type DiskRecord = MessageRecord | { ack: number };

/** Named by the first seq it may hold, zero-padded so that name order is seq order. */
export const SEGMENT_NAME = /^(\d{16})\.seg$/;
export const segmentName = (base: number) => `${String(base).padStart(16, '0')}.seg`;

export class OutboxWriteError extends Error {
  readonly code = 'ERR_OUTBOX_WRITE';
}

export function parseRecord(line: string): DiskRecord | undefined {
  try {
    const r = JSON.parse(line) as Record<string, unknown>;
    if (typeof r.ack === 'number') return { ack: r.ack };
    if (typeof r.seq === 'number' && typeof r.topic === 'string' && typeof r.payload === 'string') {
      return { seq: r.seq, topic: r.topic, payload: r.payload, retain: r.retain === true };
    }
  } catch {
    // a torn line: counted by the caller
  }
  return undefined;
}

/** Best effort: some platforms cannot open a directory to flush it. */
export function fsyncDir(dir: string): void {
  try {
    fsyncPath(dir);
  } catch {
    // the segment's data is still flushed by the policy; only the new name may lag
  }
}

export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Append one record; `durable` waits until it is on the disk. Opened per write: a fleet of thousands of
 *  outboxes in one simulator must not hold a file descriptor each. */
export function appendLine(path: string, line: string, durable: boolean): void {
  try {
    const fd = openSync(path, 'a');
    try {
      writeSync(fd, line);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new OutboxWriteError(
      `cannot write the outbox file ${path}: ${(err as Error).message}; check free space and permissions`,
    );
  }
}

// One writer per outbox directory: two would interleave records and hand out the same seq twice. Held in
// this process (a set of open directories) and across processes (a lock file naming the holder's pid; a
// lock left by a process that died is taken over, so a crash never bricks a device's outbox).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = 'lock';
const openDirs = new Set<string>();

export class OutboxLockedError extends Error {
  readonly code = 'ERR_OUTBOX_LOCKED';
}

/** One writer per outbox: in this process (openDirs) and across processes (a lock file naming the pid). */
export function lockOutbox(dir: string): void {
  const path = join(dir, LOCK_FILE);
  let holder = Number.NaN;
  try {
    holder = Number(readFileSync(path, 'utf8'));
  } catch {
    // no lock file: free
  }
  if (openDirs.has(dir) || (holder !== process.pid && isAlive(holder))) {
    throw new OutboxLockedError(
      `outbox ${dir} is in use by ${openDirs.has(dir) ? 'this process' : `process ${holder}`}; give each agent its own outbox directory`,
    );
  }
  writeFileSync(path, String(process.pid));
  openDirs.add(dir);
}

export function unlockOutbox(dir: string): void {
  openDirs.delete(dir);
  rmSync(join(dir, LOCK_FILE), { force: true });
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// The data dir is private to the service's user (issue 10): it holds the credential digests, the alert log,
// history and retained messages. Files are created 0600 and folders 0700 by a umask of 077 for the whole
// long-running process (SQLite, Node-RED and the spool create files with the process umask), and what an
// earlier version or another tool left readable to others is tightened at start, with a log line saying so.
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export interface Tightened {
  path: string;
  from: string;
  to: string;
}

/** Every file and folder under `dir` (not following links) made private; returns what was changed. */
export function tightenTree(dir: string): Tightened[] {
  const changed: Tightened[] = [];
  const visit = (path: string) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    const mode = st.mode & 0o777;
    const want = st.isDirectory() ? mode & PRIVATE_DIR_MODE : mode & PRIVATE_FILE_MODE;
    if (want !== mode) {
      chmodSync(path, want);
      changed.push({ path, from: octal(mode), to: octal(want) });
    }
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return changed;
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;

/**
 * Call first in a command that writes `dataDir`: sets the umask, creates the dir 0700, and tightens what is
 * there. Group and others lose every permission; the owner keeps what it had.
 */
export function usePrivateDataDir(dataDir: string, log: Logger): void {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const changed = tightenTree(dataDir);
  if (changed.length > 0)
    log.warn(
      { dataDir, count: changed.length, examples: changed.slice(0, 10) },
      `made ${changed.length} files and folders in the data dir private to this user (0700/0600): they were readable by others`,
    );
}

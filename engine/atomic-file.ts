// A file replaced whole or not at all, also across a kill -9 or a power cut: written to a temp file named for
// the writing process, fsynced, renamed over the old one, and the folder fsynced so the rename is on disk.
// Temp files of a killed writer are removed at the next start.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const tempOf = (path: string) => `${path}.${process.pid}.tmp`;

/** Temp files of saves a killed process never finished (each named for its pid): removed at start. */
export function removeStaleTempFiles(path: string): number {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  const stale = names.filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'));
  for (const n of stale) rmSync(join(dir, n), { force: true });
  return stale.length;
}

/** The rename is durable only once the folder's entry is on disk too (POSIX; a power cut, not a kill -9). */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms and filesystems cannot fsync a directory; the rename has happened regardless.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeAtomic(path: string, buf: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempOf(path);
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dirname(path));
}

export async function writeAtomicAsync(path: string, buf: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempOf(path);
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(buf);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const dir = await open(dirname(path), 'r').catch(() => undefined);
  await dir
    ?.sync()
    .catch(() => undefined)
    .finally(() => dir.close());
}

// The backup archive: one gzip'd file that describes itself, so a restore checks it before it writes anything.
// A tar would need a dependency the project does not have for one reader and one writer; this layout is
// small enough to read in a hex dump:
//
//   "CGBACKUP"          magic, 8 bytes
//   u32 BE M            manifest length
//   manifest, UTF-8 JSON (Manifest below: versions, created at, every file with its size and SHA-256)
//   the files' bytes, one after another in the manifest's order (sizes in the manifest)
//
// all of it gzip'd. The manifest comes first so a restore refuses a newer format or version before it reads
// a byte of data, and each file's SHA-256 is checked as it streams past.
import { createHash } from 'node:crypto';

export const MAGIC = Buffer.from('CGBACKUP', 'latin1');
export const FORMAT_VERSION = 1;

export interface ManifestFile {
  /** Relative to the data dir, with '/' separators. */
  path: string;
  size: number;
  sha256: string;
  /** How it was copied: a SQLite online backup, or the file's bytes. */
  how: 'sqlite-backup' | 'copy';
}

export interface Manifest {
  format: 'citygauge-backup';
  formatVersion: number;
  citygaugeVersion: string;
  createdAt: string;
  /** The data dir it was taken from, for the operator reading it. */
  dataDir: string;
  /** 'postgres' when the registry, people, alerts and scorecard were in PostgreSQL and are not in here. */
  controlPlane: 'sqlite' | 'postgres';
  dirs: string[];
  files: ManifestFile[];
}

export function encodeHeader(m: Manifest): Buffer {
  const json = Buffer.from(JSON.stringify(m));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, len, json]);
}

/** Why a manifest cannot be restored by this version, or undefined. */
export function manifestProblem(m: Manifest, runningVersion: string): string | undefined {
  if (m.format !== 'citygauge-backup' || !Array.isArray(m.files))
    return 'its manifest is not a citygauge backup manifest';
  if (m.formatVersion !== FORMAT_VERSION)
    return `it is backup format ${m.formatVersion} and this citygauge reads format ${FORMAT_VERSION}: restore it with citygauge ${m.citygaugeVersion}`;
  if (newer(m.citygaugeVersion, runningVersion))
    return `it was taken by citygauge ${m.citygaugeVersion}, newer than this ${runningVersion}, whose schema this one may not read: install citygauge ${m.citygaugeVersion} or newer to restore it (or --force to try anyway)`;
  for (const f of m.files)
    if (!safeRelative(f.path)) return `its manifest names a file outside the data dir (${f.path})`;
  for (const d of m.dirs ?? [])
    if (!safeRelative(d)) return `its manifest names a folder outside the data dir (${d})`;
  return undefined;
}

/** A path that stays inside the folder it is joined to: no absolute path, no '..', no empty part. */
export function safeRelative(p: string): boolean {
  if (typeof p !== 'string' || p === '' || p.startsWith('/') || p.includes('\\') || p.includes('\0'))
    return false;
  return p.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** a > b for dotted versions (1.10.0 > 1.9.3); a pre-release suffix is ignored. */
export function newer(a: string, b: string): boolean {
  const parts = (v: string) =>
    v
      .split(/[-+]/)[0]
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return false;
}

export const sha256 = () => createHash('sha256');

/**
 * Reads exact byte counts from a stream of chunks (the gunzip'd archive): the header, then each file's
 * bytes handed on in the chunks they arrived in.
 */
export class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer>;
  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async more(): Promise<boolean> {
    const r = await this.it.next();
    if (r.done) return false;
    this.buf = this.buf.length === 0 ? r.value : Buffer.concat([this.buf, r.value]);
    return true;
  }

  /** Exactly n bytes, or undefined when the archive ends first. */
  async exactly(n: number): Promise<Buffer | undefined> {
    while (this.buf.length < n) if (!(await this.more())) return undefined;
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** n bytes in pieces; returns how many arrived (less than n when the archive ends first). */
  async pieces(n: number, each: (piece: Buffer) => Promise<void> | void): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.more())) break;
      const piece = this.buf.subarray(0, Math.min(left, this.buf.length));
      this.buf = this.buf.subarray(piece.length);
      left -= piece.length;
      await each(piece);
    }
    return n - left;
  }

  /** True when nothing follows (trailing bytes mean the archive is not what its manifest says). */
  async atEnd(): Promise<boolean> {
    if (this.buf.length > 0) return false;
    return !(await this.more());
  }
}

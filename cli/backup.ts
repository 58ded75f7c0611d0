// `citygauge backup --out FILE` and `citygauge restore FILE --data-dir DIR`: a consistent snapshot of a data
// dir, also while the city runs, and its restore into a new one.
//
// Consistent without stopping the city: every SQLite file (registry and credentials, alerts, scorecard,
// people and audit trail, history, retained messages) is copied with SQLite's online backup API, which
// reads one committed state while the city goes on writing in WAL mode; engine-state.bin is replaced whole
// by a rename (engine/atomic-file.ts), so reading it reads one complete save; the rest (Node-RED's flows,
// credentials and settings, the simulated fleet's outboxes) is copied as it is. WAL and shared-memory files
// and half-written temp files are left out: the online backup already holds what they hold.
// The snapshot is staged in a private folder beside --out, hashed, then written as one archive
// (cli/backup-archive.ts) and renamed into place, so --out is a complete backup or absent.
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createGunzip, createGzip } from 'node:zlib';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import {
  ByteReader,
  encodeHeader,
  FORMAT_VERSION,
  MAGIC,
  type Manifest,
  type ManifestFile,
  manifestProblem,
  sha256,
} from './backup-archive.js';
import { CliError, UsageError } from './errors.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-data.js';
import { progressBar } from './progress.js';
import { packageVersion } from './version.js';

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** The files a PostgreSQL control plane (`--db`) holds instead of the data dir. */
export const CONTROL_PLANE_FILES = [
  'registry.sqlite',
  'people.sqlite',
  'alerts.sqlite',
  'scorecard.sqlite',
  'indicator-changes.sqlite',
];

export const PG_DUMP_HINT =
  'pg_dump --format=custom --file=citygauge.pgdump "$CITYGAUGE_DB" (restore with pg_restore --clean --if-exists --dbname="$CITYGAUGE_DB" citygauge.pgdump)';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Files that are part of another file's state or a write in progress: never copied on their own. */
const skipped = (name: string) =>
  /-(wal|shm|journal)$/.test(name) || name.endsWith('.tmp') || name.startsWith('.citygauge-');

async function isSqlite(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.equals(SQLITE_HEADER);
  } finally {
    await fh.close();
  }
}

interface Walked {
  dirs: string[];
  files: string[];
}

async function walk(root: string, skip: (rel: string) => boolean): Promise<Walked> {
  const out: Walked = { dirs: [], files: [] };
  const visit = async (rel: string) => {
    const entries = await readdir(join(root, rel), { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (skipped(e.name) || skip(r)) continue;
      if (e.isDirectory()) {
        out.dirs.push(r);
        await visit(r);
      } else if (e.isFile()) out.files.push(r);
    }
  };
  await visit('');
  return out;
}

async function hashFile(path: string): Promise<string> {
  const h = sha256();
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** One SQLite file as of one committed transaction, while its writer goes on. */
async function sqliteSnapshot(from: string, to: string): Promise<void> {
  // Not readonly: a read-only connection that closes last leaves the -wal and -shm it made behind, and a
  // read-write one removes them, as the city does.
  const db = new Database(from, { fileMustExist: true, timeout: 30_000 });
  try {
    await db.backup(to);
  } finally {
    db.close();
  }
}

export interface BackupOptions {
  dataDir: string;
  out: string;
  db?: string;
}

export interface BackupResult {
  manifest: Manifest;
  bytes: number;
}

export async function takeBackup(opts: BackupOptions): Promise<BackupResult> {
  const dataDir = resolve(opts.dataDir);
  const out = resolve(opts.out);
  const st = await stat(dataDir).catch(() => undefined);
  if (!st?.isDirectory())
    throw new CliError(
      `no data dir at ${dataDir}: give the city's --data-dir (the folder \`citygauge start --data-dir\` uses)`,
    );
  if (out.startsWith(`${dataDir}/`))
    throw new UsageError(`--out ${out} is inside the data dir: write the backup outside ${dataDir}`);
  const postgres = Boolean(opts.db);
  const tree = await walk(dataDir, (rel) => postgres && CONTROL_PLANE_FILES.includes(rel));
  if (tree.files.length === 0)
    throw new CliError(`the data dir ${dataDir} holds no files: is it the city's --data-dir?`);

  process.umask(0o077);
  await mkdir(dirname(out), { recursive: true, mode: PRIVATE_DIR_MODE });
  const stage = await mkdtemp(join(dirname(out), '.citygauge-backup-'));
  try {
    const files: ManifestFile[] = [];
    for (const d of tree.dirs) await mkdir(join(stage, d), { mode: PRIVATE_DIR_MODE });
    for (const rel of tree.files) {
      const from = join(dataDir, rel);
      const to = join(stage, rel);
      let sqlite = false;
      try {
        sqlite = await isSqlite(from);
        if (sqlite) await sqliteSnapshot(from, to);
        else await copyFile(from, to);
      } catch (err) {
        // A file the city removed since the walk (a spool segment sent and deleted) is simply not in it.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !sqlite) continue;
        throw new CliError(
          `could not copy ${rel} from the data dir: ${(err as Error).message} (run the backup as the city's user, who may read and write ${from})`,
        );
      }
      const s = await stat(to);
      files.push({
        path: rel,
        size: s.size,
        sha256: await hashFile(to),
        how: sqlite ? 'sqlite-backup' : 'copy',
      });
    }
    const manifest: Manifest = {
      format: 'citygauge-backup',
      formatVersion: FORMAT_VERSION,
      citygaugeVersion: packageVersion(),
      createdAt: new Date().toISOString(),
      dataDir,
      controlPlane: postgres ? 'postgres' : 'sqlite',
      dirs: tree.dirs,
      files,
    };
    const partial = join(stage, '.archive');
    const bytes = await writeArchive(stage, manifest, partial);
    await rename(partial, out);
    await chmod(out, PRIVATE_FILE_MODE);
    return { manifest, bytes };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

async function writeArchive(stage: string, manifest: Manifest, to: string): Promise<number> {
  const total = manifest.files.reduce((n, f) => n + f.size, 0);
  const bar = progressBar('writing the backup', total, 'bytes');
  const gzip = createGzip();
  const sink = createWriteStream(to, { mode: PRIVATE_FILE_MODE });
  const done = new Promise<void>((ok, fail) => {
    sink.on('finish', ok);
    sink.on('error', fail);
    gzip.on('error', fail);
  });
  gzip.pipe(sink);
  const write = async (b: Buffer) => {
    if (!gzip.write(b)) await once(gzip, 'drain');
  };
  let sent = 0;
  try {
    await write(encodeHeader(manifest));
    for (const f of manifest.files)
      for await (const chunk of createReadStream(join(stage, f.path))) {
        await write(chunk as Buffer);
        sent += (chunk as Buffer).length;
        bar.update(sent);
      }
    gzip.end();
    await done;
  } finally {
    bar.stop();
  }
  const fh = await open(to, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  return (await stat(to)).size;
}

export interface RestoreOptions {
  archive: string;
  dataDir: string;
  force?: boolean;
}

/** Reads the archive's manifest and files into a staging folder, checking each SHA-256; throws naming the fix. */
async function unpack(archive: string, stage: string, force: boolean): Promise<Manifest> {
  const corrupt = (what: string) =>
    new CliError(
      `${archive} is not a complete citygauge backup (${what}): it was cut short or changed after it was written; restore from another copy of the backup`,
    );
  const gunzip = createGunzip();
  const input = createReadStream(archive);
  input.on('error', (err) => gunzip.destroy(err));
  const reader = new ByteReader(input.pipe(gunzip));
  try {
    const head = await reader.exactly(MAGIC.length + 4);
    if (!head?.subarray(0, MAGIC.length).equals(MAGIC)) throw corrupt('it does not start as one');
    const json = await reader.exactly(head.readUInt32BE(MAGIC.length));
    if (!json) throw corrupt('its manifest is cut short');
    let manifest: Manifest;
    try {
      manifest = JSON.parse(json.toString('utf8')) as Manifest;
    } catch {
      throw corrupt('its manifest is not JSON');
    }
    const problem = manifestProblem(manifest, packageVersion());
    if (problem && !(force && /newer than this/.test(problem)))
      throw new CliError(`cannot restore ${archive}: ${problem}`);
    const total = manifest.files.reduce((n, f) => n + f.size, 0);
    const bar = progressBar('restoring', total, 'bytes');
    let done = 0;
    try {
      for (const d of manifest.dirs ?? [])
        await mkdir(join(stage, d), { recursive: true, mode: PRIVATE_DIR_MODE });
      for (const f of manifest.files) {
        const path = join(stage, f.path);
        await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
        const h = sha256();
        const fh = await open(path, 'w', PRIVATE_FILE_MODE);
        try {
          const got = await reader.pieces(f.size, async (piece) => {
            h.update(piece);
            await fh.write(piece);
            done += piece.length;
            bar.update(done);
          });
          if (got !== f.size) throw corrupt(`${f.path} is cut short: ${got} of ${f.size} bytes`);
          await fh.sync();
        } finally {
          await fh.close();
        }
        if (h.digest('hex') !== f.sha256)
          throw corrupt(`${f.path} does not match its SHA-256 in the manifest`);
      }
    } finally {
      bar.stop();
    }
    if (!(await reader.atEnd())) throw corrupt('bytes follow the last file');
    return manifest;
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !(await stat(archive).catch(() => undefined)))
      throw new CliError(`no backup at ${archive}: give the file \`citygauge backup --out\` wrote`);
    if (code?.startsWith('Z_')) throw corrupt(`gzip: ${(err as Error).message}`);
    throw err;
  } finally {
    input.destroy();
  }
}

export async function restoreBackup(opts: RestoreOptions): Promise<Manifest> {
  const archive = resolve(opts.archive);
  const dataDir = resolve(opts.dataDir);
  const existing = await readdir(dataDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new CliError(`cannot read --data-dir ${dataDir}: ${err.message}`);
  });
  if (existing && existing.length > 0 && !opts.force)
    throw new CliError(
      `--data-dir ${dataDir} is not empty: restore into a new or empty folder, or stop the city that uses it and add --force to replace the files the backup holds`,
    );
  process.umask(0o077);
  const parent = dirname(dataDir);
  await mkdir(parent, { recursive: true, mode: PRIVATE_DIR_MODE });
  // Staged beside the data dir (same file system, so moving in is a rename) and checked whole before
  // anything in --data-dir changes: a corrupt archive leaves the data dir as it was.
  const stage = await mkdtemp(join(parent, `.citygauge-restore-${basename(dataDir)}-`));
  try {
    const manifest = await unpack(archive, stage, Boolean(opts.force));
    await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    await chmod(dataDir, PRIVATE_DIR_MODE);
    for (const d of manifest.dirs ?? [])
      await mkdir(join(dataDir, d), { recursive: true, mode: PRIVATE_DIR_MODE });
    for (const f of manifest.files) {
      const to = join(dataDir, f.path);
      // A WAL left beside an older copy of this database would be replayed into the restored one.
      if (f.how === 'sqlite-backup')
        for (const side of ['-wal', '-shm', '-journal']) await unlink(`${to}${side}`).catch(() => {});
      await rename(join(stage, f.path), to);
    }
    return manifest;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description(
      "a consistent snapshot of a data dir, also while the city runs: its SQLite files by SQLite's online backup, the engine state, retained messages, credentials and Node-RED's flows, in one archive with the SHA-256 of every file",
    )
    .requiredOption('--out <file>', 'the archive to write (outside the data dir)')
    .option('--data-dir <dir>', "the city's data dir", './data')
    .option(
      '--db <url>',
      'the city keeps its registry, people, alerts and scorecard in this PostgreSQL: leave those files out and back the database up with pg_dump',
    )
    .action(async (opts: BackupOptions) => {
      const { manifest, bytes } = await takeBackup(opts);
      const inside = manifest.files.reduce((n, f) => n + f.size, 0);
      say(
        `backed up ${manifest.files.length} files (${mb(inside)}) of ${manifest.dataDir} to ${resolve(opts.out)} (${mb(bytes)} gzip'd), citygauge ${manifest.citygaugeVersion}`,
      );
      if (manifest.controlPlane === 'postgres')
        say(
          `the registry, credentials, people, audit trail, alerts and scorecard are in PostgreSQL (--db) and are NOT in this backup: back them up with ${PG_DUMP_HINT}`,
        );
    });

  program
    .command('restore <file>')
    .description(
      'restore a `citygauge backup` archive into a new data dir, checking its version and the SHA-256 of every file first',
    )
    .requiredOption('--data-dir <dir>', 'the data dir to restore into: new or empty')
    .option('--force', 'restore into a data dir that is not empty (stop the city that uses it first)')
    .action(async (file: string, opts: { dataDir: string; force?: boolean }) => {
      const manifest = await restoreBackup({ archive: file, ...opts });
      say(
        `restored ${manifest.files.length} files into ${resolve(opts.dataDir)} from the backup of ${manifest.dataDir} taken ${manifest.createdAt} by citygauge ${manifest.citygaugeVersion}`,
      );
      if (manifest.controlPlane === 'postgres')
        say(
          'this backup was taken with --db: restore the registry, people, alerts and scorecard into PostgreSQL with pg_restore, then start with the same --db',
        );
    });
}

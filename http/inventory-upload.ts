// An inventory upload (POST /api/inventory) streamed to a temporary folder, file by file, so the importer
// reads it as it reads a folder on disk: nothing is held whole in memory, and each file and the whole
// upload are bounded (413 when over).
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { codeOf, type ErrorCode } from './errors.js';

export interface UploadLimits {
  /** Bytes per file. */
  fileBytes: number;
  /** Bytes over all the files of one upload. */
  totalBytes: number;
}

const MIB = 1024 * 1024;

/** 64 MiB a file and 256 MiB an upload, or CITYGAUGE_UPLOAD_FILE_MB / CITYGAUGE_UPLOAD_TOTAL_MB. */
export function uploadLimits(env: NodeJS.ProcessEnv = process.env): UploadLimits {
  const mib = (name: string, fallback: number) => {
    const v = env[name];
    if (v === undefined || v === '') return fallback * MIB;
    const n = Number(v);
    if (!(n > 0)) throw new Error(`${name} must be a positive number of MiB, got '${v}'`);
    return Math.floor(n * MIB);
  };
  return {
    fileBytes: mib('CITYGAUGE_UPLOAD_FILE_MB', 64),
    totalBytes: mib('CITYGAUGE_UPLOAD_TOTAL_MB', 256),
  };
}

export type Received = { ok: true; files: string[] } | { ok: false; error: ErrorCode; message: string };

class TooLarge extends Error {}

const mibText = (bytes: number) => `${(bytes / MIB).toLocaleString('en', { maximumFractionDigits: 1 })} MiB`;

const tooLarge = (what: string, limit: number, which: 'FILE' | 'TOTAL'): Received => ({
  ok: false,
  error: 'too-large',
  message:
    `${what} is larger than ${mibText(limit)}, the limit of one ${which === 'FILE' ? 'file' : 'upload'} ` +
    `(CITYGAUGE_UPLOAD_${which}_MB): send it in parts, or import it from disk with citygauge import`,
});

/** Write each file part of the request into `dir`, under its own name, which must be one of `allowed`. */
export async function receiveInventoryFiles(
  req: FastifyRequest,
  dir: string,
  allowed: ReadonlySet<string>,
  limits: UploadLimits,
): Promise<Received> {
  const files: string[] = [];
  let total = 0;
  try {
    for await (const part of req.parts({ limits: { fileSize: limits.fileBytes, files: allowed.size } })) {
      if (part.type !== 'file') continue;
      const name = part.filename || part.fieldname;
      if (!allowed.has(name)) {
        part.file.resume();
        return {
          ok: false,
          error: 'bad-request',
          message: `'${name}' is not an inventory file: send ${[...allowed].join(', ')}`,
        };
      }
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          total += chunk.length;
          if (total > limits.totalBytes) done(new TooLarge());
          else done(null, chunk);
        },
      });
      await pipeline(part.file, count, createWriteStream(join(dir, name)));
      // busboy stops at the limit and marks the stream rather than failing it.
      if (part.file.truncated) return tooLarge(name, limits.fileBytes, 'FILE');
      files.push(name);
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT')
      return {
        ok: false,
        error: 'bad-request',
        message: `at most ${allowed.size} files an upload, one of each of ${[...allowed].join(', ')}`,
      };
    if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge('a file', limits.fileBytes, 'FILE');
    if (err instanceof TooLarge) return tooLarge('the upload', limits.totalBytes, 'TOTAL');
    // A broken multipart body (cut short, no boundary) is the client's; a failing disk (a syscall) is ours.
    const status = (err as { statusCode?: number }).statusCode ?? 400;
    if (status >= 500 || (err as { syscall?: string }).syscall) throw err;
    return {
      ok: false,
      error: codeOf(status),
      message: `the upload is not valid multipart/form-data: ${(err as Error).message}`,
    };
  }
  return { ok: true, files };
}

// Transport for InfluxDB 1.x before 1.8 (`--influx-api v1`): line protocol POSTed to /write, which
// those versions offer instead of the v2 write API (FACTS: 1.6.7 answers 404 on /api/v2/write).
import { type LineTransport, type SendResult, statusResult } from './influx-sink.js';

export interface InfluxV1Options {
  url: string;
  db: string;
  /** Retention policy; the database's default when absent. */
  rp?: string;
  /** `user:password` for a 1.x server with auth enabled (sent as Basic auth). */
  token?: string;
  timeoutMs?: number;
}

/** Authorization for 1.x: Basic for `user:password`, else `Token` (1.8+, 2.x and 3.x accept it). */
export function v1AuthHeaders(token: string | undefined): Record<string, string> {
  if (!token) return {};
  if (token.includes(':')) return { authorization: `Basic ${Buffer.from(token).toString('base64')}` };
  return { authorization: `Token ${token}` };
}

export class InfluxV1Transport implements LineTransport {
  readonly url: string;
  private readonly writeUrl: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(o: InfluxV1Options) {
    this.url = o.url.replace(/\/+$/, '');
    const params = new URLSearchParams({ db: o.db, precision: 'ms' });
    if (o.rp) params.set('rp', o.rp);
    this.writeUrl = `${this.url}/write?${params}`;
    this.headers = { 'content-type': 'text/plain; charset=utf-8', ...v1AuthHeaders(o.token) };
    this.timeoutMs = o.timeoutMs ?? 10_000;
  }

  async send(lines: string[]): Promise<SendResult> {
    let res: Response;
    try {
      res = await fetch(this.writeUrl, {
        method: 'POST',
        headers: this.headers,
        body: lines.join('\n'),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      return { retry: true, reason: networkReason(err) };
    }
    const body = res.ok ? '' : await res.text().catch(() => '');
    return statusResult(res.status, errorText(body) || res.statusText, lines);
  }

  hint(status: number): string {
    if (status === 401 || status === 403) return 'check --influx-token (user:password for InfluxDB 1.x)';
    if (status === 404) return 'check --influx-db and --influx-rp (the database must exist)';
    return 'the data was refused; see the line';
  }
}

/** InfluxDB answers `{"error":"..."}`. */
export function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    return String(parsed.error ?? parsed.message ?? body);
  } catch {
    return body.trim();
  }
}

/** fetch hides the reason (ECONNREFUSED, timeout) in `cause`. */
export function networkReason(err: unknown): string {
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e.name === 'TimeoutError' || e.name === 'RequestTimedOutError') return 'timed out';
  return e.cause?.code ?? e.code ?? e.cause?.message ?? e.message ?? String(err);
}

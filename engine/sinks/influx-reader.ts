// The history API's reader over InfluxQL (issue 4 §4): GET /query works on 1.x, on 2.x through the
// DBRP mapping, and on 3.x, so one reader serves every InfluxDB the writer can write to.
import { errorText, v1AuthHeaders } from './influx-v1.js';
import type { HistoryQuery, HistoryReader } from './points.js';

export interface InfluxQLReaderOptions {
  url: string;
  /** Database (1.x) or the bucket's DBRP database (2.x, 3.x). */
  db: string;
  rp?: string;
  /** `Authorization: Token` for 2.x/3.x; `user:password` for 1.x with auth. */
  token?: string;
  timeoutMs?: number;
}

/** A query the server could not answer; `code` says which way it failed. */
export class InfluxQueryError extends Error {
  constructor(
    readonly code: 'ERR_INFLUX_UNREACHABLE' | 'ERR_INFLUX_QUERY',
    message: string,
  ) {
    super(message);
    this.name = 'InfluxQueryError';
  }
}

/** An InfluxQL string literal: backslash and single quote escaped. */
export function influxqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** An InfluxQL identifier in double quotes. */
export function influxqlIdent(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The mean of `value` per bucket, buckets aligned to the epoch as InfluxQL's GROUP BY time does. */
export function historyQuery(q: HistoryQuery, rp?: string): string {
  const from = rp ? `${influxqlIdent(rp)}."indicator"` : '"indicator"';
  const ms = (n: number) => `${Math.trunc(n)}ms`;
  return (
    `SELECT mean("value") FROM ${from} WHERE "id"=${influxqlString(q.id)} AND "scope"=${influxqlString(q.scope)}` +
    ` AND time >= ${ms(q.from)} AND time < ${ms(q.to)} GROUP BY time(${ms(Math.max(1, q.everyMs))}) fill(none)`
  );
}

interface QueryResponse {
  error?: string;
  results?: { error?: string; series?: { columns: string[]; values: [number, number | null][] }[] }[];
}

export class InfluxQLReader implements HistoryReader {
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly o: InfluxQLReaderOptions) {
    this.url = o.url.replace(/\/+$/, '');
    this.headers = v1AuthHeaders(o.token);
  }

  async history(q: HistoryQuery): Promise<{ ts: string; value: number | null }[]> {
    const params = new URLSearchParams({ db: this.o.db, q: historyQuery(q, this.o.rp), epoch: 'ms' });
    let res: Response;
    try {
      res = await fetch(`${this.url}/query?${params}`, {
        headers: this.headers,
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new InfluxQueryError(
        'ERR_INFLUX_UNREACHABLE',
        `InfluxDB at ${this.url} did not answer: ${String(err)}`,
      );
    }
    const text = await res.text();
    if (!res.ok) {
      throw new InfluxQueryError(
        'ERR_INFLUX_QUERY',
        `InfluxDB at ${this.url} answered ${res.status} to a history query: ${errorText(text)}${authHint(res.status)}`,
      );
    }
    const body = JSON.parse(text) as QueryResponse;
    const result = body.results?.[0];
    const error = body.error ?? result?.error;
    if (error)
      throw new InfluxQueryError(
        'ERR_INFLUX_QUERY',
        `InfluxDB at ${this.url} refused a history query: ${error}`,
      );
    const values = result?.series?.[0]?.values ?? [];
    return values.map(([ts, value]) => ({ ts: new Date(ts).toISOString(), value }));
  }
}

function authHint(status: number): string {
  if (status === 401 || status === 403) return ': check --influx-token';
  if (status === 404) return ': check --influx-db (on 2.x, a DBRP mapping for the bucket)';
  return '';
}

// InfluxDB as a recompute source, over InfluxQL's /query (1.x; 2.x and 3.x through the DBRP mapping).
// A --write deletes the indicator's points in the range (InfluxQL DELETE, which 1.x has) and writes the new
// ones with the engine's own transport; InfluxDB keeps no copy of the replaced points: the printed diff
// (--json) is their record.
import type { DeviceStateRow, StoredPoint } from '../recompute.js';
import type { RecomputeSource } from './history-source.js';
import { InfluxQueryError, influxqlIdent, influxqlString } from './influx-reader.js';
import type { LineTransport } from './influx-sink.js';
import { errorText, v1AuthHeaders } from './influx-v1.js';
import { toLines } from './line-protocol.js';
import type { IndicatorPoint } from './points.js';

type Series = { tags?: Record<string, string>; columns: string[]; values: unknown[][] };
interface QueryResponse {
  error?: string;
  results?: { error?: string; series?: Series[] }[];
}

const ms = (n: number) => `${Math.trunc(n)}ms`;
const rows = (s: Series) =>
  s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) as Record<string, unknown>);

export class InfluxRecomputeSource implements RecomputeSource {
  readonly where: string;
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(
    url: string,
    private readonly db: string,
    private readonly rp: string | undefined,
    token: string | undefined,
    private readonly transport: LineTransport,
  ) {
    this.url = url.replace(/\/+$/, '');
    this.headers = v1AuthHeaders(token);
    this.where = `InfluxDB ${this.url} (database ${db})`;
  }

  private from(measurement: string): string {
    return this.rp ? `${influxqlIdent(this.rp)}.${influxqlIdent(measurement)}` : influxqlIdent(measurement);
  }

  private async query(q: string, method: 'GET' | 'POST' = 'GET'): Promise<Series[]> {
    const params = new URLSearchParams({ db: this.db, q, epoch: 'ms' });
    let res: Response;
    try {
      res = await fetch(`${this.url}/query?${params}`, {
        method,
        headers: this.headers,
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new InfluxQueryError(
        'ERR_INFLUX_UNREACHABLE',
        `InfluxDB at ${this.url} did not answer (${String(err)}): check --influx-url and that InfluxDB is running`,
      );
    }
    const text = await res.text();
    if (!res.ok) {
      const hint =
        res.status === 401 || res.status === 403 ? ': check --influx-token' : ': check --influx-db';
      throw new InfluxQueryError(
        'ERR_INFLUX_QUERY',
        `InfluxDB at ${this.url} answered ${res.status}: ${errorText(text)}${hint}`,
      );
    }
    const body = JSON.parse(text) as QueryResponse;
    const error = body.error ?? body.results?.[0]?.error;
    if (error)
      throw new InfluxQueryError('ERR_INFLUX_QUERY', `InfluxDB at ${this.url} refused a query: ${error}`);
    return body.results?.[0]?.series ?? [];
  }

  async firstState(): Promise<number | undefined> {
    const [s] = await this.query(`SELECT first("online") FROM ${this.from('device_state')}`);
    const t = s?.values[0]?.[0];
    return typeof t === 'number' ? t : undefined;
  }

  async statesAt(t: number): Promise<DeviceStateRow[]> {
    const series = await this.query(
      `SELECT "online", "available", "shared", "after_instant" FROM ${this.from('device_state')} WHERE time <= ${ms(t)} GROUP BY "device" ORDER BY time DESC LIMIT 1`,
    );
    return series.flatMap((s) => rows(s).map((r) => state(s.tags?.device ?? '', r)));
  }

  async statesBetween(after: number, to: number): Promise<DeviceStateRow[]> {
    const [s] = await this.query(
      `SELECT "device", "online", "available", "shared", "after_instant" FROM ${this.from('device_state')} WHERE time > ${ms(after)} AND time <= ${ms(to)}`,
    );
    return s ? rows(s).map((r) => state(String(r.device), r)) : [];
  }

  async instants(from: number, to: number): Promise<number[]> {
    const series = await this.query(
      `SELECT * FROM ${this.from('indicator')} WHERE time >= ${ms(from)} AND time <= ${ms(to)}`,
    );
    const times = new Set<number>();
    for (const s of series) for (const v of s.values) times.add(v[0] as number);
    return [...times].sort((a, b) => a - b);
  }

  async points(id: string, from: number, to: number): Promise<StoredPoint[]> {
    const [s] = await this.query(
      `SELECT * FROM ${this.from('indicator')} WHERE "id"=${influxqlString(id)} AND time >= ${ms(from)} AND time <= ${ms(to)}`,
    );
    if (!s) return [];
    return rows(s).map((r) => {
      const means: Record<string, number | null> = {};
      for (const [k, v] of Object.entries(r))
        if (k.startsWith('mean_')) means[k.slice(5)] = v as number | null;
      const num = (v: unknown) => (typeof v === 'number' ? v : null);
      return {
        ts: r.time as number,
        scope: String(r.scope),
        value: num(r.value),
        numerator: num(r.numerator),
        denominator: num(r.denominator),
        means,
      };
    });
  }

  async replace(id: string, from: number, to: number, points: readonly IndicatorPoint[]): Promise<number> {
    const before = (await this.points(id, from, to)).length;
    await this.query(
      `DELETE FROM "indicator" WHERE "id"=${influxqlString(id)} AND time >= ${ms(from)} AND time <= ${ms(to)}`,
      'POST',
    );
    const result = await this.transport.send(toLines(points));
    if (result !== 'ok')
      throw new InfluxQueryError(
        'ERR_INFLUX_QUERY',
        `InfluxDB at ${this.url} did not take the recomputed values (${'reason' in result ? result.reason : ''}): the range is now empty, run the recompute with --write again`,
      );
    return before;
  }

  async close(): Promise<void> {
    await this.transport.close?.();
  }
}

function state(device: string, r: Record<string, unknown>): DeviceStateRow {
  return {
    device,
    ts: r.time as number,
    online: r.online === true,
    available: r.available === true,
    shared: r.shared === true,
    ...(r.after_instant === true ? { afterInstant: true } : {}),
  };
}

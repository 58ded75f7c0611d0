// `npm run bench:history`: history points/s through each writer, beside a raw line-protocol POST of the
// same points to the same server in the same run (batches of 5,000, one request at a time).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { InfluxSink } from '../../engine/sinks/influx-sink.js';
import { InfluxV1Transport } from '../../engine/sinks/influx-v1.js';
import { InfluxV2Transport } from '../../engine/sinks/influx-v2.js';
import { toLines } from '../../engine/sinks/line-protocol.js';
import type { IndicatorPoint } from '../../engine/sinks/points.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { startInfluxd } from '../../test/support/influxdb.js';
import { startVictoria } from '../../test/support/victoria.js';

const POINTS = Number(process.env.BENCH_HISTORY_POINTS ?? 200_000);
const BATCH = 5000;

export interface WriterResult {
  writer: string;
  pointsPerSecond: number;
  baselinePointsPerSecond?: number;
}

/** 126 series (18 indicators × 7 scopes), one point a second each, as the live engine writes at most. */
function points(offset: number): IndicatorPoint[] {
  const out: IndicatorPoint[] = [];
  const t0 = Date.parse('2026-01-05T00:00:00Z') + offset;
  for (let i = 0; out.length < POINTS; i++) {
    const series = i % 126;
    out.push({
      kind: 'indicator',
      id: `ind-${series % 18}`,
      scope: `s${Math.floor(series / 18)}`,
      ts: t0 + Math.floor(i / 126) * 1000,
      value: 50 + (i % 50),
      numerator: i % 50,
      denominator: 100,
      means: { '1h': 75.5, '24h': 80.25 },
    });
  }
  return out;
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return POINTS / ((performance.now() - started) / 1000);
}

async function rawPost(url: string, lines: string[]): Promise<void> {
  for (let i = 0; i < lines.length; i += BATCH) {
    const res = await fetch(url, { method: 'POST', body: lines.slice(i, i + BATCH).join('\n') });
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  }
}

async function throughSink(sink: InfluxSink | SqliteHistory, pts: IndicatorPoint[]): Promise<void> {
  for (let i = 0; i < pts.length; i += BATCH) sink.write(pts.slice(i, i + BATCH));
  await sink.flush();
  if (sink instanceof InfluxSink && sink.stats().spooled > 0)
    throw new Error(`${sink.stats().spooled} points left in the spool`);
}

export async function runHistoryBench(): Promise<WriterResult[]> {
  const log = pino({ level: 'silent' });
  const results: WriterResult[] = [];
  const influx = await startInfluxd();
  const victoria = await startVictoria();
  try {
    await influx.exec('CREATE DATABASE bench');
    // Separate time ranges per run, so no run overwrites another's points.
    const baseV1 = await timed(() =>
      rawPost(`${influx.url}/write?db=bench&precision=ms`, toLines(points(0))),
    );
    const sinkV1 = new InfluxSink({
      transport: new InfluxV1Transport({ url: influx.url, db: 'bench' }),
      dataDir: mkdtempSync(join(tmpdir(), 'cg-v1-')),
      logger: log,
    });
    const v1 = await timed(() => throughSink(sinkV1, points(86_400_000)));
    await sinkV1.close();
    results.push({ writer: 'InfluxDB 1.6 v1 /write', pointsPerSecond: v1, baselinePointsPerSecond: baseV1 });

    const baseV2 = await timed(() =>
      rawPost(`${victoria.url}/api/v2/write?org=o&bucket=b&precision=ms`, toLines(points(0))),
    );
    const sinkV2 = new InfluxSink({
      transport: new InfluxV2Transport({ url: victoria.url, org: 'o', bucket: 'b' }),
      dataDir: mkdtempSync(join(tmpdir(), 'cg-v2-')),
      logger: log,
    });
    const v2 = await timed(() => throughSink(sinkV2, points(86_400_000)));
    await sinkV2.close();
    results.push({
      writer: 'v2 WriteApi to VictoriaMetrics',
      pointsPerSecond: v2,
      baselinePointsPerSecond: baseV2,
    });

    const store = new SqliteHistory(mkdtempSync(join(tmpdir(), 'cg-sqlite-')));
    const sqlite = await timed(() => throughSink(store, points(0)));
    await store.close();
    results.push({ writer: 'embedded SQLite store', pointsPerSecond: sqlite });
  } finally {
    await influx.stop();
    await victoria.stop();
  }
  for (const r of results) {
    const base = r.baselinePointsPerSecond;
    process.stderr.write(
      `${r.writer}: ${Math.round(r.pointsPerSecond).toLocaleString('en')} points/s` +
        (base
          ? ` (raw POST ${Math.round(base).toLocaleString('en')}, ${((100 * r.pointsPerSecond) / base).toFixed(0)} %)`
          : '') +
        '\n',
    );
  }
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runHistoryBench();
}

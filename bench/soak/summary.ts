// The soak's figures from its samples, judged against issue 10's targets, as JSON and as markdown.
import type { Sample } from './sample.js';

export const TARGETS = { rssGrowthPct: 5, eventLoopP99Ms: 50, indicatorLatencyP99Ms: 1000 } as const;

export interface SoakSummary {
  minutes: number;
  /** The window RSS growth is judged on: the last 2/3 of the run (20 of 30 minutes). */
  window: { fromS: number; toS: number };
  /** `growthPct` is the trend (least squares); the start and end figures are a minute's median each. */
  rss: { startMiB: number; endMiB: number; growthPct: number; endToEndPct: number; peakMiB: number };
  heapUsed: { startMiB: number; endMiB: number; growthPct: number };
  /** V8's reserved heap and the file-mapped part of RSS over the same window (trend), when sampled. */
  heapTotal?: { growthPct: number; endMiB: number };
  rssFile?: { growthPct: number; endMiB: number };
  eventLoopP99Ms: { median: number; p90: number; max: number; windowsOverTarget: number; windows: number };
  /** Judged, like the event loop, after the first third (start, 1,270 connections, V8 warming up). */
  indicatorLatencyMs: { p50: number; p99: number; max: number; probes: number; timeouts: number };
  /** The same over the whole run, warm-up included. */
  indicatorLatencyWholeRunMs: { p50: number; p99: number; max: number; probes: number };
  load1: { median: number; max: number };
  /** The city's CPU use (% of a core) and its main thread's wait for a core (ms per s), medians. */
  cpu: { medianPct: number; runQueueMsPerS: number };
  met: { rss: boolean; eventLoop: boolean; indicatorLatency: boolean };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const MiB = 1024 * 1024;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const defined = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);

/** The median of up to 6 samples (a minute) from `i` on: one sample's GC moment does not make the figure. */
function minuteAt(values: number[], i: number): number {
  return percentile(values.slice(i, i + 6), 50);
}

/**
 * Growth over the window as the least-squares line through every sample, in % of the line's start. RSS
 * saws up and down with V8's major collections (every few minutes, by 10–15 %), so two end points would
 * measure where in a tooth they fell; the line over many teeth measures the trend.
 */
export function trendGrowthPct(points: readonly { t: number; v: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.v, 0) / n;
  let cov = 0;
  let vart = 0;
  for (const p of points) {
    cov += (p.t - mt) * (p.v - mv);
    vart += (p.t - mt) ** 2;
  }
  const slope = cov / vart;
  const t0 = points[0].t;
  const t1 = points[n - 1].t;
  const start = mv + slope * (t0 - mt);
  return ((slope * (t1 - t0)) / start) * 100;
}

export function summarise(
  samples: readonly Sample[],
  latencies: readonly (number | null)[],
  minutes: number,
): SoakSummary {
  const fromS = (minutes * 60) / 3;
  const inWindow = samples.filter((s) => s.t >= fromS);
  const rss = defined(inWindow.map((s) => s.rssBytes));
  const heap = defined(inWindow.map((s) => s.heapUsedBytes));
  const startRss = minuteAt(rss, 0);
  const endRss = minuteAt(rss, Math.max(0, rss.length - 6));
  const startHeap = minuteAt(heap, 0);
  const endHeap = minuteAt(heap, Math.max(0, heap.length - 6));
  // The event loop is judged after the warm-up too: the first minutes include start and 1,270 connections.
  const lag = defined(inWindow.map((s) => s.eventLoopP99Ms));
  // Probes and samples are taken together, one of each per 10 s.
  const measured = latencies.filter((_, i) => (samples[i]?.t ?? 0) >= fromS);
  const ok = defined(measured);
  const whole = defined([...latencies]);
  const rssGrowthPct = trendGrowthPct(
    inWindow.filter((x) => x.rssBytes !== null).map((x) => ({ t: x.t, v: x.rssBytes as number })),
  );
  const latencyP99 = percentile(ok, 99);
  const timeouts = measured.length - ok.length;
  return {
    minutes,
    window: { fromS: round(fromS, 0), toS: round(samples.at(-1)?.t ?? 0, 0) },
    rss: {
      startMiB: round(startRss / MiB),
      endMiB: round(endRss / MiB),
      growthPct: round(rssGrowthPct, 2),
      endToEndPct: round(((endRss - startRss) / startRss) * 100, 2),
      peakMiB: round(Math.max(...defined(samples.map((s) => s.rssBytes))) / MiB),
    },
    heapUsed: {
      startMiB: round(startHeap / MiB),
      endMiB: round(endHeap / MiB),
      growthPct: round(
        trendGrowthPct(
          inWindow
            .filter((x) => x.heapUsedBytes !== null)
            .map((x) => ({ t: x.t, v: x.heapUsedBytes as number })),
        ),
        2,
      ),
    },
    ...trendOf('heapTotal', inWindow, (x) => x.heapTotalBytes),
    ...trendOf('rssFile', inWindow, (x) => x.rssFileBytes),
    eventLoopP99Ms: {
      median: round(percentile(lag, 50)),
      p90: round(percentile(lag, 90)),
      max: round(Math.max(...lag)),
      windowsOverTarget: lag.filter((x) => x >= TARGETS.eventLoopP99Ms).length,
      windows: lag.length,
    },
    indicatorLatencyMs: {
      p50: round(percentile(ok, 50)),
      p99: round(latencyP99),
      max: round(Math.max(...ok)),
      probes: measured.length,
      timeouts,
    },
    indicatorLatencyWholeRunMs: {
      p50: round(percentile(whole, 50)),
      p99: round(percentile(whole, 99)),
      max: round(Math.max(...whole)),
      probes: latencies.length,
    },
    load1: {
      median: round(
        percentile(
          samples.map((s) => s.load1),
          50,
        ),
        2,
      ),
      max: round(Math.max(...samples.map((s) => s.load1)), 2),
    },
    cpu: {
      medianPct: round(percentile(defined(samples.map((s) => s.cpuPct)), 50)),
      runQueueMsPerS: round(percentile(defined(samples.map((s) => s.runQueueMsPerS)), 50)),
    },
    met: {
      rss: rssGrowthPct < TARGETS.rssGrowthPct,
      eventLoop: percentile(lag, 50) < TARGETS.eventLoopP99Ms,
      indicatorLatency: timeouts === 0 && latencyP99 < TARGETS.indicatorLatencyP99Ms,
    },
  };
}

function trendOf(
  key: 'heapTotal' | 'rssFile',
  samples: readonly Sample[],
  read: (s: Sample) => number | null | undefined,
): Partial<Pick<SoakSummary, 'heapTotal' | 'rssFile'>> {
  const points = samples
    .map((s) => ({ t: s.t, v: read(s) }))
    .filter((p): p is { t: number; v: number } => typeof p.v === 'number');
  if (points.length < 2) return {};
  return {
    [key]: {
      growthPct: round(trendGrowthPct(points), 2),
      endMiB: round(
        minuteAt(
          points.map((p) => p.v),
          Math.max(0, points.length - 6),
        ) / MiB,
      ),
    },
  };
}

export function markdown(s: SoakSummary, setup: string): string {
  const yes = (b: boolean) => (b ? 'met' : '**missed**');
  return [
    `# citygauge soak, ${s.minutes} min`,
    '',
    setup,
    '',
    '| figure | measured | target |',
    '| --- | --- | --- |',
    `| RSS growth over the last ${Math.round((s.minutes * 2) / 3)} min (trend of every sample) | ${s.rss.growthPct} % (a minute's median: ${s.rss.startMiB} → ${s.rss.endMiB} MiB, ${s.rss.endToEndPct} %; peak ${s.rss.peakMiB} MiB) | < ${TARGETS.rssGrowthPct} %: ${yes(s.met.rss)} |`,
    `| V8 heap used over the same window (trend) | ${s.heapUsed.growthPct} % (${s.heapUsed.startMiB} → ${s.heapUsed.endMiB} MiB) | — |`,
    ...(s.heapTotal && s.rssFile
      ? [
          `| V8 heap reserved; file-mapped RSS (trend) | ${s.heapTotal.growthPct} % (${s.heapTotal.endMiB} MiB at the end); ${s.rssFile.growthPct} % (${s.rssFile.endMiB} MiB) | — |`,
        ]
      : []),
    `| event-loop delay p99 per 10 s (median / p90 / worst) | ${s.eventLoopP99Ms.median} / ${s.eventLoopP99Ms.p90} / ${s.eventLoopP99Ms.max} ms; ${s.eventLoopP99Ms.windowsOverTarget} of ${s.eventLoopP99Ms.windows} windows ≥ ${TARGETS.eventLoopP99Ms} ms | < ${TARGETS.eventLoopP99Ms} ms: ${yes(s.met.eventLoop)} |`,
    `| indicator latency, publish → retained indicator changed, after the first third (p50 / p99 / worst) | ${s.indicatorLatencyMs.p50} / ${s.indicatorLatencyMs.p99} / ${s.indicatorLatencyMs.max} ms over ${s.indicatorLatencyMs.probes} probes, ${s.indicatorLatencyMs.timeouts} timeouts | p99 < ${TARGETS.indicatorLatencyP99Ms} ms: ${yes(s.met.indicatorLatency)} |`,
    ...(s.indicatorLatencyWholeRunMs
      ? [
          `| the same over the whole run | ${s.indicatorLatencyWholeRunMs.p50} / ${s.indicatorLatencyWholeRunMs.p99} / ${s.indicatorLatencyWholeRunMs.max} ms over ${s.indicatorLatencyWholeRunMs.probes} probes | — |`,
        ]
      : []),
    `| machine load average (1 min; median / max) | ${s.load1.median} / ${s.load1.max} | — |`,
    ...(s.cpu && Number.isFinite(s.cpu.medianPct)
      ? [
          `| the city's CPU use; its main thread waiting for a core (medians) | ${s.cpu.medianPct} % of a core; ${s.cpu.runQueueMsPerS} ms per s | — |`,
        ]
      : []),
    '',
  ].join('\n');
}

// One sample of the city process every 10 s: resident memory from the kernel (/proc) and, from its
// Prometheus /metrics, heap used and the event loop's delay p99 since the previous scrape (prom-client resets
// its histogram on every scrape). Metric names are matched loosely, so the soak reads them with or without
// the doubled `citygauge_process_process_` prefix of older builds.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

export interface Sample {
  /** Seconds since the soak started. */
  t: number;
  rssBytes: number | null;
  heapUsedBytes: number | null;
  /** What V8 has reserved for its heap (used plus free pages it keeps): RSS follows this, not `used`. */
  heapTotalBytes: number | null;
  /** The part of RSS that maps files (the node binary, libraries): grows as code first runs. */
  rssFileBytes: number | null;
  eventLoopP99Ms: number | null;
  /** How long the engine's latest snapshot took to evaluate and publish. */
  evaluationMs: number | null;
  load1: number;
  /** The city's CPU use since the previous sample, in % of one core. */
  cpuPct: number | null;
  /**
   * How long the city's main (JavaScript) thread waited for a free core since the previous sample, in ms
   * per second: on a shared machine this, not the code, is what delays the event loop.
   */
  runQueueMsPerS: number | null;
}

interface ProcTimes {
  at: number;
  cpuS: number;
  waitNs: number;
}

/** CPU seconds (user + system) and the main thread's run-queue wait from /proc, Linux only. */
function procTimes(pid: number): ProcTimes | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks of 1/100 s.
    const cpuS = (Number(fields[11]) + Number(fields[12])) / 100;
    const waitNs = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]);
    return { at: performance.now(), cpuS, waitNs };
  } catch {
    return undefined;
  }
}

/** The value of the first metric whose name ends in `suffix` (no labels, or any labels). */
export function metricValue(text: string, suffix: string): number | null {
  const re = new RegExp(`^[a-z_]*${suffix}(?:\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$`, 'm');
  const m = re.exec(text);
  return m && m[1] !== 'NaN' ? Number(m[1]) : null;
}

/** The kernel's resident set size of the process, independent of what it reports itself. */
export function procRssBytes(pid: number, field = 'VmRSS'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

let previous: ProcTimes | undefined;

export async function sampleCity(http: string, pid: number, t: number): Promise<Sample> {
  const times = procTimes(pid);
  const since = previous;
  previous = times;
  const elapsedS = times && since ? (times.at - since.at) / 1000 : 0;
  let text = '';
  try {
    const res = await fetch(`${http}/metrics`);
    text = await res.text();
  } catch {
    // A sample without the metrics still has the RSS and the load.
  }
  const lagS = metricValue(text, 'nodejs_eventloop_lag_p99_seconds');
  const evaluation = metricValue(text, 'evaluation_lag_seconds');
  return {
    t,
    rssBytes: procRssBytes(pid) ?? metricValue(text, 'process_resident_memory_bytes'),
    heapUsedBytes: metricValue(text, 'nodejs_heap_size_used_bytes'),
    heapTotalBytes: metricValue(text, 'nodejs_heap_size_total_bytes'),
    rssFileBytes: procRssBytes(pid, 'RssFile'),
    eventLoopP99Ms: lagS === null ? null : lagS * 1000,
    evaluationMs: evaluation === null ? null : evaluation * 1000,
    load1: loadavg()[0],
    cpuPct: times && since && elapsedS > 0 ? ((times.cpuS - since.cpuS) / elapsedS) * 100 : null,
    runQueueMsPerS: times && since && elapsedS > 0 ? (times.waitNs - since.waitNs) / 1e6 / elapsedS : null,
  };
}

// The history API (docs/contract.md §5, issue 4 item 4): `GET /api/indicators/{id}/history` answers
// `[{ts, value}]`, bucketed means, the same from whichever store keeps the history.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HistoryReader } from '../engine/sinks/points.js';
import { needs } from './access.js';
import { ErrorBody, sendError } from './errors.js';

export interface HistoryPluginOptions {
  reader: HistoryReader;
  knownIndicator: (id: string) => boolean;
  knownScope: (scope: string) => boolean;
}

const DAY_MS = 86_400_000;
/** A chart is a few hundred pixels wide: the default `every` keeps the answer near this many points. */
export const TARGET_POINTS = 300;
/** More buckets than this is a mistake or a scrape, not a chart. */
export const MAX_BUCKETS = 10_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };
/** Steps a person would pick for a chart, smallest first. */
const NICE_STEPS_MS = [
  '1s',
  '5s',
  '10s',
  '15s',
  '30s',
  '1m',
  '2m',
  '5m',
  '10m',
  '15m',
  '30m',
  '1h',
  '2h',
  '3h',
  '6h',
  '12h',
  '1d',
].map((d) => parseDuration(d)!);

/** `30s`, `5m`, `1h`, `7d`, `500ms` → ms; undefined when it is not one of those or not positive. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]] : 0;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

const describeStep = (ms: number) =>
  ms % DAY_MS === 0 ? 'days' : ms % 3_600_000 === 0 ? 'hours' : ms % 60_000 === 0 ? 'minutes' : `${ms} ms`;
/** Nice steps that are whole multiples of `stepMs`, as a person writes them. */
const examples = (stepMs: number) =>
  NICE_STEPS_MS.filter((s) => s % stepMs === 0)
    .filter((_, i, all) => i === 0 || i === 3 || i === 6 || i === all.length - 1)
    .map(formatDuration)
    .join(', ');

/** 60000 → `1m`, 86400000 → `1d`: the largest unit that divides it. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', DAY_MS],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** RFC 3339 (with its zone) or epoch ms → epoch ms; undefined otherwise. */
export function parseTime(text: string): number | undefined {
  const t = text.trim();
  const ms = /^\d+$/.test(t) ? Number(t) : RFC3339.test(t) ? Date.parse(t) : Number.NaN;
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Buckets align to the epoch (as the stores do), so a range can touch one more bucket than its width. */
export function bucketCount(from: number, to: number, everyMs: number): number {
  return Math.floor((to - 1) / everyMs) - Math.floor(from / everyMs) + 1;
}

/** The smallest nice step giving at most ~TARGET_POINTS buckets; whole days beyond a day. */
export function defaultEvery(rangeMs: number): number {
  const wanted = rangeMs / TARGET_POINTS;
  return NICE_STEPS_MS.find((s) => s >= wanted) ?? Math.ceil(wanted / DAY_MS) * DAY_MS;
}

const Query = z.object({
  scope: z.string().default('city').describe('`city` or a district'),
  from: z.string().optional().describe('RFC 3339 or epoch ms; default `to` − 24 h'),
  to: z.string().optional().describe('RFC 3339 or epoch ms; default now'),
  every: z
    .string()
    .optional()
    .describe(
      'bucket width: a whole number and ms, s, m, h or d, like `30s`, `5m`, `1h`; default gives ≤ ~300 points. ' +
        'The embedded store answers a range starting past its raw retention (7 days) in whole minutes only; ' +
        'another width is a 400',
    ),
});
const Point = z.object({ ts: z.string(), value: z.number().nullable() });

export const historyPlugin: FastifyPluginAsync<HistoryPluginOptions> = async (app, opts) => {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/indicators/:id/history',
    {
      ...needs('viewer'),
      schema: {
        tags: ['indicators'],
        summary: 'Mean value per bucket of `every`; buckets without data are left out',
        params: z.object({ id: z.string() }),
        querystring: Query,
        response: { 200: z.array(Point), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const q = req.query;
      if (!opts.knownIndicator(id)) return sendError(reply, 'not-found', `no indicator '${id}'`);
      if (!opts.knownScope(q.scope))
        return sendError(reply, 'not-found', `no scope '${q.scope}' (city or a district)`);

      const bad = (message: string) => sendError(reply, 'bad-request', message);
      const to = q.to === undefined ? Date.now() : parseTime(q.to);
      if (to === undefined) return bad(`to '${q.to}' is not a time: give RFC 3339 or epoch ms`);
      const from = q.from === undefined ? to - DAY_MS : parseTime(q.from);
      if (from === undefined) return bad(`from '${q.from}' is not a time: give RFC 3339 or epoch ms`);
      if (from >= to) return bad('from must be before to: swap them or widen the range');
      const step = opts.reader.buckets?.(from) ?? { stepMs: 1, why: '' };
      const everyMs =
        q.every === undefined
          ? Math.ceil(defaultEvery(to - from) / step.stepMs) * step.stepMs
          : parseDuration(q.every);
      if (everyMs === undefined)
        return bad(
          `every '${q.every}' is not a duration: give a whole number and one of ms, s, m, h, d, like 30s, 5m, 1h or 1d`,
        );
      // A width the store cannot answer would come back silently coarser (10s as 1-minute buckets): refuse it.
      if (everyMs % step.stepMs !== 0)
        return bad(
          `every '${q.every}' is not supported from ${new Date(from).toISOString()}: ${step.why}; ` +
            `give a whole number of ${describeStep(step.stepMs)}, like ${examples(step.stepMs)}, or a later from`,
        );
      const buckets = bucketCount(from, to, everyMs);
      if (buckets > MAX_BUCKETS) {
        const least = NICE_STEPS_MS.find((s) => bucketCount(from, to, s) <= MAX_BUCKETS);
        const hint = least ? `every=${least / 1000}s or more` : 'a larger every';
        return bad(`${buckets} buckets is more than ${MAX_BUCKETS}: ask for ${hint} or a shorter range`);
      }
      return opts.reader.history({ id, scope: q.scope, from, to, everyMs });
    },
  );
};

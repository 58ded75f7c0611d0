// Stopping on SIGTERM or SIGINT within a bound (issue 10): the parts close one after the other, data first,
// and whatever has not closed when the time is up is left behind, named in the log, so a supervisor's
// stop (systemd's 90 s, Kubernetes' 30 s, a person's Ctrl-C) never has to kill the process.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** The whole stop, signal to exit, must fit in 10 s; the steps get this much, the exit the rest. */
export const STOP_WITHIN_MS = 9000;

export interface StopStep {
  /** Names the part in the log if it fails or does not close in time. */
  name: string;
  run: () => Promise<unknown> | unknown;
}

export interface StopResult {
  /** Steps that threw (each logged). */
  failed: string[];
  /** Steps not finished when the time ran out: the one under way and those after it. */
  notClosed: string[];
  /** How long each finished step took, by name (for the log). */
  tookMs: Record<string, number>;
}

/** Run the steps in order, each after the one before, until they are done or `withinMs` is up. */
export async function stopInOrder(
  steps: readonly StopStep[],
  log: Logger,
  withinMs = STOP_WITHIN_MS,
): Promise<StopResult> {
  const failed: string[] = [];
  const tookMs: Record<string, number> = {};
  let next = 0;
  const run = (async () => {
    for (; next < steps.length; next++) {
      const started = performance.now();
      try {
        await steps[next].run();
      } catch (err) {
        failed.push(steps[next].name);
        log.error({ err, part: steps[next].name }, `could not close ${steps[next].name}`);
      }
      tookMs[steps[next].name] = Math.round(performance.now() - started);
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<'time-up'>((resolve) => {
    timer = setTimeout(() => resolve('time-up'), withinMs);
  });
  const outcome = await Promise.race([run.then(() => 'done' as const), timeUp]);
  clearTimeout(timer);
  const notClosed = outcome === 'time-up' ? steps.slice(next).map((s) => s.name) : [];
  if (notClosed.length)
    log.warn(
      { notClosed },
      `stop took longer than ${withinMs / 1000} s: exiting without waiting for ${notClosed.join(', ')}`,
    );
  return { failed, notClosed, tookMs };
}

/** Call `stop` on the first SIGINT or SIGTERM; a second signal exits at once. */
export function onStopSignal(stop: (signal: NodeJS.Signals) => void): void {
  const handler = (signal: NodeJS.Signals) => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    // A second Ctrl-C (or TERM) means now: the default action ends the process.
    stop(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/**
 * Close an HTTP server: requests in flight get `graceMs` to finish, then their connections are cut (an
 * upload on a slow link, a half-sent request), which would otherwise hold the close for minutes.
 */
export async function closeHttp(app: FastifyInstance, graceMs = 2000): Promise<void> {
  const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}

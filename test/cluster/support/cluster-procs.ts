// The cluster's processes for end-to-end tests: `citygauge broker|engine|api --cluster` as real child
// processes, their logs kept for assertions and failure messages.
import { type ChildProcess, spawn } from 'node:child_process';
import { ClusterLog } from '../../../cluster/log.js';
import type { LogMessage } from '../../../cluster/log-record.js';
import { CLI } from '../../support/cli.js';
import { waitFor } from '../../support/wait.js';

/** The break-glass admin token every node is started with (CITYGAUGE_ADMIN_TOKEN). */
export const CLUSTER_ADMIN_TOKEN = 'cluster-test-admin-token-0123456789';

export interface NodeProc {
  name: string;
  proc: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of `re` in the output, polling until `timeoutMs`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export function startNode(name: string, args: string[]): NodeProc {
  const proc = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CITYGAUGE_ADMIN_TOKEN: CLUSTER_ADMIN_TOKEN },
  });
  let out = '';
  proc.stdout?.on('data', (d) => {
    out += d;
  });
  proc.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    name,
    proc,
    output: () => out,
    async waitFor(re, timeoutMs = 60_000) {
      return waitFor(
        () => `${name} to print ${re}:\n${out.slice(-3000)}`,
        () => {
          if (proc.exitCode !== null)
            throw new Error(`${name} exited (${proc.exitCode}) before ${re}:\n${out.slice(-3000)}`);
          return out.match(re) ?? undefined;
        },
        timeoutMs,
      );
    },
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const force = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(force);
    },
  };
}

/** Every device message in the log, in receive-time order, as replay lines (docs/contract.md §5). */
export async function logAsRecording(urls: string[]): Promise<string> {
  const log = await ClusterLog.connect(urls, { name: 'test-reader' });
  try {
    const partitions = await log.partitions();
    const messages: LogMessage[] = [];
    for (let p = 0; p < partitions; p++) {
      const head = await log.headSeq(p);
      if (head === 0) continue;
      let reached: () => void = () => {};
      const caughtUp = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const reader = await log.read(p, 0, (e) => {
        if (e.record.kind === 'message') messages.push(e.record);
        if (e.seq >= head) reached();
      });
      const timer = setTimeout(() => reached(), 30_000);
      await caughtUp;
      clearTimeout(timer);
      await reader.stop();
    }
    messages.sort((a, b) => a.receivedAt - b.receivedAt);
    return messages
      .map((m) =>
        JSON.stringify({
          t: new Date(m.receivedAt).toISOString(),
          topic: m.topic,
          payload: Buffer.from(m.payload).toString('utf8'),
        }),
      )
      .join('\n');
  } finally {
    await log.close();
  }
}

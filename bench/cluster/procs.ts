// Child processes and what /proc says about them, for bench:cluster: a node child speaking JSON lines, the
// CPU seconds and resident memory of any process by pid, and the whole machine's busy time (it is shared).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these. */
const TICKS_PER_SECOND = 100;

export interface JsonChild {
  child: ChildProcess;
  /** Every JSON line printed so far, in order. */
  lines: Record<string, unknown>[];
  /** The first line (from now on, or already printed) whose `type` is `type`. */
  next(type: string, timeoutMs: number): Promise<Record<string, unknown>>;
  last(type: string): Record<string, unknown> | undefined;
  send(command: string): void;
  stop(): Promise<void>;
}

/** `node script args…`; a plain (non-JSON) line `ready` is reported as type "ready". */
export function startJsonChild(name: string, script: string, args: string[]): JsonChild {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let stderr = '';
  let buffered = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  child.stdout?.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const l of parts) {
      if (l.startsWith('{')) lines.push(JSON.parse(l));
      else if (l.trim() === 'ready') lines.push({ type: 'ready' });
    }
    for (const w of waiters.splice(0)) w();
  });
  child.on('exit', () => {
    for (const w of waiters.splice(0)) w();
  });
  const last = (type: string) => lines.findLast((l) => l.type === type);
  return {
    child,
    lines,
    last,
    next(type, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find((l) => l.type === type);
          if (found) return resolve(found);
          if (child.exitCode !== null || child.signalCode !== null)
            return reject(
              new Error(
                `${name} exited (${child.exitCode ?? child.signalCode}) before '${type}':\n${stderr}`,
              ),
            );
          if (Date.now() > deadline)
            return reject(new Error(`${name} printed no '${type}' within ${timeoutMs / 1000} s:\n${stderr}`));
          waiters.push(check);
          setTimeout(check, 1000).unref();
        };
        check();
      });
    },
    send(command) {
      if (child.stdin?.writable) child.stdin.write(`${command}\n`);
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

export interface ProcSample {
  /** user + system CPU seconds since the process started. */
  cpuS: number;
  rssKiB: number;
}

export function procSample(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5) (utime, stime) are 11 and 12 after the command name and state.
  const cpuS = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuS, rssKiB: rss ? Number(rss[1]) : 0 };
}

/** Busy and total CPU seconds of the whole machine since boot (all cores), from /proc/stat. */
export function machineCpu(): { busyS: number; totalS: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = cpu[3] + cpu[4];
  return { busyS: (total - idle) / TICKS_PER_SECOND, totalS: total / TICKS_PER_SECOND };
}

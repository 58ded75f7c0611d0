// A server binary the test harness runs and can stop and start again on the same port and data (outage
// tests): spawned, polled on its health URL until it answers, stopped with SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';

export interface ServerProcess {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function serverProcess(
  name: string,
  binary: string,
  args: readonly string[],
  healthy: () => Promise<boolean>,
  what: string,
): ServerProcess {
  let child: ChildProcess | undefined;
  return {
    async start() {
      const proc = spawn(binary, [...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = proc;
      let stderr = '';
      proc.stderr?.on('data', (d) => {
        stderr = (stderr + d).slice(-4000);
      });
      const deadline = Date.now() + 20_000;
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}:\n${stderr}`);
        if (await healthy().catch(() => false)) return;
        if (Date.now() > deadline) {
          proc.kill('SIGKILL');
          throw new Error(`${name} did not answer ${what} within 20 s:\n${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      });
    },
  };
}

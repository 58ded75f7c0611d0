// Starting a broker under test for the ingest bench, each in its own process so it gets a core's worth of
// scheduling like a real deployment: Debian's Mosquitto, bare aedes, or citygauge's broker + engine.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export interface Started {
  child: ChildProcess;
  /** Lines the process printed on stdout (citygauge prints its counts). */
  lines: string[];
  stop(): Promise<void>;
}

export function startProcess(cmd: string, args: string[], readyLine = 'ready'): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    let ready = readyLine === '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.stdout?.on('data', (d: Buffer) => {
      for (const l of d.toString().split('\n').filter(Boolean)) {
        lines.push(l);
        if (!ready && l.includes(readyLine)) {
          ready = true;
          resolve(started);
        }
      }
    });
    child.on('exit', (code) => {
      if (!ready) reject(new Error(`${cmd} ${args.join(' ')} exited ${code} before it was ready\n${stderr}`));
    });
    const started: Started = {
      child,
      lines,
      stop: () =>
        new Promise((r) => {
          if (child.exitCode !== null || child.signalCode !== null) return r();
          child.once('exit', () => r());
          child.kill('SIGTERM');
        }),
    };
    if (ready) resolve(started);
  });
}

export async function startMosquitto(port: number): Promise<Started> {
  const conf = join(tmpdir(), `citygauge-bench-mosquitto-${port}.conf`);
  writeFileSync(
    conf,
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 1000000\n`,
  );
  const s = await startProcess('/usr/sbin/mosquitto', ['-c', conf], '');
  await waitForListen(port);
  return s;
}

export function startBareAedes(port: number): Promise<Started> {
  return startProcess(process.execPath, [join(here, 'bare-aedes.js'), String(port)]);
}

async function waitForListen(port: number): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing listens on ${port}`);
}

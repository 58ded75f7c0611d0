// `citygauge broker` as a user runs it: it admits the registry's devices, prints its URLs and service
// tokens once, and closes cleanly on SIGINT. Runs the built command (npm test builds first).
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryStore } from '../../registry/store.js';
import { makeInventory } from '../support/city.js';
import { CLI } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { connectClient, grantedQos } from './harness.js';

let child: ChildProcess | undefined;
afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

/** Output so far, once `pattern` has appeared on stdout. */
function waitForOutput(proc: ChildProcess, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} in ${timeoutMs} ms:\n${out}\n${err}`)),
      timeoutMs,
    );
    proc.stderr?.on('data', (d) => {
      err += d;
    });
    proc.stdout?.on('data', (d) => {
      out += d;
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    proc.once('exit', (code) => reject(new Error(`exited ${code} before ${pattern}:\n${out}\n${err}`)));
  });
}

describe('citygauge broker', () => {
  it('admits registered devices, prints its URLs, and stops cleanly on SIGINT', async () => {
    const dataDir = tempDir('citygauge-broker-cli-');
    const store = await RegistryStore.open(dataDir);
    store.upsert(makeInventory({ devices: [{ id: 'pm-1', kind: 'pipe-monitor' }] }));
    const token = store.credentials().issue('pm-1', 'device');
    store.close();
    const [mqttPort, wsPort] = [await freePort(), await freePort()];

    child = spawn(
      process.execPath,
      [
        ...[CLI, 'broker', '--data-dir', dataDir, '--host', '127.0.0.1'],
        ...['--mqtt-port', String(mqttPort), '--ws-port', String(wsPort)],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out = await waitForOutput(child, /Ctrl-C/);
    expect(out).toContain(`mqtt://127.0.0.1:${mqttPort}`);
    expect(out).toContain(`ws://127.0.0.1:${wsPort}`);
    const engineToken = /service:engine\s+token (\S+)/.exec(out)?.[1];
    expect(engineToken).toBeTruthy();

    const device = await connectClient(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: 'pm-1',
      username: 'pm-1',
      password: token,
    });
    expect(await grantedQos(device, ['city/pipe-monitor/pm-1/cmd/#', 'city/#'])).toEqual([1, 128]);
    const engine = await connectClient(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: 'citygauge-engine',
      username: 'service:engine',
      password: engineToken,
    });
    expect(await grantedQos(engine, ['city/#'])).toEqual([1]);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    const deviceClosed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await deviceClosed;
    engine.end(true);
  }, 30_000);

  it('warns loudly with --allow-anonymous, and then admits clients without credentials', async () => {
    const mqttPort = await freePort();
    child = spawn(
      process.execPath,
      [
        CLI,
        'broker',
        '--data-dir',
        tempDir('citygauge-broker-cli-'),
        '--host',
        '127.0.0.1',
        '--mqtt-port',
        String(mqttPort),
        '--allow-anonymous',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    await waitForOutput(child, /Ctrl-C/);
    expect(stderr).toMatch(/--allow-anonymous: ANYONE/);
    // And in the structured log, which pino writes asynchronously: it may land just after the banner.
    await expect.poll(() => stderr, { timeout: 5000 }).toMatch(/ANONYMOUS ACCESS IS ON/);
    const anon = await connectClient(`mqtt://127.0.0.1:${mqttPort}`, {});
    anon.end(true);
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});

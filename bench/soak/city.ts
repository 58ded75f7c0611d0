// The city the soak runs: the sample city copied to a temporary folder with one indicator of the soak's own
// (`soak.probe`: the share of HD sensors online). The sample city has no HD sensor, so the one probe sensor
// flips that indicator for its district between 0 and 100 and the simulated fleet never moves it.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const SAMPLE_CITY = fileURLToPath(new URL('../../../examples/sample-city/', import.meta.url));

export const PROBE_DISTRICT = 'old-town';
export const PROBE_INDICATOR = 'soak.probe';

/** Writes the soak's inventory into `dir` (created) and returns it. */
export function soakInventory(dir: string): string {
  cpSync(SAMPLE_CITY, dir, { recursive: true });
  writeFileSync(
    join(dir, 'indicators.json'),
    JSON.stringify([
      {
        id: PROBE_INDICATOR,
        name: 'Soak probe: HD sensors online',
        kind: 'device-share',
        devices: { kind: 'sensor', hd: true },
        numerator: { condition: 'online' },
      },
    ]),
  );
  return dir;
}

export interface CityChild {
  child: ChildProcess;
  http: string;
  mqttUrl: string;
  /** MQTT service accounts printed on first start (username → token). */
  serviceTokens: Record<string, string>;
  /** The last lines the city printed, for a failure message. */
  tail(): string;
  stop(): Promise<void>;
}

/** `citygauge start` on the given ports; resolves once it printed its banner (fleet included). */
export function startCityChild(opts: {
  dataDir: string;
  inventory: string;
  httpPort: number;
  mqttPort: number;
  adminToken: string;
  extraArgs: string[];
}): Promise<CityChild> {
  const args = [
    CLI,
    'start',
    '--data-dir',
    opts.dataDir,
    '--inventory',
    opts.inventory,
    '--http-port',
    String(opts.httpPort),
    '--mqtt-port',
    String(opts.mqttPort),
    ...opts.extraArgs,
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, CITYGAUGE_ADMIN_TOKEN: opts.adminToken, CITYGAUGE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stderr?.on('data', keep);
  return new Promise((resolve, reject) => {
    let banner = '';
    let running = false;
    child.stdout?.on('data', (d: Buffer) => {
      keep(d);
      if (running) return;
      banner += d.toString();
      if (banner.includes('Ctrl-C stops everything')) {
        running = true;
        const serviceTokens: Record<string, string> = {};
        for (const m of banner.matchAll(/MQTT account\s+(\S+) \/ (\S+)/g)) serviceTokens[m[1]] = m[2];
        resolve({
          child,
          http: `http://127.0.0.1:${opts.httpPort}`,
          mqttUrl: `mqtt://127.0.0.1:${opts.mqttPort}`,
          serviceTokens,
          tail: () => out.slice(-3000),
          stop: () =>
            new Promise<void>((r) => {
              if (child.exitCode !== null || child.signalCode !== null) return r();
              const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
              child.once('exit', () => {
                clearTimeout(force);
                r();
              });
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`citygauge start exited (${code ?? signal}) before it was running:\n${out}`)),
    );
  });
}

// deploy/local/cluster up that fails part-way (here: an inventory that is not there, imported once
// nats-server and PostgreSQL run) stops what it had started and says why. Apart from local-cluster.test.ts
// so the two run side by side.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isRunning, PORTS_USED } from '../../deploy/local/topology.js';
import { freePortRange } from '../support/ports.js';

const LAUNCHER = fileURLToPath(new URL('../../deploy/local/cluster', import.meta.url));

/** Processes whose command line names `dir`: nats-server's config, the postmaster's data dir, the nodes. */
function processesIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter(isRunning);
}

describe('deploy/local/cluster up that fails', () => {
  it('stops what it had started, PostgreSQL included, and says why', async () => {
    const failing = mkdtempSync(join(tmpdir(), 'citygauge-local-cluster-fail-'));
    const base = await freePortRange(PORTS_USED);
    const args = ['up', '--base-port', String(base), '--inventory', join(failing, 'no-such-inventory')];
    const err = await promisify(execFile)(LAUNCHER, [...args, '--dir', failing], { timeout: 180_000 }).then(
      () => undefined,
      (e: Error & { stderr?: string }) => e,
    );
    expect(err?.stderr).toMatch(/citygauge import .*no-such-inventory failed: .*does not exist/);
    expect(existsSync(join(failing, 'cluster.json'))).toBe(false);
    // PostgreSQL had started (the import comes after it), and is gone.
    expect(existsSync(join(failing, 'pg', 'data', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(failing, 'pg', 'data', 'postmaster.pid'))).toBe(false);
    expect(processesIn(failing)).toEqual([]);
    rmSync(failing, { recursive: true, force: true });
  }, 120_000);
});

// `citygauge import` (dist/, build first) beyond test/cli/import.test.ts: what a failed or dry run leaves
// on disk, and the exit codes of bad arguments.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RegistryStore } from '../../registry/store.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { BAD, GOOD } from './temp-inventory.js';

const registryIn = (data: string) => join(data, 'registry.sqlite');
const countsIn = async (data: string) => {
  const store = await RegistryStore.open(data);
  const counts = store.counts();
  store.close();
  return counts;
};

describe('citygauge import', () => {
  it('prints what each file contributed, and nothing on stderr', async () => {
    const data = tempDir();
    const r = await runCli(['import', GOOD, '--data-dir', data]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      `imported into ${data}/registry.sqlite: areas 3, pipe segments 2, routes 5, sites 2, devices 8\n`,
    );
  });

  it('says the valid rows went in when some did not, and exits 1', async () => {
    const data = tempDir();
    const r = await runCli(['import', BAD, '--data-dir', data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "devices.csv:3: kind: expected one of cctv, cctv-gateway, pipe-monitor, transit-beacon, sensor (got 'camera')\n",
    );
    expect(r.stderr).toContain('the valid rows were imported');
    expect(r.stdout).toMatch(/devices 2 \(1 bad row\)\n$/);
    expect((await countsIn(data)).devices).toBe(2);
  });

  it('with --strict and a bad row, creates no registry and leaves an existing one as it was', async () => {
    const fresh = tempDir();
    expect((await runCli(['import', BAD, '--data-dir', fresh, '--strict'])).code).toBe(1);
    expect(existsSync(registryIn(fresh))).toBe(false);

    const data = tempDir();
    await runCli(['import', GOOD, '--data-dir', data]);
    const before = await countsIn(data);
    const r = await runCli(['import', BAD, '--data-dir', data, '--strict']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('nothing imported: --strict and 1 bad row; fix them and run again\n');
    expect(await countsIn(data)).toEqual(before);
  });

  it('on --dry-run leaves an existing registry untouched and says what it would do', async () => {
    const data = tempDir();
    await runCli(['import', GOOD, '--data-dir', data]);
    const modified = statSync(registryIn(data)).mtimeMs;
    const lenient = await runCli(['import', BAD, '--data-dir', data, '--dry-run']);
    expect(lenient.code).toBe(1);
    expect(lenient.stdout).toMatch(
      /^dry run, nothing written: would import areas 2, .*devices 2 \(1 bad row\)\n$/,
    );
    const strict = await runCli(['import', BAD, '--data-dir', data, '--dry-run', '--strict']);
    expect(strict.stdout).toBe('dry run, nothing written: would import nothing, --strict and 1 bad row\n');
    expect(statSync(registryIn(data)).mtimeMs).toBe(modified);
    expect((await countsIn(data)).devices).toBe(8);
  });

  it('exits 2 for a folder holding no inventory file, naming the files it looks for', async () => {
    const r = await runCli(['import', tempDir(), '--data-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /holds none of the inventory files: put city\.json, areas\.csv, .*devices\.csv there/,
    );
  });

  it('exits 2 when --data-dir is a file, naming the flag', async () => {
    const file = join(tempDir(), 'not-a-folder');
    writeFileSync(file, '');
    const r = await runCli(['import', GOOD, '--data-dir', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot open the registry in '.*not-a-folder'.*: check --data-dir/);
  });

  it('exits 2 for an unknown option or a missing folder argument', async () => {
    expect((await runCli(['import', GOOD, '--force'])).code).toBe(2);
    expect((await runCli(['import'])).code).toBe(2);
  });
});

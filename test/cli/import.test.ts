// `citygauge import DIR` as a field engineer runs it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RegistryStore } from '../../registry/store.js';
import { runCli } from '../support/cli.js';
import { DEVICE_HEADER, inventoryDir, tempDir } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
const withBadRow = () =>
  inventoryDir({
    'areas.csv': 'id,class,district,name\nplaza,key-public,centre,Plaza\n',
    'devices.csv': `${DEVICE_HEADER}\ncam-1,cctv,,plaza,,true,,,\ncam-2,camera,,plaza,,,,,\n`,
  });
const devicesIn = async (dataDir: string) => {
  const store = await RegistryStore.open(dataDir);
  const ids = [...store.load().devices.keys()];
  store.close();
  return ids;
};

describe('citygauge import', () => {
  it('imports an inventory folder and says what it imported', async () => {
    const data = tempDir();
    const r = await runCli(['import', TOWN, '--data-dir', data]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /imported into .*registry\.sqlite: areas 4, pipe segments 2, routes 2, sites 2, devices 9/,
    );
    expect(await devicesIn(data)).toHaveLength(9);
  });

  it('reports a bad row as file:line: reason, applies the rest and exits 1', async () => {
    const data = tempDir();
    const r = await runCli(['import', withBadRow(), '--data-dir', data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^devices\.csv:3: kind: .*\(got 'camera'\)$/m);
    expect(r.stdout).toMatch(/devices 1 \(1 bad row\)/);
    expect(await devicesIn(data)).toEqual(['cam-1']);
  });

  it('applies nothing with --strict when a row is bad', async () => {
    const data = tempDir();
    const r = await runCli(['import', withBadRow(), '--data-dir', data, '--strict']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/nothing imported: --strict and 1 bad row/);
    expect(await devicesIn(data)).toEqual([]);
  });

  it('writes nothing on --dry-run, not even the database file', async () => {
    const data = join(tempDir(), 'data');
    const r = await runCli(['import', TOWN, '--data-dir', data, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dry run, nothing written: would import areas 4, .* devices 9/);
    expect(existsSync(join(data, 'registry.sqlite'))).toBe(false);
  });

  it('checks references against what the registry already holds', async () => {
    const data = tempDir();
    await runCli(['import', TOWN, '--data-dir', data]);
    const more = inventoryDir({ 'devices.csv': `${DEVICE_HEADER}\ncam-9,cctv,,plaza,gw-1,,,,\n` });
    const r = await runCli(['import', more, '--data-dir', data]);
    expect(r.code).toBe(0);
    expect(await devicesIn(data)).toHaveLength(10);
  });

  it('exits 2 for a folder that does not exist', async () => {
    const r = await runCli(['import', '/nonexistent/inventory', '--data-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/inventory folder '\/nonexistent\/inventory' does not exist/);
  });
});

// `citygauge demo` (npm start) as a newcomer runs it: sample city into the registry, replayed, tabled.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RegistryStore } from '../../registry/store.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

describe('citygauge demo', () => {
  it('imports the sample city on first start, records and replays its traffic, and prints a table', async () => {
    const data = tempDir();
    const r = await runCli(['demo', '--data-dir', data, '--hours', '0.25'], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/first start: imported .*sample-city.* into .*registry\.sqlite/);
    const store = await RegistryStore.open(data);
    expect(store.counts()).toMatchObject({ devices: expect.any(Number), routes: 60 });
    expect(store.counts().devices).toBeGreaterThan(2900);
    store.close();
    expect(readdirSync(data).filter((f) => f.endsWith('.jsonl'))).toEqual(['sample-42-0.25h.jsonl']);

    const header = r.stdout.split('\n').find((l) => l.startsWith('indicator'))!;
    expect(header.split(/\s+/)).toEqual(
      expect.arrayContaining([
        'city',
        'eastfield',
        'harbor',
        'northgate',
        'old-town',
        'riverside',
        'university',
      ]),
    );
    const row = r.stdout.split('\n').find((l) => l.startsWith('availability.cctv '))!;
    const cityValue = Number(row.split(/\s+/)[1]);
    expect(cityValue).toBeGreaterThan(80);
    expect(cityValue).toBeLessThanOrEqual(100);
    expect(r.stdout).toMatch(/replayed [\d,]+ messages .* rejected: .*duplicate \d+/);
  });

  it('reads the registry on later runs instead of importing again', async () => {
    const data = tempDir();
    await runCli(['demo', '--data-dir', data, '--hours', '0.05'], { timeoutMs: 120_000 });
    const again = await runCli(['demo', '--data-dir', data, '--hours', '0.05'], { timeoutMs: 120_000 });
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/first start/);
    expect(existsSync(join(data, 'registry.sqlite'))).toBe(true);
  });
});

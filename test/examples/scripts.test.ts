// The example scripts as a user runs them, built (`npm run build`): generate a city, record its traffic.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../../dist/examples/', import.meta.url));
const run = (script: string, args: string[]) =>
  spawnSync(process.execPath, [join(DIST, script), ...args], { encoding: 'utf8', timeout: 60_000 });

describe('example scripts', () => {
  it('generate-city.js writes an inventory folder and says what is in it', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'citygauge-gen-')), 'city');
    const r = run('generate-city.js', [out, '--seed', '7']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('"devices":2970');
    expect(readFileSync(join(out, 'devices.csv'), 'utf8').split('\n')[0]).toMatch(
      /^id,kind,district,asset_id/,
    );
  });

  it('record.js records the sample city with progress on stderr', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'citygauge-rec-')), 'data', 'sample.jsonl');
    const inventory = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));
    const r = run('record.js', ['--inventory', inventory, '--out', out, '--hours', '0.02', '--seed', '42']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/recording 0\.02 h: 100 %/);
    expect(r.stderr).toMatch(/lines\/s/);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(5000);
    expect(JSON.parse(lines[0]).t).toMatch(/^2026-01-05T06:00:0\d\.\d{3}Z$/);
  });

  it('record.js says what is wrong with a missing inventory and exits 1', () => {
    const r = run('record.js', [
      '--inventory',
      '/nonexistent',
      '--out',
      join(tmpdir(), 'x.jsonl'),
      '--hours',
      '0.01',
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/record: inventory folder '\/nonexistent' does not exist/);
  });
});

// generate-city's shapes: the metro is reproducible, any shape scales to a requested size, and a size
// that cannot be laid out is refused with the reason.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkShape, deviceCount, METRO_SHAPE, SAMPLE_SHAPE } from '../../examples/city/shape.js';
import { cityShape, DEFAULT_SEED, generateSampleCity } from '../../examples/generate-city.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { tempDir } from '../support/tmp.js';

const FILES = [
  'areas.csv',
  'city.json',
  'devices.csv',
  'pipe_segments.csv',
  'routes.txt',
  'sites.csv',
  'stops.txt',
];

describe('generateSampleCity with a shape', () => {
  it('writes the same metro for the same seed and another for the next seed', () => {
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    generateSampleCity(a, 5, { shape: METRO_SHAPE });
    generateSampleCity(b, 5, { shape: METRO_SHAPE });
    generateSampleCity(c, 6, { shape: METRO_SHAPE });
    for (const f of FILES)
      expect(readFileSync(join(b, f), 'utf8') === readFileSync(join(a, f), 'utf8'), f).toBe(true);
    expect(
      readFileSync(join(c, 'devices.csv'), 'utf8') === readFileSync(join(a, 'devices.csv'), 'utf8'),
    ).toBe(false);
  });

  it('scales a shape to about the devices asked for, a city the registry accepts whole', async () => {
    const out = tempDir();
    const summary = generateSampleCity(out, DEFAULT_SEED, { shape: cityShape('metro', 6000) });
    expect(Math.abs(summary.devices - 6000)).toBeLessThan(30);
    const { inventory, errors } = await loadInventoryDir(out, { strict: true });
    expect(errors).toEqual([]);
    expect(inventory.devices.size).toBe(summary.devices);
    expect(inventory.city.timeZone).toBe('America/Denver');
    const big = cityShape('sample', 2 * deviceCount(SAMPLE_SHAPE));
    expect(big.cameras).toBe(4000);
    expect(big.districts).toBe(SAMPLE_SHAPE.districts);
  });

  it('refuses an unknown shape and a size too small to lay out, saying why', () => {
    expect(() => cityShape('village')).toThrow(/--shape must be one of sample, metro, got 'village'/);
    expect(() => cityShape('metro', 12.5)).toThrow(/whole number of at least 100/);
    expect(() => checkShape({ ...METRO_SHAPE, gateways: 15_000 })).toThrow(
      /this city cannot be laid out: more gateways than cameras behind them/,
    );
    expect(() => cityShape('metro', 100)).toThrow(
      /cannot be laid out: more monitored pollution sites than sites/,
    );
  });

  it('is a command that will not write a metro over the sample city', () => {
    const script = join(import.meta.dirname, '../../dist/examples/generate-city.js');
    let stderr = '';
    try {
      execFileSync(process.execPath, [script, '--shape', 'metro'], { stdio: 'pipe' });
    } catch (err) {
      stderr = String((err as { stderr: Buffer }).stderr);
    }
    expect(stderr).toMatch(/give an output folder for any city but the default sample city/);
    const out = tempDir();
    execFileSync(process.execPath, [script, out, '--shape', 'metro', '--devices', '3000', '--seed', '9'], {
      stdio: 'pipe',
    });
    expect(readFileSync(join(out, 'city.json'), 'utf8')).toContain('"name": "Front Range Metro"');
  });
});

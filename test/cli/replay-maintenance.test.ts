// `citygauge replay --maintenance FILE.json` on test/fixtures/town: a window on cam-3 from 70 s to 80 s
// changes camera availability exactly at those instants (t − 1 ms vs t), as the live engine does.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
const T0 = Date.parse('2026-01-05T08:00:00Z');
const t = (s: number) => new Date(T0 + s * 1000).toISOString();
const line = (s: number, topic: string, payload: unknown) => JSON.stringify({ t: t(s), topic, payload });

const RECORDING = [
  ...[0, 50].map((s) => line(s, 'city/cctv-gateway/gw-1/status', { state: 'online', ts: 1 })),
  ...[0, 50].flatMap((s) =>
    ['cam-1', 'cam-2', 'cam-4'].map((id) => line(s, `city/cctv/${id}/status`, { state: 'online', ts: 1 })),
  ),
  line(0, 'city/cctv/cam-3/status', { state: 'online', ts: 1 }),
  line(50, 'city/cctv/cam-3/status', { state: 'offline', ts: 1 }),
].join('\n');

function files(windows: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'citygauge-replay-maint-'));
  const input = join(dir, 'rec.jsonl');
  const maintenance = join(dir, 'maintenance.json');
  writeFileSync(input, `${RECORDING}\n`);
  writeFileSync(maintenance, JSON.stringify(windows));
  return { input, maintenance };
}

interface Row {
  id: string;
  scope: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  excluded?: { maintenance: number };
  plannedGap?: number;
}

describe('replay --maintenance', () => {
  it('opens and closes a window at its exact instants', async () => {
    const { input, maintenance } = files([{ start: t(70), end: t(80), reason: 'lens', devices: ['cam-3'] }]);
    const ats = [T0 + 70_000 - 1, T0 + 70_000, T0 + 80_000 - 1, T0 + 80_000].map((ms) =>
      new Date(ms).toISOString(),
    );
    const r = await runCli([
      'replay',
      '--inventory',
      TOWN,
      '--input',
      input,
      '--maintenance',
      maintenance,
      '--at',
      ...ats,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { at: string; indicators: Row[] });
    const pick = (i: number, id: string) =>
      lines[i].indicators.find((x) => x.id === id && x.scope === 'city')!;
    expect(lines.map((l) => pick(lines.indexOf(l), 'availability.cctv'))).toMatchObject([
      { value: 75, numerator: 3, denominator: 4, excluded: { maintenance: 0 } },
      { value: 100, numerator: 3, denominator: 3, excluded: { maintenance: 1 } },
      { value: 100, numerator: 3, denominator: 3, excluded: { maintenance: 1 } },
      { value: 75, numerator: 3, denominator: 4, excluded: { maintenance: 0 } },
    ]);
    // L2.2.1.b4, available cameras in key public areas (cam-1..3): the ISO value stays, its gap is planned.
    expect(lines.map((l) => pick(lines.indexOf(l), 'L2.2.1.b4'))).toMatchObject([
      { numerator: 2, denominator: 3, plannedGap: 0 },
      { numerator: 2, denominator: 3, plannedGap: 1 },
      { numerator: 2, denominator: 3, plannedGap: 1 },
      { numerator: 2, denominator: 3, plannedGap: 0 },
    ]);
  });

  it('refuses a file naming a device the inventory does not have, saying which', async () => {
    const { input, maintenance } = files([{ start: t(70), end: t(80), reason: 'x', devices: ['cam-404'] }]);
    const r = await runCli([
      'replay',
      '--inventory',
      TOWN,
      '--input',
      input,
      '--maintenance',
      maintenance,
      '--at',
      t(90),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('window 1: unknown devices: cam-404');
    expect(r.stdout).toBe('');
  });
});

// `citygauge replay --incidents FILE` on test/fixtures/town: a gateway loss and, at the same time, a camera
// of another district going offline are two incidents, raised and resolved at exact event times.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
const T0 = Date.parse('2026-01-05T08:00:00Z');
const t = (s: number) => new Date(T0 + s * 1000).toISOString();
const line = (s: number, topic: string, payload: object) =>
  JSON.stringify({ t: t(s), topic, payload: { ts: T0 + s * 1000, ...payload } });
const camera = (s: number, id: string, state = 'online') =>
  line(s, `city/cctv/${id}/status`, { state, video: 'ok', shared: true });

// Everyone reports every 30 s (their interval) until 480 s; the gateway and its cameras not from 30 s to 100 s.
const every30 = Array.from({ length: 17 }, (_, i) => i * 30);
const RECORDING = [
  ...every30.flatMap((s) => [
    ...(s < 30 || s >= 120 ? [line(s, 'city/cctv-gateway/gw-1/status', { state: 'online' })] : []),
    ...(s < 30 || s >= 120 ? ['cam-1', 'cam-2'].map((id) => camera(s, id)) : []),
    camera(s, 'cam-4'),
  ]),
  camera(0, 'cam-3'),
  // 30 s: the gateway stops, and cam-3 in north fails on its own; the gateway is back at 100 s.
  line(30, 'city/cctv-gateway/gw-1/status', { state: 'offline' }),
  camera(30, 'cam-3', 'offline'),
  line(100, 'city/cctv-gateway/gw-1/status', { state: 'online' }),
  ...['cam-1', 'cam-2'].map((id) => camera(100, id)),
]
  .sort((a, b) => JSON.parse(a).t.localeCompare(JSON.parse(b).t))
  .join('\n');

describe('replay --incidents', () => {
  it('writes the two independent failures as two incidents, with their exact times', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'citygauge-replay-incidents-'));
    const input = join(dir, 'rec.jsonl');
    const out = join(dir, 'incidents.jsonl');
    writeFileSync(input, `${RECORDING}\n`);
    const r = await runCli([
      'replay',
      '--inventory',
      TOWN,
      '--input',
      input,
      '--incidents',
      out,
      '--at',
      t(500),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1); // the contract's line per --at, unchanged
    const incidents = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(incidents.map((i) => [i.id, i.cause, i.district, i.status, i.effects, i.resolvedAt])).toEqual([
      ['cam-3-20260105T080030000Z', 'device', 'north', 'open', [], null],
      // Back at 100 s: resolved after the 300 s hold, at 400 s.
      ['gw-1-20260105T080030000Z', 'gateway', 'centre', 'resolved', ['cam-1', 'cam-2'], t(400)],
    ]);
  });

  it('is refused with --shards, which cannot hear device changes yet', async () => {
    const r = await runCli([
      'replay',
      ...['--inventory', TOWN, '--input', TOWN + 'city.json', '--incidents', '/dev/null'],
      ...['--shards', '2', '--at', t(1)],
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--incidents is not supported with --shards yet/);
  });
});

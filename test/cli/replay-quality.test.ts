// `citygauge replay --quality` on test/fixtures/town: each value printed with its quality, judged at the
// --at instant on the recording's clock. cam-3 (North Park) speaks at 0 s only, the others at 0 and 20 s;
// cameras report every 30 s, so cam-3 is heard until exactly 30 s and no longer 1 ms later.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
const T0 = Date.parse('2026-01-05T08:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const line = (s: number, topic: string, payload: unknown) =>
  JSON.stringify({ t: iso(T0 + s * 1000), topic, payload });
const up = { state: 'online', video: 'ok', shared: false, ts: 1 };

const RECORDING = [
  line(0, 'city/cctv/cam-3/status', up),
  ...[0, 20].flatMap((s) => [
    line(s, 'city/cctv-gateway/gw-1/status', { state: 'online', ts: 1 }),
    ...['cam-1', 'cam-2', 'cam-4'].map((id) => line(s, `city/cctv/${id}/status`, up)),
  ]),
].join('\n');

function recording() {
  const input = join(mkdtempSync(join(tmpdir(), 'citygauge-replay-quality-')), 'rec.jsonl');
  writeFileSync(input, `${RECORDING}\n`);
  return input;
}

interface Row {
  id: string;
  scope: string;
  value: number | null;
  quality?: Record<string, unknown>;
}

const replay = async (...args: string[]) => {
  const r = await runCli(['replay', '--inventory', TOWN, '--input', recording(), ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { at: string; indicators: Row[] });
};

describe('replay --quality', () => {
  it('prints each value with its quality, to the millisecond of the interval', async () => {
    const lines = await replay('--quality', '--at', iso(T0 + 30_000), iso(T0 + 30_001), iso(T0 + 50_000));
    const pick = (i: number, id: string, scope = 'city') =>
      lines[i].indicators.find((x) => x.id === id && x.scope === scope)!;
    expect(pick(0, 'availability.cctv').quality).toEqual({
      flag: 'good',
      coverage: 1,
      stalenessMs: 10_000,
      heard: 4,
      expected: 4,
    });
    expect(pick(1, 'availability.cctv')).toMatchObject({
      value: 100,
      quality: {
        flag: 'degraded',
        coverage: 0.75,
        stalenessMs: 10_001,
        heard: 3,
        expected: 4,
        reason: '3 of 4 devices heard within their interval (75 %)',
      },
    });
    // At 50 s the newest camera message is 30 s old (still heard); North Park's only key-public camera is 50 s old.
    expect(pick(2, 'L2.2.1.b4', 'north').quality).toMatchObject({ flag: 'degraded', stalenessMs: 50_000 });
    expect(pick(2, 'L2.2.1.b4', 'centre').quality).toMatchObject({ flag: 'good', stalenessMs: 30_000 });
    expect(pick(2, 'L2.2.1', 'north').quality).toMatchObject({
      flag: 'degraded',
      reason: 'L2.2.1.b4: 0 of 1 device heard within their interval (0 %)',
    });
    // No pipe monitor spoke: unknown, not good.
    expect(pick(2, 'L2.1.1').quality).toMatchObject({
      flag: 'unknown',
      reason: 'none of its 2 devices has been heard yet',
    });
  });

  it("keeps the contract's line without --quality, and refuses --quality with --shards for now", async () => {
    const [plain] = await replay('--at', iso(T0 + 50_000));
    expect(plain.indicators.every((x) => !('quality' in x))).toBe(true);
    const r = await runCli([
      'replay',
      '--inventory',
      TOWN,
      '--input',
      recording(),
      '--quality',
      '--shards',
      '2',
      '--at',
      iso(T0),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--quality is not supported with --shards yet');
  });
});

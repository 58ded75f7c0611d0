// `citygauge replay --shards N` prints exactly what one process prints, for every --at, on the sample city's
// recorded traffic with all its faults: the cluster's partition rule and merge, run in worker threads.
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordSampleTraffic } from '../../examples/record.js';
import { runCli } from '../support/cli.js';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'citygauge-shards-'));
const input = join(dir, 'traffic.jsonl');
const START = Date.parse('2026-01-05T06:00:00Z');

/** Instants on a line, between lines, where a deadline falls, and past the end. */
const ats = [0, 1, 59_999, 600_000, 900_123, 1_200_000, 1_500_000, 1_799_999, 3_600_000].map((ms) =>
  new Date(START + ms).toISOString(),
);

const replay = (shards: number, file = input) =>
  runCli(
    [
      'replay',
      '--inventory',
      SAMPLE,
      '--input',
      file,
      ...ats.flatMap((a) => ['--at', a]),
      '--shards',
      String(shards),
    ],
    { timeoutMs: 240_000 },
  );

beforeAll(async () => {
  await recordSampleTraffic({ inventoryDir: SAMPLE, out: input, hours: 0.5, seed: 11 });
}, 120_000);

describe('replay --shards', () => {
  it('prints what one process prints, whatever the number of shards', async () => {
    const one = await replay(1);
    expect(one.code, one.stderr).toBe(0);
    const lines = one.stdout.trim().split('\n');
    expect(lines).toHaveLength(ats.length);
    // The recording moves the indicators: the comparison is not between two empty cities.
    const first = JSON.parse(lines[1]);
    const later = JSON.parse(lines[6]);
    const cams = (s: { indicators: { id: string; scope: string; value: number }[] }) =>
      s.indicators.find((i) => i.id === 'availability.cctv' && i.scope === 'city')!.value;
    expect(cams(first)).not.toBe(cams(later));
    expect(Object.values(later.rejected as Record<string, number>).some((n) => n > 0)).toBe(true);
    for (const shards of [2, 3, 5]) {
      const many = await replay(shards);
      expect(many.code, many.stderr).toBe(0);
      expect(many.stdout, `--shards ${shards}`).toBe(one.stdout);
      // The stderr summaries of refused payloads name the same problems with the same counts.
      const problems = (s: string) =>
        s
          .split('\n')
          .filter((l) => l.includes('bad-payload ×'))
          .sort();
      expect(problems(many.stderr)).toEqual(problems(one.stderr));
    }
  }, 600_000);

  it('places unreadable and out-of-order lines as one process does', async () => {
    const messy = join(dir, 'messy.jsonl');
    copyFileSync(input, messy);
    const text = readFileSync(input, 'utf8').split('\n');
    // Lines written out of order, in another key order, cut off, and not JSON, spread through the file.
    const out: string[] = [];
    text.forEach((line, i) => {
      if (!line) return;
      if (i % 997 === 0) {
        const rec = JSON.parse(line);
        out.push(JSON.stringify({ topic: rec.topic, payload: rec.payload, t: rec.t }));
      } else if (i % 1009 === 0) {
        const rec = JSON.parse(line);
        out.push(JSON.stringify({ ...rec, t: new Date(Date.parse(rec.t) - 45_000).toISOString() }));
      } else if (i % 1013 === 0) out.push(line.slice(0, line.length >> 1));
      else out.push(line);
    });
    writeFileSync(messy, `${out.join('\n')}\n`);
    appendFileSync(messy, 'garbage\n');
    const one = await replay(1, messy);
    const two = await replay(2, messy);
    expect(one.code, one.stderr).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    const unreadable = (s: string) => s.split('\n').filter((l) => l.includes('(line skipped)'));
    expect(unreadable(one.stderr).length).toBe(20);
    expect(unreadable(two.stderr)).toEqual(unreadable(one.stderr));
  }, 600_000);

  it('refuses a shard count it cannot run', async () => {
    const r = await runCli([
      'replay',
      '--inventory',
      SAMPLE,
      '--input',
      input,
      '--at',
      ats[0],
      '--shards',
      '0',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--shards.*whole number from 1 to 64/s);
  });
});

// `citygauge replay --shards N` on a city we have not seen: the generated 25,000-device metro (its own
// districts, time zone, 64 cameras per gateway) and 1M+ messages of its traffic. The output equals one
// process's for every --at, byte for byte.
import { beforeAll, describe, expect, it } from 'vitest';
import { type BigCity, bigCity } from '../support/big-city.js';
import { runCli } from '../support/cli.js';

let city: BigCity;

beforeAll(async () => {
  city = await bigCity();
}, 600_000);

describe('replay --shards on the 25,000-device metro', () => {
  it('prints what one process prints, at every instant asked', async () => {
    expect(city.devices).toBeGreaterThanOrEqual(25_000);
    expect(city.messages).toBeGreaterThanOrEqual(1_000_000);
    const start = Date.parse(city.start);
    const end = Date.parse(city.end);
    const ats = [0, 0.1, 0.37, 0.5, 0.81, 1, 1.2].map((f) =>
      new Date(Math.round(start + f * (end - start))).toISOString(),
    );
    const replay = (shards: number) =>
      runCli(
        [
          'replay',
          '--inventory',
          city.inventoryDir,
          '--input',
          city.recording,
          ...ats.flatMap((a) => ['--at', a]),
          '--shards',
          String(shards),
        ],
        { timeoutMs: 600_000 },
      );
    const one = await replay(1);
    expect(one.code, one.stderr).toBe(0);
    const lines = one.stdout.trim().split('\n');
    expect(lines).toHaveLength(ats.length);
    const accepted = (line: string) =>
      (JSON.parse(line).indicators as { id: string; scope: string; numerator: number | null }[]).find(
        (i) => i.id === 'availability.cctv' && i.scope === 'city',
      )!.numerator;
    expect(accepted(lines[3])).toBeGreaterThan(1000);
    for (const shards of [2, 4]) {
      const many = await replay(shards);
      expect(many.code, many.stderr).toBe(0);
      expect(many.stdout, `--shards ${shards}`).toBe(one.stdout);
    }
  }, 900_000);
});

// merge(split(x)) = x: a recording split over any number of partitions and merged again gives, at every
// instant, exactly what one process gives: values, numerators, denominators, every mean to the last bit,
// and the counts of accepted and refused messages.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { replaySplit } from '../../cluster/split-replay.js';
import { CityEngine } from '../../engine/city-engine.js';
import type { EngineInput } from '../../engine/inbound.js';
import { Tick } from '../../engine/inbound.js';
import { decodeLine } from '../../engine/recording.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import type { Inventory } from '../../registry/inventory.js';
import { T0 } from '../support/city.js';
import { mergeCity, mergeRecording } from '../support/merge-cases.js';

/** One process, as `citygauge replay` runs it: ticks before the first line later than them. */
function replayOne(inventory: Inventory, lines: readonly string[], ats: readonly number[]) {
  const engine = new CityEngine(inventory, buildCatalogue(LIVE_CATALOGUE, []));
  const sorted = [...ats].sort((a, b) => a - b);
  const inputs: EngineInput[] = [];
  let next = 0;
  for (const line of lines) {
    if (line.length === 0) continue;
    const msg = decodeLine(line);
    if (typeof msg === 'string') continue;
    while (next < sorted.length && sorted[next] < msg.receivedAt) inputs.push(new Tick(sorted[next++]));
    inputs.push(msg);
  }
  while (next < sorted.length) inputs.push(new Tick(sorted[next++]));
  const out = [];
  for (const input of inputs) {
    if (input instanceof Tick) out.push(engine.snapshot(input.at));
    else engine.ingest(input);
  }
  return out.map(({ at, indicators, accepted, rejected }) => ({ at, indicators, accepted, rejected }));
}

describe('merge(split(x)) = x', () => {
  test.prop([mergeCity, fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 6 })], {
    numRuns: 300,
  })('for any city, recording and partition count', (spec, seed, partitions) => {
    const { inventory, lines, ats } = mergeRecording(spec, seed);
    const catalogue = buildCatalogue(LIVE_CATALOGUE, []);
    const one = replayOne(inventory, lines, ats);
    const split = replaySplit(inventory, catalogue, lines, ats, partitions);
    expect(split).toEqual(one);
  });

  test('the cases reach every kind of contribution', () => {
    // The generator is worth its runs only if it makes devices lapse, gateways fall and routes go stale.
    const { inventory, lines, ats } = mergeRecording(fc.sample(mergeCity, { seed: 42, numRuns: 1 })[0], 7);
    const [last] = replayOne(inventory, lines, [Math.max(...ats) + 3_600_000]);
    expect(lines.length).toBeGreaterThan(50);
    expect(last.accepted).toBeGreaterThan(10);
    expect(last.rejected['bad-json'] + last.rejected['bad-payload']).toBeGreaterThan(0);
    expect(T0).toBeLessThan(Math.min(...ats));
  });
});

// merge(split(x)) = x: a recording split over any number of partitions and merged again gives, at every
// instant, exactly what one process gives: values, numerators, denominators, every mean to the last bit,
// and the counts of accepted and refused messages.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { CityMerge, MergeClock, type MergedSnapshot } from '../../cluster/merge.js';
import { partitionDevices } from '../../cluster/partition.js';
import { restoreCheckpoint, saveCheckpoint } from '../../cluster/partition-checkpoint.js';
import { PartitionEngine } from '../../cluster/partition-engine.js';
import { deviceOfTopic, RecordingSplit, sniffBytes, sniffLine } from '../../cluster/recording-split.js';
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
  // A merge holds the numerators, not each device's last message: quality is one process's (issue 14 item 3).
  return out.map(({ at, indicators, accepted, rejected }) => ({
    at,
    indicators: indicators.map(({ quality: _quality, ...v }) => v),
    accepted,
    rejected,
  }));
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

// A shard taking a partition over restores the last checkpoint and replays the log after it: the city
// must come out exactly as if the partition had never changed hands.
describe('checkpoint and resume', () => {
  function replayWithTakeover(
    inventory: Inventory,
    lines: readonly string[],
    ats: readonly number[],
    partitions: number,
    cut: number,
  ) {
    const catalogue = buildCatalogue(LIVE_CATALOGUE, []);
    const sorted = [...ats].sort((a, b) => a - b);
    const partitionOf = partitionDevices(inventory, partitions);
    const clock = new MergeClock(new CityMerge(inventory, catalogue), partitions);
    const out: MergedSnapshot[] = [];
    clock.onSnapshot.push((s) => out.push(s));
    for (let p = 0; p < partitions; p++) {
      const split = new RecordingSplit(p, partitions, partitionOf);
      let engine = new PartitionEngine(inventory, catalogue, partitionOf, p);
      let next = 0;
      const mark = () => {
        const m = engine.mark(sorted[next++]);
        clock.events(p, engine.take(), engine.watermark);
        clock.mark(p, m);
      };
      lines.forEach((line, i) => {
        if (i === cut) {
          clock.events(p, engine.take(), engine.watermark);
          const saved = saveCheckpoint(engine, { seq: i });
          engine = new PartitionEngine(inventory, catalogue, partitionOf, p);
          expect(restoreCheckpoint(engine, saved)).toEqual({ seq: i });
        }
        const got = split.line(line);
        if (got === undefined || !('topic' in got)) return;
        while (next < sorted.length && sorted[next] < split.now) mark();
        engine.ingest(got, split.now);
      });
      while (next < sorted.length) mark();
    }
    return out;
  }

  test.prop(
    [
      mergeCity,
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.integer({ min: 1, max: 4 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
    ],
    {
      numRuns: 200,
    },
  )(
    'a partition resumed from its checkpoint contributes exactly what it would have',
    (spec, seed, partitions, where) => {
      const { inventory, lines, ats } = mergeRecording(spec, seed);
      const cut = Math.floor(where * lines.length);
      expect(replayWithTakeover(inventory, lines, ats, partitions, cut)).toEqual(
        replayOne(inventory, lines, ats),
      );
    },
  );
});

// A worker reads another partition's line as bytes, never decoding it: what it reads must be what the
// text of the line says, whatever the topic holds.
describe('sniffing a line as bytes', () => {
  const topic = fc.oneof(
    fc.string(),
    fc
      .tuple(fc.constantFrom('cctv', 'sensor', 'x'), fc.string(), fc.string())
      .map(([k, d, c]) => `city/${k}/${d}/${c}`),
    fc.string({ unit: 'grapheme' }).map((d) => `city/sensor/${d}/status`),
  );
  test.prop([fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }), topic], {
    numRuns: 2000,
  })('reads the same time and device as the text does', (date, t) => {
    const line = JSON.stringify({ t: date.toISOString(), topic: t, payload: { a: 1 } });
    const fromText = sniffLine(line);
    const buf = Buffer.from(`x\n${line}\ny`);
    const out = { ms: 0, deviceStart: 0, deviceEnd: 0 };
    const read = sniffBytes(buf, 2, 2 + Buffer.byteLength(line), out);
    // Bytes leave days 29–31 to the text path; otherwise they read exactly what the text says.
    if (!read) {
      expect(fromText === null || Number(fromText.t.slice(8, 10)) > 28).toBe(true);
      return;
    }
    expect(fromText).not.toBeNull();
    expect(out.ms).toBe(Date.parse(fromText!.t));
    expect(buf.toString('utf8', out.deviceStart, out.deviceEnd)).toBe(deviceOfTopic(fromText!.topic));
  });
});

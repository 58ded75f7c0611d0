// Property tests of the inventory files (docs/contract.md §1) a GIS team exports: CSV rows with broken quoting,
// line breaks, BOMs, wrong types and odd text; city.json shapes; user indicator definitions. Reading them
// never throws, and every refused row is accounted for as one `file:line: reason` line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CityEngine } from '../../engine/city-engine.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import {
  buildCatalogue,
  IndicatorDefinitionError,
  parseIndicatorText,
} from '../../indicators/load-definitions.js';
import { parseCityJson } from '../../registry/city-file.js';
import { formatRowError, loadInventoryDir } from '../../registry/load-inventory.js';
import { makeInventory } from '../support/city.js';
import { tempDir } from '../support/tmp.js';
import { csvCell, csvRecord, deeplyNested, mutated, oddJsonValue, oddKey } from './arbitraries.js';
import { fuzzParams, fuzzTimeout } from './runs.js';

const AREA_COLUMNS = ['id', 'class', 'district', 'name'];
const DEVICE_COLUMNS = [
  'id',
  'kind',
  'district',
  'asset_id',
  'gateway_id',
  'hd',
  'expected_interval_s',
  'lat',
  'lon',
];

/** A cell that is usually right for its column, so rows get far enough to meet the later rules. */
const cellFor: Record<string, fc.Arbitrary<string>> = {
  id: fc.constantFrom('a1', 'a2', 'cam-1', 'gw-1', 'pm-1'),
  class: fc.constantFrom('key-public', 'key-industry', 'pollution'),
  district: fc.constantFrom('centre', 'north', ''),
  name: fc.constantFrom('Plaza', ''),
  kind: fc.constantFrom('cctv', 'cctv-gateway', 'pipe-monitor', 'sensor', 'transit-beacon'),
  asset_id: fc.constantFrom('a1', 'a2', '', 'p9'),
  gateway_id: fc.constantFrom('gw-1', ''),
  hd: fc.constantFrom('true', 'no', ''),
  expected_interval_s: fc.constantFrom('30', '', '0.5'),
  lat: fc.constantFrom('52.1', '', '-90'),
  lon: fc.constantFrom('4.3', '', '180'),
};

/** Data rows of a file: mostly one cell per column, some cells hostile, some rows short or long. */
const rows = (columns: string[]) =>
  fc.array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.tuple(
          ...columns.map((c) =>
            fc.oneof({ weight: 4, arbitrary: cellFor[c] }, { weight: 1, arbitrary: csvCell }),
          ),
        ),
      },
      { weight: 1, arbitrary: fc.array(csvCell, { maxLength: columns.length + 2 }) },
    ),
    { maxLength: 6 },
  );

/** A file's text and the 1-based line each data row starts on. */
function csvFile(header: string[], data: string[][], bom: boolean, eol: string) {
  const starts: number[] = [];
  let line = 1;
  let text = (bom ? '\uFEFF' : '') + header.join(',');
  for (const cells of data) {
    const r = csvRecord(cells);
    line++;
    // A row of blank cells is what spreadsheets leave below the data: not a row at all.
    if (cells.some((c) => c.trim() !== '')) starts.push(line);
    text += eol + r.text;
    line += r.breaks;
  }
  return { text: text + eol, starts };
}

describe('fuzzing the inventory files', () => {
  it(
    'reads any areas.csv and devices.csv without throwing, each refused row as file:line: reason',
    async () => {
      // One folder, rewritten for each case: a million cases must not leave a million folders behind.
      const at = tempDir('citygauge-fuzz-csv-');
      await fc.assert(
        fc.asyncProperty(
          rows(AREA_COLUMNS),
          rows(DEVICE_COLUMNS),
          fc.boolean(),
          fc.constantFrom('\n', '\r\n'),
          async (areaRows, deviceRows, bom, eol) => {
            const areas = csvFile(AREA_COLUMNS, areaRows, bom, eol);
            const devices = csvFile(DEVICE_COLUMNS, deviceRows, false, eol);
            writeFileSync(join(at, 'areas.csv'), areas.text);
            writeFileSync(join(at, 'devices.csv'), devices.text);
            const result = await loadInventoryDir(at);
            const starts = { 'areas.csv': areas.starts, 'devices.csv': devices.starts };
            for (const e of result.errors) {
              const file = e.file as keyof typeof starts;
              expect(starts[file], formatRowError(e)).toContain(e.line);
              expect(formatRowError(e)).toMatch(/^(areas|devices)\.csv:\d+: \S/);
              // One line per refusal, whatever the cell held: a reason never breaks the log line.
              expect(e.reason).not.toMatch(/[\r\n]/);
            }
            // Every row is counted once: applied or refused, never silently dropped.
            const { areas: a, devices: d } = result.counts;
            expect(a.accepted + a.rejected).toBe(areas.starts.length);
            expect(d.accepted + d.rejected).toBe(devices.starts.length);
            expect(result.inventory.devices.size).toBe(d.accepted);
            // What was applied is a city the engine can run (worth compiling once there are devices in it).
            if (d.accepted > 0) new CityEngine(result.inventory, CATALOGUE).snapshot();
          },
        ),
        fuzzParams(),
      );
    },
    fuzzTimeout(15_000),
  );

  it(
    'parses any city.json to a city or one error, never a throw',
    () => {
      const valid = {
        name: 'Town',
        cctvSharingAgreement: true,
        windows: ['1h', '24h'],
        thresholds: [{ indicator: 'L2.1.1', below: 90, clearAt: 95, forS: 60 }],
      };
      const text = fc.oneof(
        mutated(valid).map((v) => JSON.stringify(v)),
        mutated(valid.thresholds[0]).map((t) => JSON.stringify({ ...valid, thresholds: [t] })),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc.string({ unit: 'binary', maxLength: 80 }),
        deeplyNested,
        fc.constantFrom(
          '',
          '\uFEFF{}',
          '{"__proto__":{"name":"x"}}',
          '{"name":"' + 'x'.repeat(10_000) + '"}',
        ),
      );
      fc.assert(
        fc.property(text, (t) => {
          const r = parseCityJson(t);
          if ('error' in r) expect(r.error).toMatch(/\S/);
          else runOnce(r.city, () => new CityEngine(makeInventory({ city: r.city }), CATALOGUE).snapshot());
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(6_000),
  );

  it(
    'loads any indicator definition file to a catalogue or an IndicatorDefinitionError naming the fix',
    () => {
      const ratio = {
        id: 'my.ratio',
        name: 'Mine',
        kind: 'device-share',
        devices: { kind: 'cctv' },
        numerator: { condition: 'online', hd: true },
      };
      const weighted = {
        id: 'my.mix',
        name: 'Mix',
        kind: 'weighted',
        parts: [
          { indicator: 'L2.1.1', weight: 0.5 },
          { indicator: 'my.ratio', weight: 0.5 },
        ],
      };
      const entry = fc.oneof(fc.constant(ratio), mutated(ratio), mutated(weighted), oddJsonValue);
      const file = fc.oneof(
        fc.array(entry, { maxLength: 3 }).map((list) => JSON.stringify(list)),
        fc.array(entry, { maxLength: 3 }).map((list) => JSON.stringify({ indicators: list })),
        fc.dictionary(oddKey, oddJsonValue).map((o) => JSON.stringify(o)),
        fc.string({ unit: 'binary', maxLength: 80 }),
        deeplyNested,
      );
      fc.assert(
        fc.property(file, fc.constantFrom('mine.json', 'mine.yaml'), (text, name) => {
          try {
            const defs = parseIndicatorText(text, name);
            // The same definitions always build the same way: each distinct list is built and run once.
            runOnce(defs, () =>
              new CityEngine(makeInventory({}), buildCatalogue(LIVE_CATALOGUE, defs)).snapshot(),
            );
          } catch (err) {
            expect(err).toBeInstanceOf(IndicatorDefinitionError);
            expect((err as Error).message).toMatch(/^(mine\.(json|yaml): |indicator ')/);
          }
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(10_000),
  );
});

const CATALOGUE = buildCatalogue(LIVE_CATALOGUE);

/** Many cases parse to the same city or definitions: run the engine on each distinct one once. */
const seen = new Set<string>();
function runOnce(value: unknown, run: () => void): void {
  const key = JSON.stringify(value);
  if (seen.has(key)) return;
  if (seen.size > 50_000) seen.clear();
  seen.add(key);
  run();
}

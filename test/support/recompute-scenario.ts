// The scenario of the recompute tests (issue 14 item 6): Fixture Town's cameras over 15 minutes, recorded
// with one definition of a user-defined indicator and replayed with a changed one.
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogue, loadInventoryStrictly } from '../../cli/load-city.js';
import { CityEngine, type IndicatorValue } from '../../engine/city-engine.js';
import { replayRecording } from '../../engine/replay.js';
import { HistoryFeed } from '../../engine/sinks/history-feed.js';
import type { HistorySink } from '../../engine/sinks/points.js';
import type { IndicatorDef } from '../../indicators/definition.js';
import { tempDir } from './tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
export const T0 = Date.parse('2026-01-05T08:00:00Z');
export const t = (s: number) => new Date(T0 + s * 1000).toISOString();
const line = (s: number, topic: string, payload: unknown) => JSON.stringify({ t: t(s), topic, payload });
// Cameras come and go, one loses its video and gets it back, the gateway drops out and its cameras with
// it; after 300 s everything goes quiet and liveness lapses device by device.
export const RECORDING = [
  line(0, 'city/cctv-gateway/gw-1/status', { state: 'online', ts: 1 }),
  line(0, 'city/cctv/cam-1/status', { state: 'online', shared: true, ts: 1 }),
  line(0, 'city/cctv/cam-2/status', { state: 'online', video: 'lost', ts: 1 }),
  line(0, 'city/cctv/cam-3/status', { state: 'online', ts: 1 }),
  line(5, 'city/cctv/cam-4/status', { state: 'online', video: 'lost', ts: 1 }),
  line(30, 'city/cctv-gateway/gw-1/status', { state: 'online', ts: 1 }),
  line(60, 'city/cctv-gateway/gw-1/status', { state: 'online', ts: 1 }),
  line(75, 'city/cctv/cam-2/status', { state: 'online', video: 'ok', ts: 1 }),
  line(90, 'city/cctv-gateway/gw-1/status', { state: 'online', ts: 1 }),
  line(120, 'city/cctv-gateway/gw-1/status', { state: 'offline' }),
  line(200, 'city/cctv-gateway/gw-1/status', { state: 'online', ts: 1 }),
  line(230, 'city/cctv/cam-4/status', { state: 'online', video: 'ok', shared: true, ts: 1 }),
  line(250, 'city/cctv/cam-3/status', { state: 'offline', ts: 1 }),
  line(300, 'city/cctv/cam-1/status', { state: 'online', video: 'lost', ts: 1 }),
].join('\n');

export const BEFORE = `
- id: cams-up
  name: Cameras up
  kind: device-share
  devices: { kind: cctv }
  numerator: { condition: online }
- id: hd-cams
  name: HD cameras
  kind: device-share
  devices: { kind: cctv }
  numerator: { condition: registered, hd: true }
`;
// The same file, the first entry now counting only cameras with their video (and keys in another order).
export const AFTER = `
- name: Cameras up
  id: cams-up
  kind: device-share
  numerator: { condition: available }
  devices: { kind: cctv }
- id: hd-cams
  name: HD cameras
  kind: device-share
  devices: { kind: cctv }
  numerator: { hd: true, condition: registered }
`;

/** Snapshot instants: every 5 s over 15 minutes. */
export const ATS = Array.from({ length: 181 }, (_, i) => T0 + i * 5000);
export const FROM = t(0);
export const TO = t(900);

export const key = (ts: number | string, scope: string) => `${new Date(ts).toISOString()} ${scope}`;

export interface Scenario {
  inventory: string;
  recording: string;
  afterCatalogue: IndicatorDef[];
  /** The independent computation: the recording replayed with the new definition, by key(ts, scope). */
  expected: Map<string, IndicatorValue>;
  useDefinitions(text: string): void;
}

/**
 * The city runs the recording with BEFORE, writing history into `sink` as `citygauge start` does
 * (HistoryFeed); then indicators.yaml holds AFTER.
 */
export async function runScenario(sink: HistorySink): Promise<Scenario> {
  const dir = tempDir('citygauge-recompute-');
  const inventory = join(dir, 'town');
  const recording = join(dir, 'town.jsonl');
  cpSync(TOWN, inventory, { recursive: true });
  writeFileSync(recording, `${RECORDING}\n`);
  const useDefinitions = (text: string) => writeFileSync(join(inventory, 'indicators.yaml'), text);
  const inv = await loadInventoryStrictly(inventory);

  useDefinitions(BEFORE);
  const engine = new CityEngine(inv, loadCatalogue(inventory));
  const feed = new HistoryFeed(sink);
  feed.attach(engine);
  for (const s of await replayRecording(engine, recording, ATS)) feed.onSnapshot(s);
  await sink.close();

  useDefinitions(AFTER);
  const afterCatalogue = loadCatalogue(inventory);
  const expected = new Map<string, IndicatorValue>();
  for (const s of await replayRecording(new CityEngine(inv, afterCatalogue), recording, ATS))
    for (const v of s.indicators) if (v.id === 'cams-up') expected.set(key(s.at, v.scope), v);
  return { inventory, recording, afterCatalogue, expected, useDefinitions };
}

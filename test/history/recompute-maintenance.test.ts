// A recompute gives the live engine's values in a maintenance window too (issue 14 items 2 and 6): a user
// indicator made of availability.cctv, which leaves cameras in maintenance out, recomputed from the recorded
// device states with the city's windows equals what the engine wrote live; without them it would not.
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue, loadInventoryStrictly } from '../../cli/load-city.js';
import { CityEngine } from '../../engine/city-engine.js';
import { lookbackMs, type RecomputeInput, recompute } from '../../engine/recompute.js';
import { replayRecording } from '../../engine/replay.js';
import { HistoryFeed } from '../../engine/sinks/history-feed.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { SqliteRecomputeSource } from '../../engine/sinks/sqlite-recompute.js';
import type { MaintenanceWindow } from '../../registry/maintenance-windows.js';
import { ATS, RECORDING, T0 } from '../support/recompute-scenario.js';
import { tempDir } from '../support/tmp.js';

const DEFINITIONS = `
- id: cams-available
  name: Cameras available, as operations count them
  kind: weighted
  parts: [{ indicator: availability.cctv, weight: 1 }]
`;
// cam-3 is planned out from 100 s to 400 s: it says offline at 250 s inside its window.
const WINDOWS: MaintenanceWindow[] = [
  {
    id: 'w1',
    start: T0 + 100_000,
    end: T0 + 400_000,
    reason: 'lens replacement',
    by: 'olga',
    devices: ['cam-3'],
    assets: [],
    districts: [],
    createdAt: T0,
  },
];

let input: Omit<RecomputeInput, 'maintenance'>;
const live = new Map<number, number | null>();

beforeAll(async () => {
  const dir = tempDir('citygauge-recompute-maintenance-');
  const inventoryDir = join(dir, 'town');
  cpSync('test/fixtures/town', inventoryDir, { recursive: true });
  writeFileSync(join(inventoryDir, 'indicators.yaml'), DEFINITIONS);
  writeFileSync(join(dir, 'town.jsonl'), `${RECORDING}\n`);
  const inventory = await loadInventoryStrictly(inventoryDir);
  const catalogue = loadCatalogue(inventoryDir);

  // Live: the engine with the windows, writing history as `citygauge start` does.
  const data = join(dir, 'data');
  const sink = new SqliteHistory(data, { now: () => T0 + 3_600_000 });
  const engine = new CityEngine(inventory, catalogue);
  engine.setMaintenance(WINDOWS);
  const feed = new HistoryFeed(sink);
  feed.attach(engine);
  for (const s of await replayRecording(engine, join(dir, 'town.jsonl'), ATS)) {
    feed.onSnapshot(s);
    const v = s.indicators.find((i) => i.id === 'cams-available' && i.scope === 'city');
    live.set(s.at, v?.value ?? null);
  }
  await sink.close();

  const source = new SqliteRecomputeSource(data);
  try {
    const [from, to] = [T0, T0 + 900_000];
    const first = (await source.firstState())!;
    const instants = await source.instants(from, to);
    const origin = Math.max(from - lookbackMs(inventory), Math.min(first, instants[0] ?? first));
    input = {
      inventory,
      catalogue,
      id: 'cams-available',
      from,
      to,
      origin,
      initial: await source.statesAt(origin),
      changes: await source.statesBetween(origin, to),
      instants,
      old: await source.points('cams-available', from, to),
    };
  } finally {
    await source.close();
  }
}, 60_000);

const cityValues = (r: ReturnType<typeof recompute>) =>
  new Map(r.rows.filter((row) => row.scope === 'city').map((row) => [row.ts, row.new]));

describe('a recompute across a maintenance window', () => {
  it('gives the value the live engine wrote at every instant, the window applied as live applied it', () => {
    const again = cityValues(recompute({ ...input, maintenance: WINDOWS }));
    // The window moved the value while it was open (cam-3 left out), so the check has something to find.
    expect(live.get(T0 + 300_000)).not.toBe(live.get(T0 + 600_000));
    expect(again.size).toBeGreaterThan(0);
    for (const [ts, value] of again) expect(value, new Date(ts).toISOString()).toBe(live.get(ts));
    expect(recompute({ ...input, maintenance: WINDOWS }).rows.every((r) => !r.changed)).toBe(true);
  });

  it('would count cam-3 as down inside its window without the windows', () => {
    const blind = recompute(input);
    expect(blind.rows.some((r) => r.changed)).toBe(true);
    expect(cityValues(blind).get(T0 + 300_000)).not.toBe(live.get(T0 + 300_000));
  });
});

// Resident memory of the engine holding a city of N registered devices, each heard from once.
// Run with --expose-gc so the figure is the live heap, not garbage awaiting collection.
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CityEngine } from '../engine/city-engine.js';
import { Decoded } from '../engine/inbound.js';
import { restoreEngineState, STATE_FILE_NAME, saveEngineState } from '../engine/state-file.js';
import { LIVE_CATALOGUE } from '../indicators/catalogue.js';
import { buildCatalogue } from '../indicators/load-definitions.js';
import { type Device, emptyInventory, type Inventory } from '../registry/inventory.js';

const n = Number(process.argv[2] ?? 1_000_000);
const DISTRICTS = 20;

function bigCity(): Inventory {
  const inv = emptyInventory();
  const district = (i: number) => `d${i % DISTRICTS}`;
  for (let i = 0; i < n / 100; i++) {
    const id = `area-${i}`;
    inv.areas.set(id, {
      id,
      class: i % 3 === 0 ? 'key-industry' : 'key-public',
      district: district(i),
      name: id,
    });
  }
  for (let i = 0; i < n / 5; i++)
    inv.pipeSegments.set(`pipe-${i}`, { id: `pipe-${i}`, lengthM: 50 + (i % 900), district: district(i) });
  for (let i = 0; i < n / 50; i++) {
    inv.sites.set(`site-${i}`, {
      id: `site-${i}`,
      class: i % 2 ? 'energy' : 'pollution',
      district: district(i),
      name: `site-${i}`,
    });
  }
  for (let i = 0; i < 1000; i++) inv.routes.set(`R${i}`, { id: `R${i}`, district: district(i) });
  const add = (d: Device) => inv.devices.set(d.id, d);
  const cameras = Math.floor(n * 0.6);
  const gateways = Math.ceil(cameras / 50);
  for (let g = 0; g < gateways; g++)
    add({ id: `gw-${g}`, kind: 'cctv-gateway', district: district(g), hd: false, expectedIntervalS: 30 });
  for (let i = 0; i < cameras; i++) {
    add({
      id: `cam-${i}`,
      kind: 'cctv',
      assetId: `area-${i % (n / 100)}`,
      gatewayId: i % 5 ? `gw-${i % gateways}` : undefined,
      hd: i % 3 !== 0,
      expectedIntervalS: 30,
    });
  }
  const rest = n - cameras - gateways;
  for (let i = 0; i < rest; i++) {
    if (i % 10 < 6)
      add({
        id: `pm-${i}`,
        kind: 'pipe-monitor',
        assetId: `pipe-${i % (n / 5)}`,
        hd: false,
        expectedIntervalS: 60,
      });
    else if (i % 10 < 9)
      add({
        id: `sen-${i}`,
        kind: 'sensor',
        assetId: `site-${i % (n / 50)}`,
        hd: false,
        expectedIntervalS: 60,
      });
    else
      add({
        id: `bus-${i}`,
        kind: 'transit-beacon',
        district: district(i),
        hd: false,
        expectedIntervalS: 30,
      });
  }
  return inv;
}

const gc = (globalThis as { gc?: () => void }).gc;
const t0 = performance.now();
// The inventory stays alive, as in a running system where the registry answers lookups by id (the engine
// holds it too). Before the engine did, V8 collected it here once unused, and the figure left it out.
const inv = bigCity();
const engine = new CityEngine(inv, buildCatalogue(LIVE_CATALOGUE));
const devices = inv.devices.size;
const built = (performance.now() - t0) / 1000;
const payload = new Decoded({ ts: 0 }, 8);
const t = Date.parse('2026-01-05T08:00:00Z');
for (const id of engine.model.deviceIds) {
  engine.ingest({ receivedAt: t, topic: `city/${topicKind(id)}/${id}/heartbeat`, payload });
}
gc?.();
gc?.();
const mem = process.memoryUsage();

// Liveness across a restart (engine/state-file.ts), after the memory figure so it does not count: a save
// against a raw write + fsync of the same bytes, a restore into a new engine against a raw read of them.
const dir = mkdtempSync(join(tmpdir(), 'citygauge-bench-state-'));
const file = join(dir, STATE_FILE_NAME);
let at = performance.now();
const saved = saveEngineState(engine, file, t + 1000);
const saveMs = performance.now() - at;
const raw = join(dir, 'raw.bin');
at = performance.now();
const fd = openSync(raw, 'w');
writeSync(fd, Buffer.alloc(saved.bytes, 1));
fsyncSync(fd);
closeSync(fd);
const rawWriteMs = performance.now() - at;
const fresh = new CityEngine(inv, buildCatalogue(LIVE_CATALOGUE));
at = performance.now();
const restored = restoreEngineState(fresh, file, t + 2000);
const restoreMs = performance.now() - at;
at = performance.now();
readFileSync(raw);
const rawReadMs = performance.now() - at;
rmSync(dir, { recursive: true, force: true });
if (!restored.ok || restored.restored !== devices)
  throw new Error(`restore failed: ${JSON.stringify(restored)}`);

process.stdout.write(
  `${JSON.stringify({
    devices,
    accepted: engine.accepted,
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    buildSeconds: built,
    stateBytes: saved.bytes,
    saveMs,
    rawWriteMs,
    restoreMs,
    rawReadMs,
  })}\n`,
);

function topicKind(id: string): string {
  if (id.startsWith('cam-')) return 'cctv';
  if (id.startsWith('gw-')) return 'cctv-gateway';
  if (id.startsWith('pm-')) return 'pipe-monitor';
  if (id.startsWith('sen-')) return 'sensor';
  return 'transit-beacon';
}

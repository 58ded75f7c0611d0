// The traffic recorder: reproducible from its seed, well-formed replay lines (docs/contract.md §5) in receive
// order, topics and payloads as devices send them (docs/contract.md §2), and every kind of fault present — each
// one refused by the engine under the reason docs/contract.md §3 gives it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CityEngine } from '../../engine/city-engine.js';
import { decodeLine } from '../../engine/recording.js';
import { parseTopic } from '../../engine/topic.js';
import { type Recording, recordSampleTraffic } from '../../examples/record.js';
import { FAULT_KINDS } from '../../examples/traffic/faults.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import type { Inventory } from '../../registry/inventory.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));
const START = Date.parse('2026-01-05T06:00:00Z');
const TEN_MINUTES = 1 / 6;
const dir = mkdtempSync(join(tmpdir(), 'citygauge-record-'));

interface Line {
  t: string;
  topic: string;
  payload: unknown;
}

const record = (name: string, seed: number, start?: string) =>
  recordSampleTraffic({ inventoryDir: SAMPLE, out: join(dir, name), hours: TEN_MINUTES, seed, start });

let inventory: Inventory;
let made: Recording;
let text: string;
let lines: Line[];

/** The registered device a topic belongs to, when it is one and under its own kind. */
function ownId(topic: string): string | undefined {
  const parsed = parseTopic(topic);
  return parsed && inventory.devices.get(parsed.deviceId)?.kind === parsed.kind ? parsed.deviceId : undefined;
}

beforeAll(async () => {
  inventory = (await loadInventoryDir(SAMPLE)).inventory;
  made = await record('a.jsonl', 42);
  text = readFileSync(join(dir, 'a.jsonl'), 'utf8');
  lines = text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
});

describe('recordSampleTraffic', () => {
  it('writes the same bytes for the same seed and different ones for another', async () => {
    await record('b.jsonl', 42);
    await record('c.jsonl', 43);
    expect(readFileSync(join(dir, 'b.jsonl'), 'utf8') === text).toBe(true);
    expect(readFileSync(join(dir, 'c.jsonl'), 'utf8') === text).toBe(false);
  });

  it('reports what it wrote: ~300k messages per simulated hour', () => {
    expect(made).toMatchObject({ lines: lines.length, bytes: Buffer.byteLength(text) });
    expect(made.start).toBe('2026-01-05T06:00:00.000Z');
    expect(made.end).toBe('2026-01-05T06:10:00.000Z');
    expect(lines.length * 6).toBeGreaterThan(270_000);
    expect(lines.length * 6).toBeLessThan(340_000);
  });

  it('writes replay lines with RFC 3339 receive times, never going back, inside the recording', () => {
    const RFC3339_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    let previous = START;
    const wrong = lines.filter((l) => {
      const t = Date.parse(l.t);
      const ok = Object.keys(l).join() === 't,topic,payload' && RFC3339_MS.test(l.t) && t >= previous;
      previous = t;
      return !ok;
    });
    expect(wrong).toEqual([]);
    expect(previous).toBeLessThan(START + 10 * 60_000);
  });

  it('puts everything but the deliberately bad topics under city/<kind>/<id>/<channel>', () => {
    const bad = lines.filter((l) => parseTopic(l.topic) === null);
    expect(bad.length).toBe(made.faults['bad-topic']);
    const devices = new Set(lines.map((l) => parseTopic(l.topic)?.deviceId));
    for (const id of ['cam-0001', 'gw-01', 'pm-0001', 'bus-001', 'sen-001']) expect(devices).toContain(id);
  });

  it('starts with every device announcing itself online, cameras saying video and shared', () => {
    const first = new Map<string, Line>();
    for (const l of lines) {
      const id = ownId(l.topic);
      if (id && !first.has(id)) first.set(id, l);
    }
    expect(first.size).toBe(inventory.devices.size);
    const statuses = [...first.values()].filter(
      (l) => l.topic.endsWith('/status') && Date.parse(l.t) < START + 3000,
    );
    expect(statuses.length).toBe(first.size);
    // A message or two may be among the deliberately malformed ones.
    const online = statuses.filter((l) => (l.payload as { state?: string }).state === 'online');
    expect(online.length).toBeGreaterThan(first.size - 10);
    const cameras = online.filter((l) => l.topic.startsWith('city/cctv/'));
    for (const l of cameras)
      expect(l.payload).toMatchObject({ video: expect.any(String), shared: expect.any(Boolean) });
    const shared = cameras.filter((l) => (l.payload as { shared: boolean }).shared).length;
    expect(shared / cameras.length).toBeCloseTo(0.8, 1);
  });

  it('stamps every message with a device clock ts and a per-device seq that only repeats in a redelivery', () => {
    const seen = new Map<string, { last: number; all: Set<number> }>();
    const wrong: string[] = [];
    for (const l of lines) {
      const p = l.payload as { ts?: unknown; seq?: number };
      if (typeof l.payload === 'string' || p.seq === undefined) continue; // truncated, or a Last Will
      const id = ownId(l.topic);
      if (!id) continue; // not the device's own traffic: spoofed, or under the wrong kind
      const s = seen.get(id) ?? { last: -1, all: new Set<number>() };
      if (!(p.seq > s.last || s.all.has(p.seq))) wrong.push(`${l.t} ${l.topic} seq ${p.seq} after ${s.last}`);
      // Device clocks are off by a second or two, never by minutes.
      if (typeof p.ts === 'number' && Math.abs(p.ts - Date.parse(l.t)) > 5000)
        wrong.push(`${l.t} ${l.topic} ts ${p.ts}`);
      s.last = Math.max(s.last, p.seq);
      s.all.add(p.seq);
      seen.set(id, s);
    }
    expect(wrong).toEqual([]);
    expect(seen.size).toBe(inventory.devices.size);
  });

  it('forecasts arrivals at real stops on the city routes', () => {
    const stops = new Set(
      readFileSync(join(SAMPLE, 'stops.txt'), 'utf8')
        .split('\n')
        .slice(1)
        .map((r) => r.split(',')[0].replaceAll('"', '')),
    );
    const arrivals = lines.filter((l) => l.topic.endsWith('/arrival') && typeof l.payload === 'object');
    expect(arrivals.length).toBeGreaterThan(1500);
    for (const a of arrivals) {
      const p = a.payload as { stopId: unknown; vehicleId: string; predictedArrival: string };
      if (p.stopId !== null) expect(stops).toContain(p.stopId);
      expect(a.topic).toBe(`city/transit-beacon/${p.vehicleId}/arrival`);
      expect(Date.parse(p.predictedArrival)).toBeGreaterThan(START);
    }
  });

  it('contains every kind of fault', () => {
    for (const kind of FAULT_KINDS) expect(made.faults[kind], kind).toBeGreaterThan(0);
    const lastWills = lines.filter((l) => JSON.stringify(l.payload) === '{"state":"offline"}');
    expect(lastWills.length).toBe(made.faults['last-will']);
    expect(lastWills.some((l) => l.topic.startsWith('city/cctv-gateway/'))).toBe(true);
    const lost = lines.filter((l) => (l.payload as { video?: string }).video === 'lost');
    expect(lost.length).toBeGreaterThanOrEqual(made.faults['lost-video']);
    const oversized = lines.filter((l) => JSON.stringify(l.payload).length > 16 * 1024);
    expect(oversized.length).toBe(made.faults.oversized);
    const truncated = lines.filter((l) => typeof l.payload === 'string');
    expect(truncated.length).toBe(made.faults.malformed);
  });

  it('has flapping cameras: silent two or three intervals, on and off', () => {
    const times = new Map<string, number[]>();
    for (const l of lines) {
      const m = /^city\/cctv\/([^/]+)\/heartbeat$/.exec(l.topic);
      if (m) times.set(m[1], [...(times.get(m[1]) ?? []), Date.parse(l.t)]);
    }
    const flapping = [...times.values()].filter(
      (ts) => ts.filter((t, i) => i > 0 && t - ts[i - 1] > 75_000 && t - ts[i - 1] < 130_000).length >= 2,
    );
    expect(flapping.length).toBeGreaterThan(0);
  });

  it('is refused by the engine exactly where it is faulty, under the reasons of docs/contract.md §3', async () => {
    const engine = new CityEngine(inventory, buildCatalogue(LIVE_CATALOGUE, []));
    for (const l of text.trimEnd().split('\n')) {
      const msg = decodeLine(l);
      if (typeof msg === 'string') throw new Error(msg);
      engine.ingest(msg);
    }
    const f = made.faults;
    expect(engine.rejected).toEqual({
      'bad-topic': f['bad-topic'],
      'unknown-device': f['unknown-device'],
      'kind-mismatch': f['kind-mismatch'],
      'too-large': f.oversized,
      'bad-json': f.malformed,
      'bad-payload': f['schema-invalid'],
      'unknown-route': f['unknown-route'],
      duplicate: f.redelivery,
    });
    const value = (id: string) =>
      engine.snapshot().indicators.find((i) => i.id === id && i.scope === 'city')!.value!;
    expect(value('availability.cctv')).toBeGreaterThan(90);
    expect(value('availability.cctv')).toBeLessThan(100);
    expect(value('L1.2.2')).toBeGreaterThan(50);
  });

  it('keeps buses in the depot between midnight and 05:00', async () => {
    await record('dawn.jsonl', 42, '2026-01-05T04:55:00Z');
    const dawn = readFileSync(join(dir, 'dawn.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    const buses = dawn.filter((l) => l.topic.startsWith('city/transit-beacon/'));
    const before5 = buses.filter((l) => l.t < '2026-01-05T05:00:00');
    expect(
      before5.every(
        (l) => l.topic.endsWith('/status') && (l.payload as { state: string }).state === 'offline',
      ),
    ).toBe(true);
    expect(
      buses.filter((l) => l.topic.endsWith('/arrival') && l.t >= '2026-01-05T05:00:00').length,
    ).toBeGreaterThan(0);
  });
});

// Records a few hours of the sample city's traffic as replay lines (CONTRACT §5), with realistic faults:
// outages, flapping links, gateway failures, lost video, QoS 1 redeliveries, malformed payloads, spoofed
// and unknown devices. Seeded and streamed: the same seed gives the same bytes, at any length.
//   node dist/examples/record.js --inventory examples/sample-city --out data/sample.jsonl --hours 3 --seed 42
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DeadlineQueue } from '../engine/deadline-queue.js';
import { loadInventoryDir } from '../registry/load-inventory.js';
import { buildFleet, inService, isSilent, regularPayload, type SimDevice } from './fleet.js';
import { Rng } from './prng.js';

export interface RecordOptions {
  inventoryDir: string;
  out: string;
  hours: number;
  seed: number;
  /** RFC 3339 start of the recording; its clock is read as local time for day and night. */
  start?: string;
  onProgress?: (fractionDone: number) => void;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
// Event kinds, kept in the low 4 bits of a queue id (device index × 16 + kind).
const EMIT = 0;
const OUTAGE = 1;
const RECOVER = 2;
const VIDEO_LOST = 3;
const VIDEO_OK = 4;
const FLAP = 5;
const NOISE = 6;
/** Duplicates wait in the queue under negative ids. */
const NOISE_EVERY_MS = 40_000;

/** Fault rates: mean time between faults per device and how long they last. */
const FAULTS = {
  outageEveryMs: 24 * HOUR,
  outageMs: [2 * MIN, 60 * MIN],
  gatewayFailureEveryMs: 10 * HOUR,
  gatewayFailureMs: [5 * MIN, 30 * MIN],
  videoLossEveryMs: 12 * HOUR,
  videoLossMs: [5 * MIN, 40 * MIN],
  redelivery: 0.005,
  malformed: 0.0005,
  invalid: 0.0003,
  oversized: 0.00002,
} as const;

export async function recordSampleTraffic(
  opts: RecordOptions,
): Promise<{ lines: number; bytes: number; start: string; end: string }> {
  const { inventory } = await loadInventoryDir(opts.inventoryDir);
  const rng = new Rng(opts.seed);
  const fleet = buildFleet(inventory, rng);
  const stopsFile = join(opts.inventoryDir, 'stops.txt');
  const stops = existsSync(stopsFile)
    ? readFileSync(stopsFile, 'utf8')
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((l) => l.split(',')[0].replace(/"/g, ''))
    : [];
  const t0 = Date.parse(opts.start ?? '2026-01-05T06:00:00Z');
  const end = t0 + opts.hours * HOUR;
  const queue = new DeadlineQueue();
  const duplicates = new Map<number, string>();
  let nextDuplicate = 1;

  const out = createWriteStream(opts.out);
  let chunk: string[] = [];
  let chunkChars = 0;
  let lines = 0;
  let bytes = 0;
  const flush = async () => {
    const text = chunk.join('');
    chunk = [];
    chunkChars = 0;
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  const emitLine = (t: number, topic: string, payloadJson: string) => {
    const line = `{"t":"${new Date(t).toISOString()}","topic":"${topic}","payload":${payloadJson}}\n`;
    chunk.push(line);
    chunkChars += line.length;
    lines++;
    // QoS 1 redelivery: the same message again, a moment later.
    if (rng.chance(FAULTS.redelivery)) {
      const id = nextDuplicate++;
      duplicates.set(id, `${topic}\u0000${payloadJson}`);
      queue.push(t + rng.int(50, 3000), -id);
    }
  };
  const publish = (t: number, d: SimDevice, channel: string, payload: Record<string, unknown>) => {
    let json = JSON.stringify(payload);
    if (rng.chance(FAULTS.malformed)) json = JSON.stringify(json.slice(0, rng.int(1, json.length - 1)));
    else if (rng.chance(FAULTS.invalid)) json = JSON.stringify(spoil(payload, rng));
    else if (rng.chance(FAULTS.oversized)) json = JSON.stringify({ ...payload, debug: 'x'.repeat(17_000) });
    emitLine(t, d.topic + channel, json);
  };
  const status = (t: number, d: SimDevice, state: 'online' | 'offline') => {
    const payload: Record<string, unknown> = { state, ts: t + d.skewMs, seq: d.seq++ };
    if (d.kind === 'cctv') Object.assign(payload, { video: d.videoLost ? 'lost' : 'ok', shared: d.shared });
    publish(t, d, 'status', payload);
  };
  const schedule = (at: number, device: number, kind: number) => {
    if (at < end) queue.push(at, device * 16 + kind);
  };
  const between = (range: readonly number[]) => rng.between(range[0], range[1]);

  fleet.forEach((d, i) => {
    queue.push(t0 + rng.between(0, 20_000), i * 16 + RECOVER); // first status online
    schedule(
      t0 + rng.exp(d.kind === 'cctv-gateway' ? FAULTS.gatewayFailureEveryMs : FAULTS.outageEveryMs),
      i,
      OUTAGE,
    );
    if (d.kind === 'cctv') schedule(t0 + rng.exp(FAULTS.videoLossEveryMs), i, VIDEO_LOST);
    if (d.flappy) schedule(t0 + rng.between(0, 10 * MIN), i, FLAP);
  });
  schedule(t0 + rng.exp(NOISE_EVERY_MS), fleet.length, NOISE);

  let reported = 0;
  while (queue.size > 0 && queue.peekDeadline() < end) {
    const t = Math.round(queue.peekDeadline());
    const id = queue.pop();
    if (id < 0) {
      const [topic, json] = duplicates.get(-id)!.split('\u0000');
      duplicates.delete(-id);
      chunk.push(`{"t":"${new Date(t).toISOString()}","topic":"${topic}","payload":${json}}\n`);
      lines++;
    } else {
      const i = id >> 4;
      const kind = id & 15;
      const d = fleet[i];
      switch (kind) {
        case EMIT:
          if (!isSilent(fleet, d) && (d.kind !== 'transit-beacon' || inService(t))) {
            const { channel, payload } = regularPayload(d, t, rng, stops);
            publish(t, d, channel, payload);
          }
          schedule(t + d.intervalMs * rng.between(0.95, 1.05), i, EMIT);
          break;
        case OUTAGE:
          d.down = true;
          // A gateway's connection drops: the broker publishes its Last Will. Other devices sometimes
          // say goodbye, mostly just go quiet.
          if (d.kind === 'cctv-gateway') publish(t, d, 'status', { state: 'offline' });
          else if (rng.chance(0.3)) status(t, d, 'offline');
          schedule(
            t + between(d.kind === 'cctv-gateway' ? FAULTS.gatewayFailureMs : FAULTS.outageMs),
            i,
            RECOVER,
          );
          break;
        case RECOVER: {
          const first = d.seq < 0 || !d.down;
          d.down = false;
          if (!isSilent(fleet, d)) status(t, d, 'online');
          // A returning gateway republishes its cameras' statuses.
          for (const c of d.cameras) if (!fleet[c].down) status(t, fleet[c], 'online');
          if (first) schedule(t + rng.between(0, d.intervalMs), i, EMIT);
          else
            schedule(
              t + rng.exp(d.kind === 'cctv-gateway' ? FAULTS.gatewayFailureEveryMs : FAULTS.outageEveryMs),
              i,
              OUTAGE,
            );
          break;
        }
        case VIDEO_LOST:
        case VIDEO_OK:
          d.videoLost = kind === VIDEO_LOST;
          if (!isSilent(fleet, d)) status(t, d, 'online');
          schedule(
            t + (d.videoLost ? between(FAULTS.videoLossMs) : rng.exp(FAULTS.videoLossEveryMs)),
            i,
            d.videoLost ? VIDEO_OK : VIDEO_LOST,
          );
          break;
        case FLAP:
          // A bad link: silent for 3–5 intervals, then back for 2–6.
          d.down = !d.down;
          schedule(t + d.intervalMs * (d.down ? rng.int(3, 5) : rng.int(2, 6)), i, FLAP);
          break;
        case NOISE:
          emitNoise(t, fleet, rng, emitLine);
          schedule(t + rng.exp(NOISE_EVERY_MS), i, NOISE);
          break;
      }
    }
    if (chunkChars > 1 << 20) {
      await flush();
      const done = (t - t0) / (end - t0);
      if (done - reported > 0.01) {
        reported = done;
        opts.onProgress?.(done);
      }
    }
  }
  await flush();
  out.end();
  await once(out, 'finish');
  opts.onProgress?.(1);
  return { lines, bytes, start: new Date(t0).toISOString(), end: new Date(end).toISOString() };
}

/** A payload that is valid JSON but breaks its channel's schema. */
function spoil(payload: Record<string, unknown>, rng: Rng): Record<string, unknown> {
  if ('pressureKPa' in payload) return { ...payload, pressureKPa: 'high' };
  if ('metrics' in payload) return { ...payload, metrics: { pm25: 'n/a' } };
  if ('routeId' in payload) return { ...payload, routeId: 42 };
  return rng.chance(0.5) ? { ...payload, ts: 'yesterday' } : { ...payload, state: 'asleep' };
}

/** Traffic that is not the city's own: unknown and spoofed devices, bad topics, unknown routes. */
function emitNoise(
  t: number,
  fleet: SimDevice[],
  rng: Rng,
  emit: (t: number, topic: string, json: string) => void,
) {
  const ts = t;
  const r = rng.next();
  const cam = fleet.find((d) => d.kind === 'cctv') ?? fleet[0];
  const bus = fleet.find((d) => d.kind === 'transit-beacon');
  if (r < 0.35)
    emit(t, `city/cctv/cam-${rng.int(9000, 9999)}/status`, JSON.stringify({ state: 'online', ts }));
  else if (r < 0.6) emit(t, `city/sensor/${cam.id}/telemetry`, JSON.stringify({ ts, metrics: { pm25: 3 } }));
  else if (r < 0.7)
    emit(t, rng.chance(0.5) ? `city/cctv/${cam.id}` : `city/cctv/${cam.id}/video`, JSON.stringify({ ts }));
  else if (bus) {
    const payload = {
      ts,
      routeId: `X${rng.int(100, 999)}`,
      stopId: '0',
      vehicleId: bus.id,
      predictedArrival: ts + 60_000,
    };
    emit(t, `${bus.topic}arrival`, JSON.stringify(payload));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      inventory: {
        type: 'string',
        default: fileURLToPath(new URL('../../examples/sample-city/', import.meta.url)),
      },
      out: { type: 'string', default: 'data/sample.jsonl' },
      hours: { type: 'string', default: '3' },
      seed: { type: 'string', default: '42' },
      start: { type: 'string' },
    },
  });
  const started = performance.now();
  const made = await recordSampleTraffic({
    inventoryDir: values.inventory!,
    out: values.out!,
    hours: Number(values.hours),
    seed: Number(values.seed),
    start: values.start,
    onProgress: (f) => process.stderr.write(`\rrecording ${(f * 100).toFixed(0)} %`),
  });
  const s = (performance.now() - started) / 1000;
  process.stderr.write(
    `\n${made.lines} lines, ${(made.bytes / 1e6).toFixed(1)} MB, ${made.start} → ${made.end}, ${Math.round(made.lines / s)} lines/s\n`,
  );
}

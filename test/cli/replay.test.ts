// `citygauge replay` end to end on test/fixtures/town, every expected value worked out by hand.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
const t = (s: number) => new Date(Date.parse('2026-01-05T08:00:00Z') + s * 1000).toISOString();
const line = (s: number, topic: string, payload: unknown) => JSON.stringify({ t: t(s), topic, payload });

const pipe = (seq: number, pressureKPa: unknown = 300) => ({
  ts: 1,
  seq,
  pressureKPa,
  flowLps: 2,
  leak: false,
});
const arrival = (routeId: string) => ({
  ts: 1,
  routeId,
  stopId: '4785',
  vehicleId: 'bus-1',
  predictedArrival: 2,
});

const RECORDING = [
  line(0, 'city/cctv-gateway/gw-1/status', { state: 'online', ts: 1 }),
  line(0, 'city/cctv/cam-1/status', { state: 'online', shared: true, ts: 1 }),
  line(0, 'city/cctv/cam-2/status', { state: 'online', video: 'lost', ts: 1 }),
  line(0, 'city/cctv/cam-3/status', { state: 'online', ts: 1 }),
  line(0, 'city/cctv/cam-4/status', { state: 'online', shared: true, ts: 1 }),
  line(10, 'city/pipe-monitor/pm-1/telemetry', pipe(1)),
  line(10, 'city/pipe-monitor/pm-1/telemetry', pipe(1)), // QoS 1 redelivery → duplicate
  line(20, 'city/pipe-monitor/pm-2/telemetry', pipe(1, 'high')), // bad-payload: pm-2 never online
  line(30, 'city/transit-beacon/bus-1/arrival', arrival('22')),
  line(30, 'city/transit-beacon/bus-1/arrival', arrival('99')), // unknown-route
  line(40, 'city/cctv/cam-9/status', { state: 'online' }), // unknown-device
  line(40, 'city/sensor/cam-1/telemetry', { ts: 1, metrics: {} }), // kind-mismatch
  line(40, 'city/cctv/cam-1', { state: 'online' }), // bad-topic
  line(50, 'city/sensor/sen-1/telemetry', '{"ts":17,"metr'), // bad-json, recorded as a string
  line(50, 'city/sensor/sen-1/heartbeat', { ts: 1, pad: 'x'.repeat(17_000) }), // too-large
  line(60, 'city/sensor/sen-1/heartbeat', { ts: 1 }),
  line(120, 'city/cctv-gateway/gw-1/status', { state: 'offline' }), // the gateway's Last Will
].join('\n');

interface Out {
  at: string;
  indicators: {
    id: string;
    scope: string;
    value: number | null;
    numerator: number | null;
    denominator: number | null;
    means: Record<string, number | null>;
  }[];
  rejected: Record<string, number>;
}

let dir: string;
let input: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'citygauge-replay-'));
  input = join(dir, 'town.jsonl');
  writeFileSync(input, `${RECORDING}\n`);
});

async function replay(...ats: string[]): Promise<Out[]> {
  const r = await runCli([
    'replay',
    '--inventory',
    TOWN,
    '--input',
    input,
    ...ats.flatMap((a) => ['--at', a]),
  ]);
  // The one bad-payload of the recording, named by field and rule (issue 10 item 6); nothing else.
  expect(r.stderr).toBe(
    `${input}: bad-payload ×1: pressureKPa: expected a number (first: city/pipe-monitor/pm-2/telemetry at ${t(20)})\n`,
  );
  expect(r.code).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

const pick = (o: Out, id: string, scope = 'city') =>
  o.indicators.find((i) => i.id === id && i.scope === scope)!;

describe('citygauge replay', () => {
  let early: Out;
  let late: Out;
  beforeAll(async () => {
    [early, late] = await replay(t(60), t(600));
  });

  it('prints one line per --at with every indicator for the city and each district', () => {
    expect(early.at).toBe('2026-01-05T08:01:00.000Z');
    expect(late.at).toBe('2026-01-05T08:10:00.000Z');
    const scopes = [...new Set(early.indicators.map((i) => i.scope))];
    expect(scopes).toEqual(['city', 'centre', 'north']);
    expect(early.indicators).toHaveLength(18 * 3);
  });

  it('counts every rejection reason once', () => {
    expect(early.rejected).toEqual({
      'bad-topic': 1,
      'unknown-device': 1,
      'kind-mismatch': 1,
      'too-large': 1,
      'bad-json': 1,
      'bad-payload': 1,
      'unknown-route': 1,
      duplicate: 1,
    });
  });

  it('computes the state after every line with t ≤ T (08:01:00)', () => {
    expect(pick(early, 'availability.cctv')).toMatchObject({ value: 100, numerator: 4, denominator: 4 });
    expect(pick(early, 'L2.2.1.b2')).toMatchObject({ value: 66.666666667, numerator: 2, denominator: 3 });
    // cam-2's video is lost: 2 of 3 key-public cameras available
    expect(pick(early, 'L2.2.1.b4')).toMatchObject({ value: 66.666666667, numerator: 2, denominator: 3 });
    expect(pick(early, 'L2.2.1.b4', 'centre')).toMatchObject({ value: 50, numerator: 1, denominator: 2 });
    // 0.25·100 + 0.2·66.67 + 0.15·100 + 0.25·66.67 + 0.15·100 = 85
    expect(pick(early, 'L2.2.1').value).toBe(85);
    expect(pick(early, 'L2.2.1', 'centre').value).toBeNull(); // no key-industry area in the centre
    expect(pick(early, 'L2.2.1', 'north').value).toBe(100);
    // 0.3·33.33 + 0.2·100 + 0.5·100 = 80; north: 0.3·0 + 0.2·100 + 50 = 70
    expect(pick(early, 'L2.2.2').value).toBe(80);
    expect(pick(early, 'L2.2.2', 'north').value).toBe(70);
    expect(pick(early, 'L2.1.1')).toMatchObject({ value: 25, numerator: 250, denominator: 1000 });
    expect(pick(early, 'L1.2.2')).toMatchObject({ value: 50, numerator: 1, denominator: 2 });
    expect(pick(early, 'L3.1.1', 'north').value).toBe(100); // sen-1's heartbeat at exactly T counts
    expect(pick(early, 'L3.1.1', 'centre').value).toBeNull();
    expect(pick(early, 'L3.2.2')).toMatchObject({ value: 0, numerator: 0, denominator: 1 });
  });

  it('computes the time-weighted 1 h means over the part after the first line', () => {
    // L2.1.1: 0 for 10 s, then 25 for 50 s
    expect(pick(early, 'L2.1.1').means['1h']).toBeCloseTo((25 * 50) / 60, 8);
    expect(pick(early, 'L1.2.2').means['1h']).toBe(25);
    expect(pick(early, 'availability.cctv').means['1h']).toBe(100);
  });

  it('lets devices lapse and follows the gateway down by 08:10:00', () => {
    expect(pick(late, 'availability.cctv').value).toBe(0);
    expect(pick(late, 'L2.2.1.b1').value).toBe(100); // registered coverage does not need liveness
    // 0.25·100 + 0.2·66.67 + 0.15·100 = 53.33
    expect(pick(late, 'L2.2.1').value).toBe(53.333333333);
    expect(pick(late, 'L2.2.2').value).toBe(50);
    // cameras online for [0, 90] s of 600: 15; pipes 25 % for [10, 190]: 7.5; routes 50 % for [30, 330]: 25
    expect(pick(late, 'availability.cctv').means['1h']).toBe(15);
    expect(pick(late, 'L2.1.1').means['1h']).toBe(7.5);
    expect(pick(late, 'L1.2.2').means['1h']).toBe(25);
    // 85 for 90 s, then 53.33 for 510 s
    expect(pick(late, 'L2.2.1').means['1h']).toBeCloseTo((85 * 90 + (160 / 3) * 510) / 600, 8);
  });

  it('prints the lines in the order the --at were given', async () => {
    const [a, b] = await replay(t(600), t(60));
    expect(a.at).toBe(t(600));
    expect(b.at).toBe(t(60));
    expect(a).toEqual(late);
  });

  it('is deterministic: the same input gives byte-identical output', async () => {
    const first = await runCli(['replay', '--inventory', TOWN, '--input', input, '--at', t(300)]);
    const second = await runCli(['replay', '--inventory', TOWN, '--input', input, '--at', t(300)]);
    expect(first.stdout).toBe(second.stdout);
    expect(first.stdout.length).toBeGreaterThan(1000);
  });
});

describe('citygauge replay with bad input', () => {
  it('exits 2 naming the missing option', async () => {
    const r = await runCli(['replay', '--inventory', TOWN, '--at', t(0)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--input/);
  });

  it('exits 2 for an --at that is not a time', async () => {
    const r = await runCli(['replay', '--inventory', TOWN, '--input', input, '--at', 'noon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--at 'noon' is not an RFC 3339 time/);
  });

  it('exits 2 when the input file does not exist', async () => {
    const r = await runCli(['replay', '--inventory', TOWN, '--input', join(dir, 'nope.jsonl'), '--at', t(0)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope.jsonl' does not exist/);
  });

  it('exits 1 listing file:line: reason for a bad inventory row', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'citygauge-badinv-'));
    writeFileSync(
      join(bad, 'devices.csv'),
      'id,kind,district,asset_id,gateway_id,hd,expected_interval_s,lat,lon\ncam 1,camera,x,,,,,,\n',
    );
    const r = await runCli(['replay', '--inventory', bad, '--input', input, '--at', t(0)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/devices\.csv:2: /);
  });

  it('skips unreadable lines with FILE:LINE: reason and replays the rest', async () => {
    const messy = join(dir, 'messy.jsonl');
    writeFileSync(
      messy,
      [
        line(0, 'city/sensor/sen-1/heartbeat', { ts: 1 }),
        '{"t":"yesterday","topic":"city/sensor/sen-1/heartbeat","payload":{}}',
        'garbage',
        line(1, 'city/cctv/cam-3/heartbeat', { ts: 1 }),
      ].join('\n'),
    );
    const r = await runCli(['replay', '--inventory', TOWN, '--input', messy, '--at', t(1)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('messy.jsonl:2: "t" must be an RFC 3339 time');
    expect(r.stderr).toContain('messy.jsonl:3: not JSON');
    const out: Out = JSON.parse(r.stdout);
    expect(pick(out, 'availability.sensor').value).toBe(100);
    expect(pick(out, 'availability.cctv').numerator).toBe(1);
  });
});

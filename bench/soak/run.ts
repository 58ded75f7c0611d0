// `npm run bench:soak`: the sample city (`citygauge start` with its simulated fleet, in a child process, on
// a temporary data dir) plus a steady extra load of registered sensors from a separate process, sampled
// every 10 s for RSS, heap, event-loop delay p99 and indicator latency (a device's publish to the retained
// indicator changing on MQTT). Issue 10 item 9's targets: RSS growth < 5 % over the last 20 of 30 minutes,
// event-loop delay p99 < 50 ms, indicator latency p99 < 1 s. Results in bench/out/soak-<date>.{json,md}.
//   npm run bench:soak -- [--minutes 30] [--devices 300] [--interval-ms 2000] [--no-red]
// (or SOAK_MINUTES=5 npm run bench:soak)
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../free-port.js';
import { type CityChild, PROBE_DISTRICT, PROBE_INDICATOR, soakInventory, startCityChild } from './city.js';
import { IndicatorProbe } from './probe.js';
import { type Sample, sampleCity } from './sample.js';
import { markdown, summarise } from './summary.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const OUT = fileURLToPath(new URL('../../../bench/out/', import.meta.url));
const SAMPLE_EVERY_MS = 10_000;
const PROBE_ID = 'soak-probe';
const MiB = 1024 * 1024;

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: process.env.SOAK_MINUTES ?? '30' },
    devices: { type: 'string', default: process.env.SOAK_DEVICES ?? '300' },
    'interval-ms': { type: 'string', default: process.env.SOAK_INTERVAL_MS ?? '2000' },
    'no-red': { type: 'boolean', default: false },
    /** Judge the samples of an earlier run again (e.g. after changing how a figure is computed). */
    'from-json': { type: 'string' },
  },
});

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`bench:soak: --${name} must be a positive number, not '${raw}'\n`);
    process.exit(2);
  }
  return n;
}
const minutes = positive('minutes', flags.minutes);
const extraDevices = Math.floor(positive('devices', flags.devices));
const intervalMs = positive('interval-ms', flags['interval-ms']);

const log = (line: string) => process.stdout.write(`${line}\n`);
const clock = (s: number) =>
  `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

async function api(city: CityChild, token: string, method: string, path: string, body?: FormData) {
  const res = await fetch(city.http + path, {
    method,
    headers: { authorization: `Bearer ${token}` },
    body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** The extra sensors and the probe, in one upload (one registry rebuild), then a secret for each. */
async function registerDevices(city: CityChild, token: string, dir: string): Promise<Map<string, string>> {
  const districts = ['old-town', 'harbor', 'eastfield', 'northgate', 'riverside', 'university'];
  const ids = Array.from({ length: extraDevices }, (_, i) => `soak-sen-${String(i).padStart(4, '0')}`);
  const rows = [
    'id,kind,district,asset_id,gateway_id,hd,expected_interval_s,lat,lon',
    ...ids.map((id, i) => `${id},sensor,${districts[i % districts.length]},,,,60,,`),
    `${PROBE_ID},sensor,${PROBE_DISTRICT},,,true,60,,`,
  ];
  const form = new FormData();
  form.append('devices.csv', new Blob([`${rows.join('\n')}\n`]), 'devices.csv');
  const upload = await api(city, token, 'POST', '/api/inventory', form);
  if (upload.errors?.length)
    throw new Error(
      `the soak's devices were refused: ${upload.errors.map((e: { text: string }) => e.text).join('; ')}`,
    );
  const secrets = new Map<string, string>();
  for (const id of [...ids, PROBE_ID])
    secrets.set(id, (await api(city, token, 'POST', `/api/devices/${id}/secret`)).secret);
  writeFileSync(join(dir, 'load-credentials.json'), JSON.stringify(ids.map((id) => [id, secrets.get(id)])));
  return secrets;
}

function startLoad(
  city: CityChild,
  dir: string,
): { child: ChildProcess; last: () => Record<string, number> } {
  const child = spawn(
    process.execPath,
    [join(here, 'load.js'), city.mqttUrl, join(dir, 'load-credentials.json'), String(intervalMs)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let last: Record<string, number> = {};
  child.stdout?.on('data', (d: Buffer) => {
    const line = d.toString().trim().split('\n').pop();
    if (line?.startsWith('{')) last = JSON.parse(line);
  });
  return { child, last: () => last };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'citygauge-soak-'));
  const dataDir = join(work, 'data');
  const adminToken = randomBytes(24).toString('hex');
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  log(
    `soak: ${minutes} min, sample city${flags['no-red'] ? ' without Node-RED' : ' with Node-RED'} + ${extraDevices} extra sensors every ${intervalMs} ms (${Math.round((extraDevices * 1000) / intervalMs)} msg/s); ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}`,
  );
  const city = await startCityChild({
    dataDir,
    inventory: soakInventory(join(work, 'inventory')),
    httpPort,
    mqttPort,
    adminToken,
    extraArgs: flags['no-red'] ? ['--no-red'] : [],
  });
  const pid = city.child.pid!;
  let load: ReturnType<typeof startLoad> | undefined;
  let probe: IndicatorProbe | undefined;
  try {
    log(`soak: city running (pid ${pid}) at ${city.http}; registering ${extraDevices + 1} devices`);
    const secrets = await registerDevices(city, adminToken, work);
    load = startLoad(city, work);
    const service = Object.entries(city.serviceTokens)[0];
    if (!service) throw new Error('citygauge start printed no MQTT service account');
    probe = await IndicatorProbe.open({
      url: city.mqttUrl,
      deviceId: PROBE_ID,
      token: secrets.get(PROBE_ID)!,
      watchTopic: `city/indicators/${PROBE_INDICATOR}/${PROBE_DISTRICT}`,
      service: { username: service[0], password: service[1] },
    });
    // Scrape once so the first sample's event-loop p99 covers 10 s, not the whole start.
    await sampleCity(city.http, pid, 0);

    const samples: Sample[] = [];
    const latencies: (number | null)[] = [];
    const started = performance.now();
    const endAt = started + minutes * 60_000;
    for (let next = started + SAMPLE_EVERY_MS; next <= endAt + 1; next += SAMPLE_EVERY_MS) {
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
      if (city.child.exitCode !== null || city.child.signalCode !== null)
        throw new Error(`the city exited during the soak:\n${city.tail()}`);
      const t = (performance.now() - started) / 1000;
      // The probe starts at a random point of the engine's 1 s snapshot period, or every probe would land
      // at the same phase and measure one point of the latency's spread.
      const [sample, probed] = await Promise.all([
        sampleCity(city.http, pid, t),
        new Promise((r) => setTimeout(r, Math.random() * 1000)).then(() =>
          probe!.measure(SAMPLE_EVERY_MS - 2000),
        ),
      ]);
      samples.push(sample);
      latencies.push(probed.latencyMs);
      const l = load.last();
      log(
        `[${clock(t)}/${clock(minutes * 60)}] RSS ${sample.rssBytes === null ? '?' : Math.round(sample.rssBytes / MiB)} MiB, heap ${sample.heapUsedBytes === null ? '?' : Math.round(sample.heapUsedBytes / MiB)} MiB, loop p99 ${sample.eventLoopP99Ms?.toFixed(1) ?? '?'} ms, snapshot ${sample.evaluationMs?.toFixed(1) ?? '?'} ms, CPU ${sample.cpuPct?.toFixed(0) ?? '?'} %, waiting for a core ${sample.runQueueMsPerS?.toFixed(0) ?? '?'} ms/s, indicator ${probed.latencyMs === null ? 'TIMEOUT' : `${Math.round(probed.latencyMs)} ms`}, load ${sample.load1.toFixed(2)}; extra sensors ${l.connected ?? 0}/${extraDevices} connected, ${l.acked ?? 0} readings acked`,
      );
    }

    const summary = summarise(samples, latencies, minutes);
    const date = new Date().toISOString().slice(0, 16).replace(':', '');
    const setup = `citygauge start on the sample city (2,970 simulated devices over 1,270 MQTT connections${flags['no-red'] ? '' : ', Node-RED'}) plus ${extraDevices} registered sensors, each on its own connection, one QoS 1 reading every ${intervalMs} ms (${Math.round((extraDevices * 1000) / intervalMs)} msg/s), from a separate process; sampled every 10 s. ${cpus().length} cores shared with other work: load average median ${summary.load1.median}, max ${summary.load1.max}. Measured ${new Date().toISOString()}.`;
    mkdirSync(OUT, { recursive: true });
    const base = join(OUT, `soak-${date}`);
    writeFileSync(`${base}.json`, `${JSON.stringify({ summary, samples, latencies, setup }, null, 2)}\n`);
    const md = markdown(summary, setup);
    writeFileSync(`${base}.md`, md);
    log(`\n${md}\nsoak: written to ${base}.json and ${base}.md`);
    if (!Object.values(summary.met).every(Boolean)) process.exitCode = 1;
  } finally {
    await probe?.close().catch(() => undefined);
    if (load && load.child.exitCode === null) {
      const exited = new Promise((r) => load!.child.once('exit', r));
      load.child.kill('SIGTERM');
      await exited;
    }
    await city.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The summary and markdown of an earlier run's JSON, written beside it. */
function resummarise(file: string): void {
  const run = JSON.parse(readFileSync(file, 'utf8')) as {
    summary: { minutes: number };
    samples: Sample[];
    latencies: (number | null)[];
    setup: string;
  };
  const summary = summarise(run.samples, run.latencies, run.summary.minutes);
  writeFileSync(file, `${JSON.stringify({ ...run, summary }, null, 2)}\n`);
  const md = markdown(summary, run.setup);
  writeFileSync(file.replace(/\.json$/, '.md'), md);
  log(md);
}

if (flags['from-json']) resummarise(flags['from-json']);
else await main();

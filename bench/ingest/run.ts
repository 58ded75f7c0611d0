// `npm run bench:ingest`: live ingest through a broker, messages/s at QoS 0 and 1, with 4 publishing
// processes and one receiver sharing the 2 cores. Baselines measured in the same run: Mosquitto and bare
// aedes, each to one raw mqtt.js subscriber.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../free-port.js';
import { benchCity } from './city-setup.js';
import { type Started, startBareAedes, startMosquitto, startProcess } from './run-target.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const PUBLISHERS = 4;
const PER_PUBLISHER = Number(process.env.BENCH_INGEST_MESSAGES ?? 50_000);

export interface IngestResult {
  target: string;
  qos: 0 | 1;
  received: number;
  sent: number;
  messagesPerSecond: number;
  crashed?: string;
}

/** Publish from 4 processes into `url`; `receiver` reports {received, seconds} when done. */
export async function measure(
  target: string,
  qos: 0 | 1,
  url: string,
  receiver: () => Promise<Started>,
  credentials: (i: number) => [string, string, string] = (i) => [`bench-${i}`, '', ''],
): Promise<IngestResult> {
  const rx = await receiver();
  const sent = PUBLISHERS * PER_PUBLISHER;
  const pubs = Array.from({ length: PUBLISHERS }, (_, i) => {
    const [id, user, pass] = credentials(i);
    return startProcess(
      process.execPath,
      [join(here, 'publisher.js'), url, id, String(PER_PUBLISHER), String(qos), user, pass],
      '',
    );
  });
  const publishers = await Promise.all(pubs);
  await Promise.all(
    publishers.map(
      (p) => new Promise((r) => (p.child.exitCode !== null ? r(null) : p.child.once('exit', r))),
    ),
  );
  await new Promise((r) => (rx.child.exitCode !== null ? r(null) : rx.child.once('exit', r)));
  const last = rx.lines
    .map((l) => (l.startsWith('{') ? JSON.parse(l) : undefined))
    .filter(Boolean)
    .pop() as { received: number; seconds: number } | undefined;
  if (!last)
    return { target, qos, received: 0, sent, messagesPerSecond: 0, crashed: 'the receiver reported nothing' };
  return { target, qos, received: last.received, sent, messagesPerSecond: last.received / last.seconds };
}

async function baseline(name: 'mosquitto' | 'aedes', qos: 0 | 1): Promise<IngestResult> {
  const port = await freePort();
  const broker = name === 'mosquitto' ? await startMosquitto(port) : await startBareAedes(port);
  const url = `mqtt://127.0.0.1:${port}`;
  try {
    const r = await measure(name, qos, url, () =>
      startProcess(process.execPath, [
        join(here, 'subscriber.js'),
        url,
        String(PUBLISHERS * PER_PUBLISHER),
        String(qos),
      ]),
    );
    if (broker.child.exitCode !== null) r.crashed = `broker exited with code ${broker.child.exitCode}`;
    return r;
  } finally {
    await broker.stop();
  }
}

/** citygauge end to end: publishers authenticate as registered sensors; the engine is the receiver. */
async function citygauge(qos: 0 | 1): Promise<IngestResult> {
  const port = await freePort();
  const city = await benchCity(mkdtempSync(join(tmpdir(), 'citygauge-ingest-')), PUBLISHERS);
  const url = `mqtt://127.0.0.1:${port}`;
  return measure(
    'citygauge',
    qos,
    url,
    () =>
      startProcess(process.execPath, [
        join(here, 'citygauge-target.js'),
        String(port),
        city.dataDir,
        String(PUBLISHERS * PER_PUBLISHER),
      ]),
    (i) => [city.credentials[i][0], city.credentials[i][0], city.credentials[i][1]],
  );
}

/** 10,000 devices connecting and authenticating at once: seconds until the last CONNACK. */
export async function connectionStorm(
  devices = 10_000,
  processes = 4,
): Promise<{ devices: number; connected: number; seconds: number }> {
  const port = await freePort();
  const city = await benchCity(mkdtempSync(join(tmpdir(), 'citygauge-storm-')), devices);
  const target = await startProcess(process.execPath, [
    join(here, 'citygauge-target.js'),
    String(port),
    city.dataDir,
    '1',
  ]);
  try {
    const share = Math.ceil(devices / processes);
    const runs = await Promise.all(
      Array.from({ length: processes }, (_, p) =>
        startProcess(
          process.execPath,
          [
            join(here, 'storm-client.js'),
            `mqtt://127.0.0.1:${port}`,
            city.credentialsFile,
            String(p * share),
            String(Math.min(devices, (p + 1) * share)),
          ],
          '',
        ),
      ),
    );
    await Promise.all(
      runs.map(
        (r) => new Promise((res) => (r.child.exitCode !== null ? res(null) : r.child.once('exit', res))),
      ),
    );
    const reports = runs.map(
      (r) =>
        JSON.parse(r.lines.find((l) => l.startsWith('{'))!) as {
          connected: number;
          started: number;
          ended: number;
        },
    );
    const seconds =
      (Math.max(...reports.map((r) => r.ended)) - Math.min(...reports.map((r) => r.started))) / 1000;
    return { devices, connected: reports.reduce((n, r) => n + r.connected, 0), seconds };
  } finally {
    await target.stop();
  }
}

export async function runIngest(): Promise<{
  results: IngestResult[];
  storm: { devices: number; connected: number; seconds: number };
}> {
  const results = await runBaselines();
  for (const qos of [0, 1] as const) {
    const r = await citygauge(qos);
    process.stderr.write(
      `citygauge QoS ${qos}: ${Math.round(r.messagesPerSecond).toLocaleString('en')} msg/s (${r.received}/${r.sent})\n`,
    );
    results.push(r);
  }
  const storm = await connectionStorm();
  process.stderr.write(
    `connection storm: ${storm.connected}/${storm.devices} devices authenticated in ${storm.seconds.toFixed(1)} s\n`,
  );
  return { results, storm };
}

export async function runBaselines(): Promise<IngestResult[]> {
  const out: IngestResult[] = [];
  for (const qos of [0, 1] as const) {
    for (const name of ['mosquitto', 'aedes'] as const) {
      const r = await baseline(name, qos);
      process.stderr.write(
        `${name} QoS ${qos}: ${Math.round(r.messagesPerSecond).toLocaleString('en')} msg/s (${r.received}/${r.sent})${r.crashed ? ` — ${r.crashed}` : ''}\n`,
      );
      out.push(r);
    }
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runIngest();
}

// `npm run bench:ingest`: live ingest through a broker, messages/s at QoS 0 and 1, with 4 publishing
// processes and one receiver sharing the 2 cores. Baselines measured in the same run: Mosquitto and bare
// aedes, each to one raw mqtt.js subscriber.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../free-port.js';
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
  await runBaselines();
}

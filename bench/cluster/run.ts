// `npm run bench:cluster` (issue 11 item 10): device messages per second end to end — admitted by MQTT with
// a QoS 1 PUBACK, through to the indicator state — for the one-process city and for the local cluster (3
// nats-server nodes, 2 front doors, 2 shards, an API node, started by deploy/local/cluster), in one run, on
// the sample city and on the generated 25,000-device metro. The cluster's figure is given as a ratio to the
// one-process figure of the same run; the per-node figures a sizing model needs are measured alongside.
// Writes bench/out/cluster-<date>.json. BENCH_CLUSTER_MESSAGES (default 40,000 per city) sets the load,
// BENCH_CLUSTER_DEVICES (10,000) the connections at most, BENCH_CLUSTER_WINDOW (100 per process) the PUBACKs awaited.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { freePort } from '../free-port.js';
import { type City, importCity, metroCity, sampleCity } from './cities.js';
import { cluster } from './cluster-run.js';
import { type JsonChild, machineCpu, procSample, startJsonChild } from './procs.js';
import { ackedOf, startFleet } from './publishers.js';
import { type CityResult, clusterReport, type OneProcessResult } from './results.js';
import {
  CITIES,
  DEADLINE_MS,
  fmt,
  here,
  MAX_DEVICES,
  MESSAGES,
  outDir,
  PUBLISHERS,
  say,
  sleep,
} from './settings.js';
import { writeTokensSqlite } from './tokens.js';
import { nonZero, planTraffic, readLines, shareFleet, type Traffic } from './traffic.js';

export type { CityResult } from './results.js';

async function oneProcess(city: City, traffic: Traffic, work: string): Promise<OneProcessResult> {
  const dataDir = join(work, 'one-process-data');
  say(`  one process: importing ${city.name}`);
  await importCity(city.inventory, dataDir);
  writeTokensSqlite(dataDir, traffic.devices);
  const port = await freePort();
  const target = startJsonChild('the one-process city', join(here, 'one-process.js'), [
    String(port),
    dataDir,
    String(traffic.messages.length),
  ]);
  let fleet: JsonChild[] = [];
  try {
    await target.next('ready', 120_000);
    await sleep(500);
    const before = procSample(target.child.pid!);
    fleet = await startFleet(work, 'one process', shareFleet(traffic, PUBLISHERS, 1), [
      `mqtt://127.0.0.1:${port}`,
    ]);
    await sleep(1000);
    const connected = procSample(target.child.pid!);
    const m0 = machineCpu();
    const goAt = Date.now();
    for (const f of fleet) f.send('go');
    const ticker = setInterval(() => {
      const judged = Number(target.last('progress')?.judged ?? 0);
      const [acked] = ackedOf(fleet, 'progress', 1);
      say(
        `  one process: ${fmt(acked)} PUBACKs, ${fmt(judged)} of ${fmt(traffic.messages.length)} judged by the engine (${fmt(judged / ((Date.now() - goAt) / 1000))} msg/s)`,
      );
    }, 2000);
    let done: Record<string, unknown>;
    try {
      done = await target.next('done', DEADLINE_MS);
    } finally {
      clearInterval(ticker);
    }
    const m1 = machineCpu();
    const after = procSample(target.child.pid!);
    await Promise.all(fleet.map((f) => f.next('published', 60_000)));
    const doneAt = Number(done.at);
    const seconds = (doneAt - goAt) / 1000;
    const cpuSeconds = after.cpuS - connected.cpuS;
    const rejected = Object.values(done.rejected as Record<string, number>).reduce((a, b) => a + b, 0);
    return {
      messagesPerSecond: traffic.messages.length / seconds,
      seconds,
      connections: traffic.devices.length,
      rssBeforeMiB: before.rssKiB / 1024,
      rssConnectedMiB: connected.rssKiB / 1024,
      rssPerConnectionKiB: (connected.rssKiB - before.rssKiB) / traffic.devices.length,
      cpuSeconds,
      messagesPerCpuSecond: traffic.messages.length / cpuSeconds,
      accepted: Number(done.accepted),
      rejected,
      rejectedBy: nonZero(done.rejected as Record<string, number>),
      machineBusy: (m1.busyS - m0.busyS) / (m1.totalS - m0.totalS),
      load1: loadavg()[0],
    };
  } finally {
    for (const f of fleet) f.send('end');
    await Promise.all(fleet.map((f) => f.stop()));
    await target.stop();
  }
}

async function benchCity(city: City): Promise<CityResult> {
  // Enough lines for MESSAGES from the first MAX_DEVICES devices, whose share of the lines is about theirs of the fleet.
  const share = Math.min(1, MAX_DEVICES / city.devices);
  const lines = await readLines(city.recording, Math.ceil((MESSAGES * 1.3) / share) + 1000);
  const { inventory } = await loadInventoryDir(city.inventory);
  const traffic = planTraffic(inventory, lines, MESSAGES, MAX_DEVICES);
  if (traffic.messages.length < MESSAGES)
    throw new Error(
      `${city.recording} gave only ${traffic.messages.length} of ${MESSAGES} messages: ask for fewer (BENCH_CLUSTER_MESSAGES)`,
    );
  say(
    `${city.name}: ${fmt(traffic.messages.length)} messages from ${fmt(traffic.devices.length)} devices (of ${fmt(city.devices)}), QoS 1, ${PUBLISHERS} publishing processes`,
  );
  const work = mkdtempSync(join(tmpdir(), 'citygauge-bench-cluster-'));
  // The launcher's PostgreSQL runs as the postgres account when this runs as root: it must reach DIR/pg.
  chmodSync(work, 0o711);
  try {
    const one = await oneProcess(city, traffic, work);
    say(
      `  one process: ${fmt(one.messagesPerSecond)} msg/s (${one.seconds.toFixed(1)} s; ${fmt(one.accepted)} accepted, ${fmt(one.rejected)} refused)`,
    );
    const clu = await cluster(city, traffic, work, one);
    say(
      `  cluster: ${fmt(clu.messagesPerSecond)} msg/s (${clu.seconds.toFixed(1)} s; ${fmt(clu.accepted)} accepted, ${fmt(clu.rejected)} refused)`,
    );
    if (clu.accepted !== one.accepted || clu.rejected !== one.rejected)
      say(
        `  NOTE: the cluster accepted ${clu.accepted}, refused ${JSON.stringify(clu.rejectedBy)}; one process ${one.accepted}, ${JSON.stringify(one.rejectedBy)}`,
      );
    rmSync(work, { recursive: true, force: true });
    return {
      city: city.name,
      devices: city.devices,
      connections: traffic.devices.length,
      messages: traffic.messages.length,
      linesRead: traffic.read,
      linesLeftOut: traffic.leftOut,
      linesOfOtherDevices: traffic.otherDevices,
      perDevicePerHour: city.perDevicePerHour,
      oneProcess: one,
      cluster: clu,
      ratio: clu.messagesPerSecond / one.messagesPerSecond,
      cpuRatio: clu.messagesPerCpuSecond / one.messagesPerCpuSecond,
    };
  } catch (err) {
    say(`  kept ${work} for its logs`);
    throw err;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(outDir, { recursive: true });
  const load = loadavg();
  say(
    `bench:cluster on ${cpus().length} cores, load ${load.map((x) => x.toFixed(2)).join(' ')} (a shared machine: compare ratios)`,
  );
  const results: CityResult[] = [];
  for (const name of CITIES) {
    const city = name === 'metro' ? await metroCity() : await sampleCity();
    results.push(await benchCity(city));
  }
  const date = new Date().toISOString();
  const file = join(outDir, `cluster-${date.slice(0, 10)}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ date, node: process.version, cores: cpus().length, loadBefore: load, loadAfter: loadavg(), results }, null, 2)}\n`,
  );
  process.stdout.write(`\n${results.flatMap(clusterReport).join('\n')}\n\nwritten to ${file}\n`);
}

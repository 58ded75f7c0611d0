// Issue 10 item 8: `citygauge start` killed with SIGKILL while devices publish at QoS 1, then started again
// on the same data dir and ports. No data file is corrupt, every reading a device still held unacknowledged
// arrives, the alert that was open is still open (once, not cleared), and the history has no gap but the
// downtime. The devices are the real edge agents with their on-disk outboxes.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalogue, loadInventoryStrictly } from '../../cli/load-city.js';
import { DeviceAgent } from '../../edge/agent.js';
import { CameraAgent } from '../../edge/camera.js';
import { PipeMonitorAgent } from '../../edge/pipe-monitor.js';
import { SensorAgent } from '../../edge/sensor.js';
import { CityEngine } from '../../engine/city-engine.js';
import { ONLINE } from '../../engine/city-model.js';
import { restoreEngineState, STATE_FILE_NAME } from '../../engine/state-file.js';
import { type CityProcess, startCity } from '../support/city-process.js';
import { type TcpGate, tcpGate } from '../support/tcp-gate.js';
import { tempDir } from '../support/tmp.js';

const ADMIN = 'kill9-admin-token-0123456789abcdef';
const TOWN = 'test/fixtures/town';
const ARGS = ['--inventory', TOWN, '--no-sim', '--no-red'];
const ENV = { CITYGAUGE_ADMIN_TOKEN: ADMIN };
const GATEWAY_ALERT = { indicator: 'availability.cctv-gateway', scope: 'city' };
/** cam-3 is the one camera of a key public area in the north: its picture flips L2.2.1.b4 there. */
const FLIPPING = { id: 'L2.2.1.b4', scope: 'north' };
const READING_EVERY_MS = 40;

const dataDir = tempDir();
let city: CityProcess | undefined;
let gate: TcpGate | undefined;
let watcher: MqttClient | undefined;
const agents: DeviceAgent[] = [];
const timers: NodeJS.Timeout[] = [];

afterAll(async () => {
  for (const t of timers) clearInterval(t);
  await watcher?.endAsync(true);
  await Promise.all(agents.map((a) => a.stop({ graceful: false, timeoutMs: 1000 })));
  await gate?.stop();
  await city?.stop();
});

const until = <T>(read: () => Promise<T> | T, ok: (v: T) => boolean, what: string, ms = 30_000) =>
  city!.until(read, ok, what, ms);

interface Alert {
  alertId: string;
  indicator: string;
  scope: string;
  raisedAt: string;
  clearedAt: string | null;
}
const gatewayAlerts = async (): Promise<Alert[]> =>
  ((await city!.api('GET', '/api/alerts')).body as Alert[]).filter(
    (a) => a.indicator === GATEWAY_ALERT.indicator && a.scope === GATEWAY_ALERT.scope,
  );

/** A reading device: every seq it published for a reading, and those the broker acknowledged. */
interface Reader {
  agent: SensorAgent | PipeMonitorAgent;
  read: () => number;
  published: Set<number>;
  acked: Set<number>;
}

function integrity(file: string): string {
  const db = new Database(join(dataDir, file), { readonly: true, fileMustExist: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('citygauge start killed with SIGKILL under load', () => {
  it('loses nothing a device still held, keeps its alert open and its history whole', async () => {
    city = await startCity(ARGS, ENV, dataDir);
    const ports = city.ports;
    const banner = await until(
      () => city!.output(),
      (o) => o.includes('Ctrl-C stops everything'),
      'the banner',
    );
    const engineToken = /MQTT account\s+service:engine \/ (\S+)/.exec(banner)?.[1];
    expect(engineToken, 'the first start prints the engine service account').toBeDefined();
    gate = await tcpGate(ports.mqtt);
    gate.open();

    const secret = async (id: string) =>
      (await city!.api('POST', `/api/devices/${id}/secret`)).body.secret as string;
    const common = async (deviceId: string, intervalS: number) => ({
      url: gate!.url,
      deviceId,
      token: await secret(deviceId),
      intervalS,
      outboxDir: tempDir('citygauge-outbox-'),
      reconnect: { minMs: 200, maxMs: 1000 },
    });
    const gateway = new DeviceAgent({ ...(await common('gw-1', 30)), kind: 'cctv-gateway' });
    const camera = new CameraAgent(await common('cam-3', 60));
    const sensor = new SensorAgent(await common('sen-1', 60));
    const pipes = [
      new PipeMonitorAgent(await common('pm-1', 60)),
      new PipeMonitorAgent(await common('pm-2', 60)),
    ];
    agents.push(gateway, camera, sensor, ...pipes);
    const readers: Reader[] = [
      {
        agent: sensor,
        read: () => sensor.report({ pm25: 12.5, no2: 30 }),
        published: new Set(),
        acked: new Set(),
      },
      ...pipes.map((p) => ({
        agent: p,
        read: () => p.report({ pressureKPa: 410, flowLps: 12.5, leak: false }),
        published: new Set<number>(),
        acked: new Set<number>(),
      })),
    ];
    for (const r of readers) r.agent.on('acked', (seq) => r.acked.add(seq));
    for (const a of agents) a.start();

    // The gateway comes up, then its link is cut: the broker publishes its Last Will and the threshold
    // (below 100 for 2 s) raises a critical alert.
    const gatewaysUp = async () =>
      (await city!.api('GET', '/api/indicators/availability.cctv-gateway')).body.value as number;
    await until(gatewaysUp, (v) => v === 100, 'the gateway online');
    const put = await city.api('PUT', '/api/thresholds', [
      { ...GATEWAY_ALERT, below: 100, clearAt: 100, forS: 2, severity: 'critical' },
    ]);
    expect(put.status).toBe(200);
    gateway.interrupt(3_600_000);
    const [alert] = await until(gatewayAlerts, (a) => a.length === 1 && a[0].clearedAt === null, 'the alert');

    // Load: three devices read every 40 ms at QoS 1, and cam-3's picture flips every 700 ms.
    for (const r of readers)
      timers.push(
        setInterval(() => {
          r.published.add(r.read());
        }, READING_EVERY_MS),
      );
    let video: 'ok' | 'lost' = 'ok';
    timers.push(
      setInterval(() => {
        video = video === 'ok' ? 'lost' : 'ok';
        camera.setVideo(video);
      }, 700),
    );

    // The liveness file must know the gateway is down before a kill can be survived with the alert open.
    const statePath = join(dataDir, STATE_FILE_NAME);
    await until(
      () => statSync(statePath, { throwIfNoEntry: false })?.mtimeMs ?? 0,
      (mtime) => mtime >= Date.parse(alert.raisedAt),
      `${STATE_FILE_NAME} saved after the gateway went down (a kill now would bring it back online)`,
      15_000,
    );
    await until(
      () => readers.map((r) => r.acked.size),
      (n) => n.every((x) => x >= 50),
      'readings acknowledged under load',
    );

    const killedAt = Date.now();
    await city.kill();
    gate.close();
    await until(
      () => agents.filter((a) => a.isConnected).map((a) => a.deviceId),
      (ids) => ids.length === 0,
      'every device disconnected',
    );

    // The process is gone: every file it wrote must read back whole.
    for (const file of [
      'registry.sqlite',
      'alerts.sqlite',
      'history.sqlite',
      'retained.sqlite',
      'scorecard.sqlite',
    ])
      expect(integrity(file), file).toBe('ok');
    const engine = new CityEngine(await loadInventoryStrictly(TOWN), loadCatalogue(TOWN));
    const restored = restoreEngineState(engine, statePath, Date.now());
    expect(restored).toMatchObject({ ok: true, found: true });
    const gw = engine.model.deviceIds.indexOf('gw-1');
    expect(engine.devices.mask[gw] & ONLINE, 'gw-1 is offline in the liveness file').toBe(0);
    const retained = new Database(join(dataDir, 'retained.sqlite'), { readonly: true });
    const will = retained
      .prepare('SELECT payload FROM retained WHERE topic = ?')
      .get('city/cctv-gateway/gw-1/status') as { payload: Buffer } | undefined;
    retained.close();
    expect(will?.payload.toString(), "gw-1's Last Will, retained").toBe('{"state":"offline"}');

    // Down long enough for every device to pile up a backlog in its outbox.
    const heldNow = () => readers.map((r) => [...r.published].filter((seq) => !r.acked.has(seq)).length);
    await until(heldNow, (n) => n.every((x) => x >= 100), 'readings held while the city is down');

    // Start again on the same data dir and ports; a subscriber is in place before any device may return.
    const restartedAt = Date.now();
    city = await startCity(ARGS, ENV, dataDir, ports);
    watcher = await city.connect({ username: 'service:engine', password: engineToken, clean: true });
    const seen = new Map<string, Set<number>>(readers.map((r) => [r.agent.deviceId, new Set<number>()]));
    watcher.on('message', (topic, payload) => {
      const id = topic.split('/')[2];
      const seq = (JSON.parse(payload.toString()) as { seq?: number }).seq;
      if (seq !== undefined) seen.get(id)?.add(seq);
    });
    await watcher.subscribeAsync(['city/sensor/+/telemetry', 'city/pipe-monitor/+/telemetry'], { qos: 1 });
    // Every reading not acknowledged when the city died, the ones taken while it was down included.
    const held = readers.map((r) => ({
      id: r.agent.deviceId,
      seqs: [...r.published].filter((s) => !r.acked.has(s)),
    }));
    gate.open();
    await until(
      () => held.map((h) => ({ id: h.id, missing: h.seqs.filter((s) => !seen.get(h.id)!.has(s)).length })),
      (m) => m.every((x) => x.missing === 0),
      'every held reading delivered after the restart',
      60_000,
    );

    // The engine took them, as any reading: accepted, the device online.
    for (const r of readers) {
      const { body } = await city.api('GET', `/api/devices/${r.agent.deviceId}/status`);
      expect(body.status.online, `${r.agent.deviceId} online`).toBe(true);
      expect(
        body.messages.filter((m: { outcome: string }) => m.outcome !== 'accepted'),
        `${r.agent.deviceId}: messages refused`,
      ).toEqual([]);
    }

    // History: points up to just before the kill, none while the city was down, and again after the start.
    const history = async () =>
      (
        await city!.api(
          'GET',
          `/api/indicators/${FLIPPING.id}/history?scope=${FLIPPING.scope}&from=${killedAt - 60_000}&to=${Date.now() + 1000}&every=1s`,
        )
      ).body as { ts: string; value: number | null }[];
    const points = await until(
      history,
      (p) => p.filter((x) => Date.parse(x.ts) >= restartedAt).length >= 5,
      'history after the restart',
    );
    for (const t of timers) clearInterval(t);
    const times = points.map((p) => Date.parse(p.ts));
    const before = times.filter((t) => t <= killedAt);
    expect(
      killedAt - Math.max(...before),
      'the last point before the kill is at most 5 s old',
    ).toBeLessThanOrEqual(5000);
    // Buckets start on the second, so the one holding the kill may start up to 1 s before it.
    expect(
      times.filter((t) => t > killedAt && t < restartedAt - 1000),
      'no point while the city was down',
    ).toEqual([]);
    const gaps = times.slice(1).map((t, i) => ({ from: times[i], to: t }));
    const downtime = gaps.find((g) => g.from <= killedAt && g.to >= restartedAt - 1000);
    expect(downtime, 'one gap spans the downtime').toBeDefined();
    const others = gaps.filter((g) => g !== downtime && g.to - g.from > 10_000);
    expect(
      others.map((g) => `${new Date(g.from).toISOString()} → ${new Date(g.to).toISOString()}`),
      'no other gap over 10 s',
    ).toEqual([]);

    // The alert raised before the kill is still the one open alert: same id and time, never cleared.
    const after = await gatewayAlerts();
    expect(after).toEqual([
      expect.objectContaining({ alertId: alert.alertId, raisedAt: alert.raisedAt, clearedAt: null }),
    ]);
    expect((await city.api('GET', '/api/indicators/availability.cctv-gateway')).body.value).toBe(0);
  }, 240_000);
});

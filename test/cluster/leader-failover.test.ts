// Issue 11 item 9 (c), real processes on loopback: a 3-node NATS JetStream log, PostgreSQL, a front door, a
// shard and two API nodes. The leader is killed with SIGKILL just after it raised one alert and before a
// second one falls due: the other API node takes over, and every alert event reaches an MQTT subscriber of
// the front door exactly once, the acknowledgement and clears made after the takeover included, and the
// shared alert log in PostgreSQL holds each alert as it ended. On the same cluster: the new leader serves the
// dashboard, and a device registered (then deleted) through its API counts in the merged city (then stops).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeCommand, nodeCommands, PORTS_USED, topologyAt } from '../../deploy/local/topology.js';
import { launchBrowser, openPage } from '../support/browser.js';
import { runCli } from '../support/cli.js';
import { type NatsCluster, startNats } from '../support/nats.js';
import { signInFirstTime } from '../support/people.js';
import { freePortRange } from '../support/ports.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';
import { CLUSTER_ADMIN_TOKEN, type NodeProc, startNode } from './support/cluster-procs.js';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));
const ADMIN = CLUSTER_ADMIN_TOKEN;
const DISTRICT = 'riverside';
const dir = mkdtempSync(join(tmpdir(), 'citygauge-leader-'));
const city = join(dir, 'city');

let nats: NatsCluster;
let postgres: TestPostgres;
let db: string;
let door: NodeProc;
let shard: NodeProc;
const apis = new Map<string, { node: NodeProc; url: string }>();
let subscriber: mqtt.MqttClient;
let mqttUrl: string;
const heard: { event: string; alertId: string; acknowledgedBy?: string }[] = [];
/** The duty officer's personal token: an operator, made through api-1 and kept in the shared PostgreSQL. */
let dutyOfficer: string;

interface ClusterStatus {
  leading: boolean;
  leader: string | null;
  caughtUp: boolean;
  output: { sent: number; duplicates: number };
}

async function get<T>(url: string): Promise<T | undefined> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${ADMIN}` } }).catch(() => undefined);
  return res?.ok ? ((await res.json()) as T) : undefined;
}

/** The district's sensors: no status yet means all offline (availability 0 %), so both lines are crossed. */
function districtSensors(): string[] {
  return readFileSync(join(city, 'devices.csv'), 'utf8')
    .split('\n')
    .map((l) => l.split(','))
    .filter((c) => c[1] === 'sensor' && c[2] === DISTRICT)
    .map((c) => c[0]);
}

/** The topology of this test, described as the launcher's is: one front door, one shard, two API nodes. */
let nodes: NodeCommand[];
const role = (name: string) => nodes.find((n) => n.name === name)!;

async function startApi(name: string, cluster: string[], extra: string[] = []): Promise<void> {
  const n = role(name);
  const node = startNode(name, [...n.args, '--db', db, '--data-dir', join(dir, name), ...extra, ...cluster]);
  apis.set(name, { node, url: `http://127.0.0.1:${n.args[n.args.indexOf('--http-port') + 1]}` });
  await node.waitFor(/HTTP API/);
}

/** An admin adds `name` as an operator and issues their personal token, over the API as a real admin would. */
async function operatorToken(api: string, name: string): Promise<string> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(api + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status, `POST ${path}: ${await res.clone().text()}`).toBe(201);
    return res.json() as Promise<{ token?: string }>;
  };
  await post('/api/people', { name, role: 'operator' });
  return (await post('/api/tokens', { name })).token!;
}

const status = (name: string) => get<ClusterStatus>(`${apis.get(name)!.url}/api/cluster`);

beforeAll(async () => {
  cpSync(SAMPLE, city, { recursive: true });
  const cityFile = JSON.parse(readFileSync(join(city, 'city.json'), 'utf8'));
  // Two lines on one value: the first raises 3 s after the city starts; the second 5 s after, while the
  // leader is dead and the other not yet leading (within the lease TTL of 3 s), on most runs.
  cityFile.thresholds = [
    { indicator: 'availability.sensor', scope: DISTRICT, below: 50, clearAt: 60, forS: 3, severity: 'major' },
    {
      indicator: 'availability.sensor',
      scope: DISTRICT,
      below: 40,
      clearAt: 60,
      forS: 8,
      severity: 'critical',
    },
  ];
  writeFileSync(join(city, 'city.json'), JSON.stringify(cityFile));
  [nats, postgres] = await Promise.all([startNats({ nodes: 3 }), startPostgres()]);
  db = await postgres.createDatabase();
  const imported = await runCli(['import', city, '--db', db]);
  expect(imported.code, imported.stderr).toBe(0);

  const cluster = ['--cluster', nats.urls.join(','), '--partitions', '4', '--lease-ttl-ms', '3000'];
  const topo = topologyAt(await freePortRange(PORTS_USED), 4, { doors: 1, shards: 1, apis: 2 });
  nodes = nodeCommands(topo, { anonymous: true });
  mqttUrl = `mqtt://127.0.0.1:${topo.doors[0]}`;
  door = startNode('door-1', [
    ...role('door-1').args,
    '--db',
    db,
    '--data-dir',
    join(dir, 'door'),
    ...cluster,
  ]);
  await door.waitFor(/front door of the cluster/);
  subscriber = await mqtt.connectAsync(mqttUrl, { clientId: 'duty-officer-screen', reconnectPeriod: 200 });
  subscriber.on('message', (_topic, payload) => heard.push(JSON.parse(payload.toString())));
  // city/alerts/+: the events; the dashboard's alert routes forward copies under city/alerts/notify/….
  await subscriber.subscribeAsync('city/alerts/+', { qos: 1 });

  // api-1 leads (it is alone when it starts); api-2 follows, caught up, before the city has any input.
  await startApi('api-1', cluster);
  await waitFor('api-1 to lead', async () => (await status('api-1'))?.leading || undefined, 30_000);
  // api-2 also serves the dashboard, its flows reading the front door.
  await startApi('api-2', cluster, ['--dashboard-broker', mqttUrl]);
  await waitFor('api-2 to be caught up', async () => (await status('api-2'))?.caughtUp || undefined, 30_000);
  dutyOfficer = await operatorToken(apis.get('api-1')!.url, 'duty-officer');
  shard = startNode('shard-1', [
    ...role('shard-1').args,
    '--inventory',
    city,
    '--data-dir',
    join(dir, 'shard'),
    ...cluster,
  ]);
  await shard.waitFor(/engine shard/);
}, 180_000);

afterAll(async () => {
  await subscriber?.endAsync();
  await Promise.all(
    [door, shard, ...[...apis.values()].map((a) => a.node)].filter(Boolean).map((n) => n.stop()),
  );
  await Promise.all([nats?.stop(), postgres?.stop()]);
}, 60_000);

const events = (alertId: string) => heard.filter((h) => h.alertId === alertId).map((h) => h.event);

describe('the API leader killed with SIGKILL', () => {
  it('hands leadership over, and no alert event is lost or sent twice', async () => {
    const logs = () =>
      [...apis].map(([n, a]) => `${n}:\n${a.node.output().slice(-1500)}`).join('\n---\n') +
      `\nheard: ${JSON.stringify(heard)}`;
    const raised = (below: number) =>
      heard.find(
        (h) =>
          h.event === 'raise' &&
          h.alertId.startsWith(`availability.sensor@${DISTRICT}@`) &&
          (h as { below?: number }).below === below,
      );

    const first = await waitFor(
      () => `the first raise from api-1\n${logs()}`,
      () => raised(50),
      60_000,
    );
    await apis.get('api-1')!.node.kill9();
    const second = await waitFor(
      () => `the second raise, from api-2\n${logs()}`,
      () => raised(40),
      60_000,
    );
    const b = await waitFor(
      () => `api-2 to lead\n${logs()}`,
      async () => {
        const s = await status('api-2');
        return s?.leading ? s : undefined;
      },
      30_000,
    );
    expect(b.leader).toBe('api-2');
    // api-2 sent the first raise again as it took over (it had it, as a follower), and JetStream dropped it.
    await waitFor(
      'api-2 to hear the first raise was stored already',
      async () => ((await status('api-2'))?.output.duplicates ?? 0) >= 1 || undefined,
    );

    // Acknowledged through the new leader's API by the duty officer, whose account and token api-1 made:
    // the acknowledger is the caller. Then cleared: every district sensor comes online.
    const ack = await fetch(`${apis.get('api-2')!.url}/api/alerts/${encodeURIComponent(first.alertId)}/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dutyOfficer}` },
    });
    expect(ack.status, await ack.clone().text()).toBe(200);
    expect(((await ack.json()) as { acknowledgedBy: string }).acknowledgedBy).toBe('duty-officer');
    const client = await mqtt.connectAsync(mqttUrl, { clientId: 'riverside-sensors', reconnectPeriod: 0 });
    let seq = 1;
    for (const id of districtSensors())
      await client.publishAsync(`city/sensor/${id}/status`, JSON.stringify({ state: 'online', seq: seq++ }), {
        qos: 1,
      });
    await client.endAsync();
    await waitFor(
      () => `both clears\n${logs()}`,
      () =>
        (events(first.alertId).includes('clear') && events(second.alertId).includes('clear')) || undefined,
      60_000,
    );
    // A new leader sends its recent events again as it takes over, before the acknowledgement: any copy
    // JetStream let through would be here by now.
    expect(events(first.alertId)).toEqual(['raise', 'acknowledge', 'clear']);
    expect(events(second.alertId)).toEqual(['raise', 'clear']);
    expect(heard).toHaveLength(5);

    // The indicators come out of the front door too, retained: a screen that connects now gets the value.
    const screen = await mqtt.connectAsync(mqttUrl, { clientId: 'video-wall', reconnectPeriod: 0 });
    const seen: { retain: boolean; value: number; numerator: number }[] = [];
    screen.on('message', (_t, payload, packet) =>
      seen.push({ retain: packet.retain, ...JSON.parse(payload.toString()) }),
    );
    await screen.subscribeAsync(`city/indicators/availability.sensor/${DISTRICT}`, { qos: 1 });
    const onSubscribe = await waitFor('the retained value', () => seen[0]);
    expect(onSubscribe.retain).toBe(true);
    const all = await waitFor('every district sensor online', () => seen.find((v) => v.value === 100));
    await screen.endAsync();
    expect(all.numerator).toBe(districtSensors().length);

    // The shared alert log holds both as they ended, written by whichever node led.
    const client2 = new pg.Client({ connectionString: db });
    await client2.connect();
    try {
      const rows = (
        await client2.query<{ alert_id: string; acknowledged_by: string | null; cleared_at: string | null }>(
          'SELECT alert_id, acknowledged_by, cleared_at FROM alerts ORDER BY raised_at, alert_id',
        )
      ).rows;
      expect(rows.map((r) => r.alert_id).sort()).toEqual([first.alertId, second.alertId].sort());
      expect(rows.find((r) => r.alert_id === first.alertId)?.acknowledged_by).toBe('duty-officer');
      expect(rows.every((r) => r.cleared_at !== null)).toBe(true);
    } finally {
      await client2.end();
    }
  }, 240_000);

  it('serves the dashboard from the new leader, its cards fed by the front door', async () => {
    const api = apis.get('api-2')!.url;
    const browser = await launchBrowser();
    try {
      const { page, errors } = await openPage(browser);
      await waitFor(
        'Node-RED serving /dashboard on api-2',
        async () => (await fetch(`${api}/dashboard/`).catch(() => undefined))?.ok || undefined,
        60_000,
      );
      // A person the admin adds on this node, signing in for the first time with their one-time password.
      const added = await fetch(`${api}/api/people`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'wall', role: 'viewer' }),
      });
      expect(added.status).toBe(201);
      const { oneTimePassword } = (await added.json()) as { oneTimePassword: string };
      await signInFirstTime(
        page,
        api,
        'wall',
        oneTimePassword,
        'operations room screen seven',
        '/dashboard/city',
      );
      await page.goto(`${api}/dashboard/city`);
      const rows =
        (await get<{ id: string; scope: string; value: number | null }[]>(`${api}/api/indicators`)) ?? [];
      const card = (id: string) => page.locator(`[data-indicator="${id}"] [data-testid=value]`).first();
      for (const id of ['L2.2.1', 'L2.2.2']) {
        const value = rows.find((r) => r.id === id && r.scope === 'city')?.value;
        await expect
          .poll(() => card(id).textContent(), { timeout: 30_000 })
          .toBe(value === null || value === undefined ? '—' : value.toFixed(1));
      }
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('counts a device registered while the cluster runs, and stops counting one deleted', async () => {
    const api = apis.get('api-2')!.url;
    const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const sensors = districtSensors().length;
    const riverside = async () =>
      (
        await get<{ id: string; scope: string; numerator: number; denominator: number }[]>(
          `${api}/api/indicators`,
        )
      )?.find((r) => r.id === 'availability.sensor' && r.scope === DISTRICT);
    const created = await fetch(`${api}/api/devices`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ id: 'sen-new-1', kind: 'sensor', district: DISTRICT, expectedIntervalS: 60 }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const { secret, connection } = (await created.json()) as {
      secret: string;
      connection?: { url: string; username: string; clientId: string; topicPrefix: string };
    };
    // The API node tells the device its front door (--dashboard-broker's, as no --device-broker was given).
    expect(connection).toEqual({
      url: mqttUrl,
      username: 'sen-new-1',
      clientId: 'sen-new-1',
      topicPrefix: 'city/sensor/sen-new-1/',
    });
    // The front door admits it once it has announced the new registry to the log; its status then counts.
    const device = await waitFor(
      'the front door to admit the new sensor',
      () =>
        mqtt
          .connectAsync(connection!.url, {
            clientId: connection!.clientId,
            username: connection!.username,
            password: secret,
            reconnectPeriod: 0,
          })
          .catch(() => undefined),
      30_000,
    );
    await device.publishAsync('city/sensor/sen-new-1/status', JSON.stringify({ state: 'online', seq: 1 }), {
      qos: 1,
    });
    await device.endAsync();
    const counted = await waitFor(
      () =>
        `the merged city to count sen-new-1\n${apis.get('api-2')!.node.output().slice(-2000)}\n${shard.output().slice(-2000)}`,
      async () => {
        const r = await riverside();
        return r?.denominator === sensors + 1 && r.numerator === sensors + 1 ? r : undefined;
      },
      30_000,
    );
    expect(counted).toMatchObject({ numerator: sensors + 1, denominator: sensors + 1 });
    // The API node knows every device's state from the merged city: the new sensor is not down, and a camera
    // no one has heard from is, saying so.
    const down = await get<{ count: number; total: number; devices: { id: string; cause: string }[] }>(
      `${api}/api/devices/down`,
    );
    expect(down?.devices.find((d) => d.id === 'sen-new-1')).toBeUndefined();
    expect(down?.devices.find((d) => d.id === 'cam-0001')?.cause).toBe('never-heard');
    expect(down!.count).toBe(down!.total - sensors - 1);

    const deleted = await fetch(`${api}/api/devices/sen-new-1`, {
      method: 'DELETE',
      headers: { authorization: admin.authorization },
    });
    expect(deleted.status).toBe(204);
    const gone = await waitFor(
      'the merged city to drop sen-new-1',
      async () => {
        const r = await riverside();
        return r?.denominator === sensors ? r : undefined;
      },
      30_000,
    );
    expect(gone).toMatchObject({ numerator: sensors, denominator: sensors });
  }, 120_000);
});

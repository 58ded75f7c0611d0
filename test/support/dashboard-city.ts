// A city for the dashboard's browser tests: `citygauge start` on an inventory with its people added first,
// answered once Node-RED serves /dashboard; and the town fixture's gateway scenario most of them play.
import type { MqttClient } from 'mqtt';
import { type CityProcess, startCity } from './city-process.js';
import { addPerson, type Person } from './people.js';
import { tempDir } from './tmp.js';

/** Starts the city with these people (and the break-glass token) and waits for the dashboard. */
export async function startDashboardCity(
  inventory: string,
  people: Person[],
  adminToken: string,
  env: Record<string, string> = {},
): Promise<CityProcess> {
  const dataDir = tempDir();
  for (const p of people) await addPerson(dataDir, p);
  const city = await startCity(
    ['--inventory', inventory, '--no-sim'],
    { CITYGAUGE_ADMIN_TOKEN: adminToken, ...env },
    dataDir,
  );
  await city.until(
    // A request caught while Node-RED's socket.io attaches to the port may be reset: "not yet".
    async () =>
      (await fetch(`${city.http}/dashboard/`, { redirect: 'manual' }).catch(() => undefined))?.status,
    (s) => s === 302,
    'Node-RED serving /dashboard',
    30_000,
  );
  return city;
}

/**
 * The town fixture (test/fixtures/town): gw-1 and two of the four cameras behind it come online (camera
 * availability 50 %, degraded: half the cameras heard), then the gateway goes offline, its cameras dark
 * behind it. Resolves with the gateway's connection, still open, for the test to end.
 */
export async function townGatewayLost(city: CityProcess): Promise<MqttClient> {
  const { body } = await city.api('POST', '/api/devices/gw-1/secret');
  const gateway = await city.connect({ clientId: 'gw-1', username: 'gw-1', password: body.secret });
  const say = (topic: string, payload: object) =>
    gateway.publishAsync(topic, JSON.stringify(payload), { qos: 1, retain: true });
  await say('city/cctv-gateway/gw-1/status', { state: 'online' });
  for (const cam of ['cam-1', 'cam-2'])
    await say(`city/cctv/${cam}/status`, { state: 'online', video: 'ok', shared: true });
  await city.until(
    async () => (await city.api('GET', '/api/indicators/availability.cctv')).body.value,
    (v) => v === 50,
    'cam-1 and cam-2 online',
  );
  await say('city/cctv-gateway/gw-1/status', { state: 'offline' });
  return gateway;
}

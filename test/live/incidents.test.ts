// Issue 14 item 1, live: the city's services (cli/city-services.ts) on a virtual clock. A gateway goes
// offline: one incident on city/incidents/<id> (retained) names its cameras, the camera-availability alert
// it causes links to it, and it resolves exactly the hold after the gateway came back.
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { CityServices } from '../../cli/city-services.js';
import { SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import { CityEngine } from '../../engine/city-engine.js';
import { DEFAULT_INCIDENT_RULE } from '../../engine/incidents/incident.js';
import { SqliteIncidentLog } from '../../engine/incidents/incident-log.js';
import type { RawMessage } from '../../engine/pipeline.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { at, makeInventory } from '../support/city.js';
import { tempDir } from '../support/tmp.js';

const catalogue = buildCatalogue(LIVE_CATALOGUE);
const cams = ['cam-1', 'cam-2', 'cam-3'];

let close = async () => {};
afterEach(() => close());

/** gw-1 with three cameras in centre, a camera-availability threshold, the services on a virtual clock. */
async function liveCity() {
  const dir = tempDir();
  const inventory = makeInventory({
    city: {
      thresholds: [
        {
          indicator: 'availability.cctv',
          scope: 'city',
          below: 98,
          clearAt: 100,
          forS: 60,
          severity: 'critical',
        },
      ],
    },
    areas: [{ id: 'plaza', class: 'key-public', district: 'centre' }],
    devices: [
      { id: 'gw-1', kind: 'cctv-gateway', assetId: 'plaza', expectedIntervalS: 600 },
      ...cams.map((id) => ({
        id,
        kind: 'cctv' as const,
        assetId: 'plaza',
        gatewayId: 'gw-1',
        expectedIntervalS: 600,
      })),
    ],
  });
  const scheduler = new VirtualTimeScheduler();
  scheduler.frame = at(0);
  const advance = (s: number) => {
    scheduler.maxFrames = at(s);
    scheduler.flush();
    scheduler.frame = at(s);
  };
  const messages$ = new Subject<RawMessage>();
  const send = (s: number, topic: string, body: object) => {
    advance(s);
    messages$.next({ topic, payload: JSON.stringify({ ts: at(s), state: 'online', ...body }) });
  };
  // biome-ignore lint/suspicious/noExplicitAny: the payloads' shapes are asserted by the tests
  const published: { topic: string; retain: boolean; payload: any }[] = [];
  const services = new CityServices({
    engine: new CityEngine(inventory, catalogue),
    catalogue,
    thresholds: inventory.city.thresholds,
    messages$,
    history: new SqliteHistory(dir),
    alertLog: await SqliteAlertLog.open(dir),
    incidentLog: await SqliteIncidentLog.open(dir),
    publish: (m) =>
      published.push({ topic: m.topic, retain: m.retain, payload: m.payload ? JSON.parse(m.payload) : null }),
    everyMs: 1000,
    scheduler,
  });
  close = () => services.close();
  return { send, advance, published, services };
}

describe('incidents in the live city, on virtual time', () => {
  it('is one incident on city/incidents/<id>, linked from the alert it causes, resolved a hold after it is back', async () => {
    const { send, advance, published, services } = await liveCity();
    const camerasUp = (s: number) => {
      for (const id of cams) send(s, `city/cctv/${id}/status`, { video: 'ok', shared: true });
    };
    send(1, 'city/cctv-gateway/gw-1/status', {});
    camerasUp(1);
    send(30, 'city/cctv-gateway/gw-1/status', { state: 'offline' });
    advance(200);
    send(200, 'city/cctv-gateway/gw-1/status', {});
    camerasUp(201);
    advance(200 + DEFAULT_INCIDENT_RULE.holdMs / 1000 + 5);

    const id = 'gw-1-20260105T080030000Z';
    const incidentTopics = [
      ...new Set(published.filter((m) => m.topic.startsWith('city/incidents/')).map((m) => m.topic)),
    ];
    expect(incidentTopics).toEqual([`city/incidents/${id}`]);
    const states = published.filter((m) => m.topic === `city/incidents/${id}`);
    expect(states.every((m) => m.retain)).toBe(true);
    expect(states.map((m) => [m.payload.events, m.payload.status])).toEqual([
      [['raised', 'grew', 'grew', 'grew'], 'open'],
      [['recovering'], 'recovering'],
      [['resolved'], 'resolved'],
    ]);
    expect(states[0].payload).toMatchObject({
      cause: 'gateway',
      district: 'centre',
      raisedAt: '2026-01-05T08:00:30.000Z',
      effects: cams,
    });
    // Back at 200 s (its cameras at 201 s, which do not hold it open): resolved at 200 s + the hold.
    expect(states[2].payload.resolvedAt).toBe(new Date(at(200) + DEFAULT_INCIDENT_RULE.holdMs).toISOString());

    // Camera availability fell to 0 at 30 s: the alert raised at 90 s names the incident that explains it.
    const raise = published.find(
      (m) => m.topic === 'city/alerts/availability.cctv' && m.payload.event === 'raise',
    );
    expect(raise?.payload).toMatchObject({ raisedAt: at(90), incidents: [id] });
    expect(services.incidents?.alertsOf(id)).toEqual([raise?.payload.alertId]);
  });

  it('keeps one incident open while the gateway link flaps every minute, and resolves it a hold after it settles', async () => {
    const { send, advance, published } = await liveCity();
    send(1, 'city/cctv-gateway/gw-1/status', {});
    for (let m = 1; m <= 10; m++) {
      send(m * 60, 'city/cctv-gateway/gw-1/status', { state: 'offline' });
      send(m * 60 + 30, 'city/cctv-gateway/gw-1/status', {});
    }
    const settled = 10 * 60 + 30;
    advance(settled + DEFAULT_INCIDENT_RULE.holdMs / 1000 + 5);
    const states = published.filter((m) => m.topic.startsWith('city/incidents/'));
    expect([...new Set(states.map((m) => m.topic))]).toEqual(['city/incidents/gw-1-20260105T080100000Z']);
    const events = states.flatMap((m) => m.payload.events);
    expect(events.filter((e: string) => e === 'raised')).toHaveLength(1);
    expect(events.filter((e: string) => e === 'refailed')).toHaveLength(9);
    expect(events.filter((e: string) => e === 'resolved')).toHaveLength(1);
    expect(states.at(-1)?.payload).toMatchObject({
      status: 'resolved',
      refailures: 9,
      resolvedAt: new Date(at(settled) + DEFAULT_INCIDENT_RULE.holdMs).toISOString(),
      timeline: [
        { kind: 'raised', at: new Date(at(60)).toISOString() },
        { kind: 'resolved', at: new Date(at(settled) + DEFAULT_INCIDENT_RULE.holdMs).toISOString() },
      ],
    });
  });
});

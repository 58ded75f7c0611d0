// Incidents from a real engine fed messages at their times: a gateway loss is one incident raised at the
// instant the gateway said offline, stale devices at their exact deadlines, nothing for devices in
// maintenance, alerts linked, and open incidents kept in incidents.sqlite across a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteIncidentLog } from '../../engine/incidents/incident-log.js';
import { type IncidentChange, IncidentService } from '../../engine/incidents/incident-service.js';
import { at, TestCity } from '../support/city.js';
import { tempDir } from '../support/tmp.js';

const cams = ['cam-1', 'cam-2', 'cam-3', 'cam-4'];
const pms = ['pm-1', 'pm-2', 'pm-3', 'pm-4', 'pm-5', 'pm-6'];

/** gw-1 and its 4 cameras in centre; cam-9 in north; 6 pipe monitors (60 s interval) in east. */
const city = () =>
  new TestCity({
    areas: [
      { id: 'plaza', class: 'key-public', district: 'centre' },
      { id: 'park', class: 'key-public', district: 'north' },
    ],
    pipes: pms.map((_, i) => ({ id: `p${i + 1}`, lengthM: 100, district: 'east' })),
    devices: [
      { id: 'gw-1', kind: 'cctv-gateway', assetId: 'plaza', expectedIntervalS: 600 },
      ...cams.map((id) => ({
        id,
        kind: 'cctv' as const,
        assetId: 'plaza',
        gatewayId: 'gw-1',
        expectedIntervalS: 600,
      })),
      { id: 'cam-9', kind: 'cctv', assetId: 'park', expectedIntervalS: 600 },
      ...pms.map((id, i) => ({
        id,
        kind: 'pipe-monitor' as const,
        assetId: `p${i + 1}`,
        expectedIntervalS: 60,
      })),
    ],
  });

function allUp(c: TestCity, s = 0) {
  c.heartbeat(s, 'cctv-gateway', 'gw-1');
  for (const id of [...cams, 'cam-9']) c.status(s, 'cctv', id, { video: 'ok', shared: false });
  for (const id of pms) c.heartbeat(s, 'pipe-monitor', id);
}

const logs: SqliteIncidentLog[] = [];
afterEach(() => {
  for (const l of logs.splice(0)) l.close();
});

async function service(dir = tempDir()) {
  const log = await SqliteIncidentLog.open(dir);
  logs.push(log);
  const changes: IncidentChange[] = [];
  return { dir, log, changes, incidents: new IncidentService(log, (c) => changes.push(c)) };
}

describe('incidents in the engine', () => {
  it('makes a gateway saying offline one incident naming its four cameras, at that instant', async () => {
    const c = city();
    const { incidents, changes, log } = await service();
    incidents.attach(c.engine);
    allUp(c);
    c.status(30, 'cctv-gateway', 'gw-1', { state: 'offline' });
    incidents.onSnapshot({ at: at(30.5) });
    expect(changes).toHaveLength(1);
    expect(changes[0].events).toEqual(['raised', 'grew', 'grew', 'grew', 'grew']);
    expect(changes[0].incident).toMatchObject({
      id: 'gw-1-20260105T080030000Z',
      cause: 'gateway',
      district: 'centre',
      raisedAt: at(30),
      devices: ['gw-1'],
      effects: cams,
      timeline: [{ at: at(30), kind: 'raised', devices: ['gw-1', ...cams] }],
    });
    expect(log.get('gw-1-20260105T080030000Z')).toEqual(changes[0].incident);
    // The camera-availability alert of centre is explained by it; north's is not.
    const alert = {
      alertId: 'L2.2.1.b4@centre@1',
      indicator: 'L2.2.1.b4',
      scope: 'centre',
      raisedAt: at(40),
    };
    expect(incidents.link(alert)).toEqual(['gw-1-20260105T080030000Z']);
    expect(
      incidents.link({ ...alert, alertId: 'L2.2.1@city@1', indicator: 'L2.2.1', scope: 'city' }),
    ).toEqual(['gw-1-20260105T080030000Z']);
    expect(incidents.link({ ...alert, alertId: 'x', scope: 'north' })).toEqual([]);
    expect(incidents.alertsOf('gw-1-20260105T080030000Z')).toEqual(['L2.2.1.b4@centre@1', 'L2.2.1@city@1']);
  });

  it('raises a district incident when the monitors of east go stale, each at its own deadline', async () => {
    const c = city();
    const { incidents, changes } = await service();
    incidents.attach(c.engine);
    allUp(c);
    // Everyone else keeps talking; the pipe monitors fell silent after 0, 5, 10 … 25 s (power cut).
    for (let i = 1; i < pms.length; i++) c.heartbeat(i * 5, 'pipe-monitor', pms[i]);
    c.engine.advanceTo(at(240));
    incidents.onSnapshot({ at: at(240) });
    const raised = changes.filter((ch) => ch.incident.status !== 'resolved');
    expect(raised.map((ch) => [ch.incident.cause, ch.incident.subject])).toEqual([['district', 'east']]);
    // 3 × 60 s after each one's last message; the fifth (east has 6: ⌈50 %⌉ = 3) raises it.
    expect(raised[0].incident.raisedAt).toBe(at(190));
    expect(raised[0].incident.devices).toEqual(pms);
    expect(raised[0].incident.timeline.map((e) => [e.kind, e.at - at(0), e.devices])).toEqual([
      ['raised', 190_000, ['pm-1', 'pm-2', 'pm-3']],
      ['grew', 195_000, ['pm-4']],
      ['grew', 200_000, ['pm-5']],
      ['grew', 205_000, ['pm-6']],
    ]);
  });

  it('raises nothing for a device in maintenance', async () => {
    const c = city();
    const { incidents, changes } = await service();
    incidents.attach(c.engine);
    allUp(c);
    c.engine.setMaintenance([
      {
        id: 'w1',
        reason: 'firmware',
        by: 'olga',
        devices: ['gw-1'],
        assets: [],
        districts: [],
        start: at(10),
        end: at(100),
        createdAt: 0,
      },
    ]);
    c.status(30, 'cctv-gateway', 'gw-1', { state: 'offline' });
    c.status(90, 'cctv-gateway', 'gw-1', { state: 'online' });
    c.engine.advanceTo(at(120));
    incidents.onSnapshot({ at: at(120) });
    expect(changes).toEqual([]);
  });

  it('keeps an open incident across a restart and resolves it once the gateway is back for the hold', async () => {
    const c = city();
    const first = await service();
    first.incidents.attach(c.engine);
    allUp(c);
    c.status(30, 'cctv-gateway', 'gw-1', { state: 'offline' });
    first.incidents.onSnapshot({ at: at(31) });
    first.log.close();
    logs.length = 0;

    const again = await service(first.dir);
    again.incidents.attach(c.engine);
    expect(again.incidents.list().map((i) => [i.id, i.status])).toEqual([
      ['gw-1-20260105T080030000Z', 'open'],
    ]);
    c.status(60, 'cctv-gateway', 'gw-1', { state: 'online' });
    for (const id of cams) c.status(61, 'cctv', id, { video: 'ok', shared: false });
    again.incidents.onSnapshot({ at: at(60 + 300) });
    expect(again.changes.map((ch) => [ch.events, ch.incident.resolvedAt])).toEqual([
      [['recovering', 'resolved'], at(360)],
    ]);
    expect(again.incidents.get('gw-1-20260105T080030000Z')?.status).toBe('resolved');
  });

  it('forgets a resolved incident an hour after it resolved, also one resolved before a restart', async () => {
    const c = city();
    const first = await service();
    const forgotten: string[] = [];
    first.incidents.onForget.push((id) => forgotten.push(id));
    first.incidents.attach(c.engine);
    allUp(c);
    c.status(30, 'cctv-gateway', 'gw-1', { state: 'offline' });
    c.status(60, 'cctv-gateway', 'gw-1', { state: 'online' });
    for (const id of cams) c.status(60, 'cctv', id, { video: 'ok', shared: false });
    first.incidents.onSnapshot({ at: at(360) }); // resolved at 360 s
    first.incidents.onSnapshot({ at: at(360 + 3600) - 1 });
    expect(forgotten).toEqual([]);
    first.incidents.onSnapshot({ at: at(360 + 3600) });
    expect(forgotten).toEqual(['gw-1-20260105T080030000Z']);
    first.incidents.onSnapshot({ at: at(360 + 7200) });
    expect(forgotten).toHaveLength(1);

    const again = await service(first.dir);
    const later: string[] = [];
    again.incidents.onForget.push((id) => later.push(id));
    again.incidents.onSnapshot({ at: at(360 + 3600) });
    expect(later).toEqual(['gw-1-20260105T080030000Z']);
  });
});

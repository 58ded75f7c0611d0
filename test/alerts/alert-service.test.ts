// Alerts in the engine and over HTTP: a lapsing sensor raises an alert at exactly forS, a duty officer
// acknowledges it (recorded as the person calling), a recovery clears it, and the log keeps every time across a restart.
import { describe, expect, it } from 'vitest';
import { SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import type { AlertEvent } from '../../engine/alerts/alert-machine.js';
import { AlertService } from '../../engine/alerts/alert-service.js';
import { at, TestCity } from '../support/city.js';
import { fullApi } from '../support/full-api.js';
import { personWithToken } from '../support/people.js';
import { tempDir } from '../support/tmp.js';

const threshold = {
  indicator: 'availability.sensor',
  scope: 'city',
  below: 60,
  clearAt: 60,
  forS: 60,
  severity: 'critical' as const,
};

describe('AlertService', () => {
  it('raises, is acknowledged over HTTP, clears, and keeps its log across a restart', async () => {
    const dir = tempDir();
    const c = new TestCity({
      devices: [
        { id: 'sen-1', kind: 'sensor', district: 'east', expectedIntervalS: 60 },
        { id: 'sen-2', kind: 'sensor', district: 'east', expectedIntervalS: 60 },
      ],
    });
    const events: AlertEvent[] = [];
    const log = await SqliteAlertLog.open(dir);
    const alerts = new AlertService([threshold], log, (e) => events.push(e));
    alerts.attach(c.engine);
    c.heartbeat(0, 'sensor', 'sen-1');
    c.heartbeat(0, 'sensor', 'sen-2');
    for (const t of [60, 120, 180, 240]) c.heartbeat(t, 'sensor', 'sen-2');
    // sen-1 lapses at 180 s: 50 % < 60 from then on, so the alert is due at exactly 240 s
    alerts.onSnapshot(c.engine.snapshot(at(239)));
    expect(events).toEqual([]);
    alerts.onSnapshot(c.engine.snapshot(at(241)));
    expect(events.map((e) => [e.type, e.at])).toEqual([['raise', at(240)]]);
    const alertId = events[0].alert.alertId;

    // Over the whole API: the acknowledger is whoever calls, never a name the caller types.
    const api = await fullApi({ alerts });
    const dana = await personWithToken(api.people, 'dana', 'operator');
    const viewer = await personWithToken(api.people, 'vic', 'viewer');
    const call = (method: 'GET' | 'POST', url: string, token?: string, payload?: object) =>
      api.app.inject({
        method,
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(payload !== undefined ? { payload } : {}),
      });
    const ackUrl = `/api/alerts/${encodeURIComponent(alertId)}/ack`;
    expect((await call('POST', ackUrl)).statusCode).toBe(401);
    const refused = await call('POST', ackUrl, viewer);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/needs the operator role; vic has the viewer role/);
    // A body naming someone else is not believed: the route takes none, and the caller is the acknowledger.
    const first = await call('POST', ackUrl, dana, { by: 'Someone Else' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      alertId,
      acknowledgedBy: 'dana',
      clearedAt: null,
      raisedAt: new Date(at(240)).toISOString(),
    });
    const [audited] = await api.people.store.auditPage({ action: 'alert.ack', limit: 10 });
    expect(audited).toMatchObject({ actor: 'dana', role: 'operator', via: 'token', target: alertId });
    expect((await call('POST', ackUrl, api.adminToken)).json()).toMatchObject({
      error: 'conflict',
      message: expect.stringMatching(/acknowledged by dana/),
    });
    expect((await call('GET', '/api/alerts?open=true')).statusCode).toBe(401);
    expect((await call('GET', '/api/alerts?open=true', viewer)).json()).toHaveLength(1);

    c.heartbeat(300, 'sensor', 'sen-1'); // back to 100 %: cleared at that instant
    expect(events.map((e) => e.type)).toEqual(['raise', 'acknowledge', 'clear']);
    expect(events[2].at).toBe(at(300));
    expect((await call('GET', '/api/alerts?open=true', viewer)).json()).toEqual([]);
    const [logged] = (await call('GET', '/api/alerts', viewer)).json();
    expect(logged).toMatchObject({
      alertId,
      acknowledgedBy: 'dana',
      clearedAt: new Date(at(300)).toISOString(),
    });
    await api.close();
    log.close();

    const reopened = await SqliteAlertLog.open(dir);
    expect(reopened.get(alertId)).toMatchObject({
      raisedAt: at(240),
      clearedAt: at(300),
      acknowledgedBy: 'dana',
    });
    reopened.close();
  });

  it('raises a value that is below from the start, before any device message, forS after the first snapshot', async () => {
    const c = new TestCity({ devices: [{ id: 'sen-1', kind: 'sensor', expectedIntervalS: 60 }] });
    const events: AlertEvent[] = [];
    const log = await SqliteAlertLog.open(tempDir());
    const alerts = new AlertService([threshold], log, (e) => events.push(e));
    alerts.attach(c.engine); // no input yet: availability.sensor is 0 % with no time to stamp it
    alerts.onSnapshot(c.engine.snapshot(at(10)));
    alerts.onSnapshot(c.engine.snapshot(at(69)));
    expect(events).toEqual([]);
    alerts.onSnapshot(c.engine.snapshot(at(71)));
    expect(events.map((e) => [e.type, e.at, e.alert.value])).toEqual([['raise', at(70), 0]]);
    log.close();
  });
});

// Burn-rate alerts on virtual time (issue 14 item 5): ten sensors on a 99 % objective; two go dark, which
// burns the budget 20× over. The ticket (3 d and 6 h over 1×) raises at 389 s (only 2 h of history: unknown time is left out), the page (1 h and 5 min over
// 14.4×) at 2592 s and not a tick before; a 7-minute blip pages nothing; recovery clears the page once the
// 5-minute window cools, and the alerts are in the alert log with their windows and burn rates.
import { describe, expect, it } from 'vitest';
import { SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import type { AlertEvent } from '../../engine/alerts/alert-machine.js';
import { AlertService } from '../../engine/alerts/alert-service.js';
import type { Objective } from '../../indicators/error-budget.js';
import { at, TestCity } from '../support/city.js';
import { fullApi } from '../support/full-api.js';
import { personWithToken } from '../support/people.js';
import { tempDir } from '../support/tmp.js';

const objective: Objective = { indicator: 'availability.sensor', scope: 'city', target: 99, window: '30d' };
const ids = Array.from({ length: 10 }, (_, i) => `sen-${i}`);

/** A city whose sensors beat every 60 s except the dark ones; the alert service ticks every second. */
async function city() {
  const c = new TestCity({
    devices: ids.map((id) => ({ id, kind: 'sensor' as const, district: 'east', expectedIntervalS: 60 })),
  });
  const events: AlertEvent[] = [];
  const log = await SqliteAlertLog.open(tempDir());
  const alerts = new AlertService([], log, (e) => events.push(e), undefined, [objective]);
  alerts.attach(c.engine);
  let now = 0;
  /** Run to `until` seconds; `dark(t)` names the sensors silent at t. */
  const run = (until: number, dark: (t: number) => readonly string[] = () => []) => {
    for (; now <= until; now++) {
      if (now % 60 === 0) for (const id of ids) if (!dark(now).includes(id)) c.heartbeat(now, 'sensor', id);
      alerts.onSnapshot(c.engine.snapshot(at(now)));
    }
  };
  return { c, events, log, alerts, run, lapse: () => now };
}

describe('burn-rate alerts', () => {
  it('ticket at 389 s and page at 2592 s of a 20× burn, not a tick before; recovery clears the page', async () => {
    const { c, events, log, alerts, run } = await city();
    run(7200); // two good hours
    expect(events).toEqual([]);
    // sen-0 and sen-1 beat last at 7200 s and lapse at 7200 + 180 s: 80 % from then on
    const dark = () => ['sen-0', 'sen-1'];
    run(7381, dark);
    expect(c.value(7381, 'availability.sensor')).toBe(80);
    const down = 7380;
    // The rules need strictly more than their rate; at the exact second the float may fall either side.
    const raisedWithin = (e: AlertEvent, s: number) =>
      expect([at(down + s), at(down + s + 1)]).toContain(e.at);
    // Only 7380 s of history: the 3 d and 6 h windows are that known time (unknown time is left out), so
    // both burn over 1× once 0.2·x / (7380 + x) > 0.01, x > 388.4 s.
    run(down + 388, dark);
    expect(events).toEqual([]);
    run(down + 389, dark);
    expect(events.map((e) => [e.type, e.alert.detail?.rule, e.at])).toEqual([
      ['raise', 'ticket', at(down + 389)],
    ]);
    run(down + 2591, dark);
    expect(events).toHaveLength(1);
    run(down + 2593, dark);
    const page = events[1];
    raisedWithin(page, 2592);
    expect(page).toMatchObject({
      type: 'raise',
      alert: {
        kind: 'burn-rate',
        severity: 'critical',
        indicator: 'availability.sensor',
        scope: 'city',
        value: 80,
        detail: { rule: 'page', target: 99, window: '30d', burnRate: 14.4 },
      },
    });
    const x = (page.at - at(down)) / 1000;
    expect(page.alert.detail!.windows['5m']).toBeCloseTo(20, 6);
    expect(page.alert.detail!.windows['1h']).toBeCloseTo((0.2 * x) / 3600 / 0.01, 6);
    expect(alerts.budgets.states(at(down + 2593))[0].open.map((a) => a.detail?.rule)).toEqual([
      'page',
      'ticket',
    ]);

    // Back with the beat at 10020 s: the 5 min burn is 20·(300 − y)/300, at most 14.4 from y = 84 s.
    run(10019, dark);
    run(10020 + 83);
    expect(events).toHaveLength(2);
    run(10020 + 85);
    expect(events.map((e) => [e.type, e.alert.detail?.rule])).toEqual([
      ['raise', 'ticket'],
      ['raise', 'page'],
      ['clear', 'page'],
    ]);
    expect([at(10104), at(10105)]).toContain(events[2].at);
    // The log keeps both, the ticket still open (the 6 h window still burns over 1×).
    expect(log.open().map((a) => [a.kind, a.detail?.rule])).toEqual([['burn-rate', 'ticket']]);
    expect(log.get(page.alert.alertId)).toMatchObject({ kind: 'burn-rate', clearedAt: events[2].at });

    // A restart takes the open ticket back instead of raising a second one.
    const again = new AlertService([], log, () => {}, undefined, [objective]);
    expect(again.budgets.states(at(10106))[0].open.map((a) => a.alertId)).toEqual([events[0].alert.alertId]);
    log.close();
  });

  it('a 7-minute blip burns the 5 min window only, and pages nothing', async () => {
    const { events, log, alerts, run } = await city();
    run(7200);
    run(7200 + 540, () => ['sen-0', 'sen-1']); // 80 % from the lapse at 7380 s to the next beat at 7800 s: 7 minutes
    const [{ state }] = alerts.budgets.states(at(7740));
    expect(state.burnRates['5m']).toBeCloseTo(20, 6);
    expect(state.firing.page).toBeUndefined();
    run(7200 + 4 * 3600);
    expect(events.filter((e) => e.alert.detail?.rule === 'page')).toEqual([]);
    log.close();
  });

  it('GET /api/objectives gives the budget left, burn rates and alert state; PUT replaces them, admin only and audited', async () => {
    const { alerts, run } = await city();
    run(7200);
    run(7200 + 180 + 2600, () => ['sen-0', 'sen-1']);
    const now = at(7200 + 180 + 2600);
    const api = await fullApi({ alerts, objectives: { states: () => alerts.budgets.states(now) } });
    const viewer = await personWithToken(api.people, 'vic', 'viewer');
    const call = (method: 'GET' | 'PUT', url: string, token: string, payload?: object) =>
      api.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload !== undefined ? { payload } : {}),
      });
    const [got] = (await call('GET', '/api/objectives', viewer)).json();
    // 2600 s at 80 % in 9980 s known: bad 0.2·2600/9980, budget 1 %: the budget (7 h 12 min of 30 days)
    // is spent 5.21 times: −4.21 × 7 h 12 min = −30 h 19 min left.
    const bad = (0.2 * 2600) / 9980;
    expect(got).toMatchObject({
      indicator: 'availability.sensor',
      scope: 'city',
      target: 99,
      window: '30d',
      alertState: 'page',
      at: new Date(now).toISOString(),
    });
    expect(got.budget).toBeCloseTo(0.01, 12);
    expect(got.budgetLeft).toBeCloseTo(1 - bad / 0.01, 9);
    expect(got.budgetMs).toBeCloseTo(0.01 * 30 * 86_400_000, 3);
    expect(got.budgetLeftText).toBe('-1 d 6 h 19 min of 7 h 12 min left');
    expect(got.coverage).toBeCloseTo(9980 / (30 * 86_400), 9);
    expect(got.burnRates['5m']).toBeCloseTo(20, 6);
    expect(got.openAlerts).toHaveLength(2);
    const listed = (await call('GET', '/api/alerts?open=true', viewer)).json();
    expect(listed.map((a: { kind: string; detail: { rule: string } }) => [a.kind, a.detail.rule])).toEqual(
      expect.arrayContaining([
        ['burn-rate', 'page'],
        ['burn-rate', 'ticket'],
      ]),
    );

    const wanted = [{ indicator: 'availability.cctv', target: 99.5, window: '30d' }];
    expect((await call('PUT', '/api/objectives', viewer, wanted)).statusCode).toBe(403);
    const refused = await call('PUT', '/api/objectives', api.adminToken, [{ ...wanted[0], target: 100 }]);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toMatch(/target.*below 100/);
    const unknown = await call('PUT', '/api/objectives', api.adminToken, [
      { ...wanted[0], indicator: 'nope' },
    ]);
    expect(unknown.json().message).toMatch(/no indicator 'nope'/);
    const put = await call('PUT', '/api/objectives', api.adminToken, wanted);
    expect(put.json()).toEqual([{ ...wanted[0], scope: 'city' }]);
    expect(api.registry.inventory.city.objectives).toEqual([{ ...wanted[0], scope: 'city' }]);
    const [audited] = await api.people.store.auditPage({ action: 'objective.set', limit: 10 });
    expect(audited).toMatchObject({ target: null });
    await api.close();
  });
});

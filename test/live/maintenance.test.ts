// Issue 14 item 2, live: the city's services (cli/city-services.ts) on a virtual clock with a real registry
// and a window planned through the maintenance plan, as the API plans it. The window opens and closes at its
// exact instants, the gateway down inside it raises no alert and is listed down for maintenance, and the open
// windows are published retained on city/maintenance.
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { CityServices } from '../../cli/city-services.js';
import { SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import { CityEngine } from '../../engine/city-engine.js';
import type { RawMessage } from '../../engine/pipeline.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { MaintenancePlan } from '../../registry/maintenance-plan.js';
import { RegistryStore } from '../../registry/store.js';
import { at, makeInventory } from '../support/city.js';
import { tempDir } from '../support/tmp.js';

const catalogue = buildCatalogue(LIVE_CATALOGUE);

let close = async () => {};
afterEach(() => close());

describe('a maintenance window in the live city, on virtual time', () => {
  it('opens and closes at its exact instants; the gateway down inside it raises no alert until it closes', async () => {
    const dir = tempDir();
    const store = await RegistryStore.open(dir);
    const inventory = makeInventory({
      city: {
        thresholds: [
          {
            indicator: 'availability.cctv-gateway',
            scope: 'city',
            below: 98,
            clearAt: 100,
            forS: 60,
            severity: 'critical',
          },
        ],
      },
      devices: [
        { id: 'gw-1', kind: 'cctv-gateway', expectedIntervalS: 30 },
        { id: 'gw-2', kind: 'cctv-gateway', expectedIntervalS: 30 },
      ],
    });
    store.upsert(inventory);
    const plan = new MaintenancePlan(store.maintenance(), () => inventory);
    const scheduler = new VirtualTimeScheduler();
    scheduler.frame = at(0);
    const advance = (s: number) => {
      scheduler.maxFrames = at(s);
      scheduler.flush();
      scheduler.frame = at(s);
    };
    const messages$ = new Subject<RawMessage>();
    const send = (s: number, id: string, body: object = {}) => {
      advance(s);
      messages$.next({
        topic: `city/cctv-gateway/${id}/status`,
        payload: JSON.stringify({ ts: at(s), state: 'online', ...body }),
      });
    };
    const published: { topic: string; payload: Record<string, unknown> }[] = [];
    const services = new CityServices({
      engine: new CityEngine(inventory, catalogue),
      catalogue,
      thresholds: inventory.city.thresholds,
      messages$,
      history: new SqliteHistory(dir),
      alertLog: await SqliteAlertLog.open(dir),
      publish: (m) => published.push({ topic: m.topic, payload: JSON.parse(m.payload) }),
      everyMs: 1000,
      scheduler,
      maintenance: plan,
    });
    close = async () => {
      await services.close();
      store.close();
    };
    const on = (topic: string) => published.filter((m) => m.topic === topic).map((m) => m.payload);
    const gateways = () => on('city/indicators/availability.cctv-gateway');

    let id = '';
    for (let t = 1; t <= 400; t++) {
      if (t === 1 || t === 60) send(t, 'gw-1');
      if (t % 10 === 1) send(t, 'gw-2');
      // Planned at 50 s, as POST /api/maintenance would: gw-1 from 100 s to 200 s.
      if (t === 50) {
        advance(t);
        const r = plan.create(
          { start: at(100), end: at(200), reason: 'firmware', devices: ['gw-1'], assets: [], districts: [] },
          'olga',
          at(t),
        );
        if (!r.ok) throw new Error(r.message);
        id = r.value.id;
      }
      // gw-1 goes down inside the window, at 110 s, and stays down.
      if (t === 110) send(t, 'gw-1', { state: 'offline' });
    }
    advance(400);

    // To the millisecond, as the API reads the engine; and the first tick at the instant publishes it.
    const excludedAt = (ms: number) =>
      gateways()
        .filter((p) => Date.parse(p.ts as string) <= ms)
        .at(-1)?.excluded;
    expect(excludedAt(at(100) - 1)).toEqual({ maintenance: 0 });
    expect(gateways().find((p) => p.ts === new Date(at(100)).toISOString())).toMatchObject({
      value: 100,
      denominator: 1,
      excluded: { maintenance: 1 },
    });
    expect(gateways().find((p) => p.ts === new Date(at(200)).toISOString())).toMatchObject({
      value: 50,
      denominator: 2,
      excluded: { maintenance: 0 },
    });

    // No alert while gw-1 is down in its window; raised at exactly end + forS once it is not.
    const alerts = published.filter((m) => m.topic.startsWith('city/alerts/'));
    expect(alerts.map((a) => [a.payload.event, a.payload.at])).toEqual([
      ['raise', new Date(at(260)).toISOString()],
    ]);

    // Down for maintenance inside the window, a fault after it.
    const down = on('city/devices/down') as {
      ts: string;
      maintenance: number;
      devices: { reason: string }[];
    }[];
    const inside = down.filter((d) => Date.parse(d.ts) >= at(110) && Date.parse(d.ts) < at(200));
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.at(-1)).toMatchObject({ maintenance: 1, devices: [{ id: 'gw-1', reason: 'maintenance' }] });
    expect(down.at(-1)).toMatchObject({ maintenance: 0, devices: [{ id: 'gw-1', reason: 'offline' }] });

    // city/maintenance: empty, the window from its first instant, empty again from its end.
    const windows = on('city/maintenance') as { ts: string; windows: { id: string }[] }[];
    expect(windows.map((w) => [w.ts, w.windows.map((x) => x.id)])).toEqual([
      [new Date(at(1)).toISOString(), []],
      [new Date(at(100)).toISOString(), [id]],
      [new Date(at(200)).toISOString(), []],
    ]);
  });
});

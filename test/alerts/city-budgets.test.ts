// Error budgets in the city's services as `citygauge start` runs them (cli/city-services.ts), on a virtual
// clock: objectives from the registry (city.json), values fed from the live tick path, the page raised once
// the 1 h and 5 min windows both burn over 14.4×, and a restart that reads the window back from history, so
// the page stays open (not raised twice, not forgotten) until the 5-minute window cools.
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { CityServices } from '../../cli/city-services.js';
import { SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import { CityEngine } from '../../engine/city-engine.js';
import type { RawMessage } from '../../engine/pipeline.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { Registry } from '../../registry/registry-service.js';
import { RegistryStore } from '../../registry/store.js';
import { at, makeInventory } from '../support/city.js';
import { tempDir } from '../support/tmp.js';

const catalogue = buildCatalogue(LIVE_CATALOGUE);
const ids = Array.from({ length: 10 }, (_, i) => `gw-${i}`);

interface AlertMessage {
  event: string;
  at: string;
  alertId: string;
  kind?: string;
  detail?: { rule: string };
}

class VirtualCity {
  readonly scheduler = new VirtualTimeScheduler();
  readonly messages$ = new Subject<RawMessage>();
  readonly alerts: AlertMessage[] = [];
  readonly registry: Registry;
  services!: CityServices;
  history!: SqliteHistory;

  constructor(
    readonly dir: string,
    readonly store: RegistryStore,
  ) {
    this.scheduler.frame = at(0);
    store.upsert(
      makeInventory({
        city: {
          objectives: [{ indicator: 'availability.cctv-gateway', scope: 'city', target: 99, window: '30d' }],
        },
        devices: ids.map((id) => ({ id, kind: 'cctv-gateway' as const, expectedIntervalS: 30 })),
      }),
    );
    this.registry = new Registry(store, store.credentials());
  }

  async start(): Promise<void> {
    this.history = new SqliteHistory(this.dir, { now: () => this.scheduler.now() });
    this.services = new CityServices({
      engine: new CityEngine(this.registry.inventory, catalogue),
      catalogue,
      thresholds: [],
      objectives: this.registry.inventory.city.objectives,
      historyReader: this.history,
      messages$: this.messages$,
      history: this.history,
      alertLog: await SqliteAlertLog.open(this.dir),
      publish: (m) => {
        if (m.topic.startsWith('city/alerts/')) this.alerts.push(JSON.parse(m.payload));
      },
      // Ticks every 10 s: rxjs's VirtualTimeScheduler nests each rescheduled action in the last, and tens of
      // thousands of 1 s ticks overflow the stack when the clock stops (test/alerts/burn-rate.test.ts ticks every second).
      everyMs: 10_000,
      scheduler: this.scheduler,
    });
    await this.services.budgetsPrimed;
  }

  advance(seconds: number): void {
    this.scheduler.maxFrames = at(seconds);
    this.scheduler.flush();
    this.scheduler.frame = at(seconds);
  }

  send(seconds: number, id: string, body: Record<string, unknown> = {}) {
    this.advance(seconds);
    this.messages$.next({
      topic: `city/cctv-gateway/${id}/status`,
      payload: JSON.stringify({ ts: at(seconds), ...body }),
    });
  }

  /** Every gateway but `dark` says it is online every 20 s over [from, to). */
  run(from: number, to: number, dark: readonly string[] = []): void {
    for (let t = from; t < to; t += 20)
      for (const id of ids) if (!dark.includes(id)) this.send(t, id, { state: 'online' });
    this.advance(to);
  }

  pages(): [string, number][] {
    return this.alerts.filter((a) => a.detail?.rule === 'page').map((a) => [a.event, Date.parse(a.at)]);
  }
}

let city: VirtualCity | undefined;
afterEach(async () => {
  await city?.services.close();
  city?.store.close();
  city = undefined;
});

describe('error budgets in the running city (virtual time)', () => {
  it('pages at 2592 s of a 20× burn, and a restart reads the window back from history', async () => {
    const dir = tempDir();
    city = new VirtualCity(dir, await RegistryStore.open(dir));
    await city.start();
    city.run(1, 7200); // two hours at 100 %: the 6 h / 30 min pair then needs 0.2·x / (7200 + x) > 0.06, x > 3086 s
    const dark = ['gw-0', 'gw-1'];
    const T = 7200.5;
    city.send(T, 'gw-0', { state: 'offline' });
    city.send(T, 'gw-1', { state: 'offline' }); // 80 % from T
    city.run(7201, T + 2590, dark);
    expect(city.pages()).toEqual([]);
    city.run(T + 2590, T + 2610, dark);
    expect(city.pages()).toHaveLength(1);
    const [[event, raisedAt]] = city.pages();
    expect(event).toBe('raise');
    // the first 10 s tick after T + 2592 s
    expect(raisedAt).toBeGreaterThan(at(T + 2592));
    expect(raisedAt).toBeLessThanOrEqual(at(T + 2602));
    const [objective] = city.services.objectives.states();
    expect(objective.open.map((a) => a.detail?.rule)).toContain('page');
    city.run(T + 2610, 10000, dark);
    await city.services.close();

    // A new process at 10100 s; the gateways say they are back at once. Without the window read back from
    // history its 1 h burn would be 0 and the page would clear at the first tick (10110 s). With it, the
    // 5-minute window holds 80 % up to 10020 s (the last 1-minute bucket of history ends there), nothing to
    // 10100 s, then 100 %: 0.2·(10320 − t) / ((10320 − t) + (t − 10100)) ≤ 0.144 from t = 10161.6 s, so the
    // page clears at the 10170 s tick.
    city.scheduler.frame = at(10100);
    city.alerts.length = 0;
    await city.start();
    const [back] = city.services.objectives.states();
    expect(back.open.map((a) => a.alertId)).toContain(
      (await SqliteAlertLog.open(dir)).open().find((a) => a.detail?.rule === 'page')?.alertId,
    );
    for (const id of ids) city.send(10100, id, { state: 'online' });
    city.run(10101, 10160);
    expect(city.pages()).toEqual([]);
    city.run(10160, 10200);
    expect(Date.parse(city.alerts.at(-1)!.at)).toBe(at(10170));
    expect(city.pages().map(([e]) => e)).toEqual(['clear']);
    const [after] = city.services.objectives.states();
    expect(after.state.coverage).toBeGreaterThan(9900 / (30 * 86_400));
  });
});

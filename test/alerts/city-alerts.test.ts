// Issue 10, item 1: alerts nothing holds off. The city's services (cli/city-services.ts) on a virtual clock,
// with a real registry and alert log: a gateway goes down at T while a field engineer registers a device
// every 30 s (each a registry rebuild), the thresholds change and the city restarts; the alert is still
// raised at exactly T + forS and cleared at the exact instant the gateway is back.
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { CityServices } from '../../cli/city-services.js';
import { SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import { CityEngine } from '../../engine/city-engine.js';
import type { RawMessage } from '../../engine/pipeline.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import type { Threshold } from '../../registry/inventory.js';
import { Registry } from '../../registry/registry-service.js';
import { RegistryStore } from '../../registry/store.js';
import { at, makeInventory } from '../support/city.js';
import { tempDir } from '../support/tmp.js';

const catalogue = buildCatalogue(LIVE_CATALOGUE);
const GATEWAYS: Threshold = {
  indicator: 'availability.cctv-gateway',
  scope: 'city',
  below: 98,
  clearAt: 100,
  forS: 120,
  severity: 'critical',
};

interface AlertMessage {
  event: string;
  at: string;
  alertId: string;
  acknowledgedBy?: string;
}

/** The city's services as `citygauge start` runs them, on a virtual clock starting at T0. */
class VirtualCity {
  readonly scheduler = new VirtualTimeScheduler();
  readonly messages$ = new Subject<RawMessage>();
  readonly alerts: AlertMessage[] = [];
  readonly registry: Registry;
  services!: CityServices;
  private unfollow = () => {};

  static async open(dir: string, thresholds: Threshold[] = [GATEWAYS]): Promise<VirtualCity> {
    return new VirtualCity(dir, await RegistryStore.open(dir), thresholds);
  }

  private constructor(
    readonly dir: string,
    readonly store: RegistryStore,
    thresholds: Threshold[],
  ) {
    this.scheduler.frame = at(0);
    if (this.store.isEmpty())
      this.store.upsert(
        makeInventory({
          city: { thresholds },
          devices: [
            { id: 'gw-1', kind: 'cctv-gateway', expectedIntervalS: 30 },
            { id: 'gw-2', kind: 'cctv-gateway', expectedIntervalS: 30 },
          ],
        }),
      );
    this.registry = new Registry(this.store, this.store.credentials());
  }

  /** (Re)start the services at the current virtual time, as a process start would. */
  async start(): Promise<void> {
    this.services = new CityServices({
      engine: new CityEngine(this.registry.inventory, catalogue),
      catalogue,
      thresholds: this.registry.inventory.city.thresholds,
      messages$: this.messages$,
      history: new SqliteHistory(this.dir),
      alertLog: await SqliteAlertLog.open(this.dir),
      publish: (m) => {
        if (m.topic.startsWith('city/alerts/')) this.alerts.push(JSON.parse(m.payload));
      },
      everyMs: 1000,
      scheduler: this.scheduler,
    });
    this.unfollow = this.services.follow(this.registry);
  }

  async stop(): Promise<void> {
    this.unfollow();
    await this.services.close();
  }

  /** Run the clock to `seconds` after T0 (every tick on the way). */
  advance(seconds: number): void {
    this.scheduler.maxFrames = at(seconds);
    this.scheduler.flush();
    this.scheduler.frame = at(seconds);
  }

  /** A device message at exactly `seconds` after T0. */
  send(seconds: number, id: string, channel: 'status' | 'heartbeat', body: Record<string, unknown> = {}) {
    this.advance(seconds);
    this.messages$.next({
      topic: `city/cctv-gateway/${id}/${channel}`,
      payload: JSON.stringify({ ts: at(seconds), ...body }),
    });
  }

  /** gw-2 stays online: a heartbeat every 20 s over [from, to). */
  keepAlive(from: number, to: number): void {
    for (let t = from; t < to; t += 20) this.send(t, 'gw-2', 'heartbeat');
  }

  events(): [string, number][] {
    return this.alerts.map((a) => [a.event, Date.parse(a.at)]);
  }
}

let city: VirtualCity | undefined;
afterEach(async () => {
  await city?.stop();
  city?.store.close();
  city = undefined;
});

describe('alerts through registry rebuilds, threshold changes and restarts (issue 10)', () => {
  it('raises at exactly T + forS while a device is registered every 30 s, and clears at the exact time', async () => {
    city = await VirtualCity.open(tempDir());
    await city.start();
    city.send(1, 'gw-1', 'status', { state: 'online' });
    city.send(1, 'gw-2', 'status', { state: 'online' });
    city.keepAlive(2, 20);
    const T = 20.5;
    city.send(T, 'gw-1', 'status', { state: 'offline' }); // 50 %: below 98 from T
    let registered = 0;
    for (let t = 21; t < 400; t += 1) {
      if (t % 20 === 0) city.send(t, 'gw-2', 'heartbeat');
      if (t % 30 === 0) {
        const r = city.registry.create({ id: `sen-${++registered}`, kind: 'sensor', expectedIntervalS: 60 });
        expect(r.ok).toBe(true);
      }
      city.advance(t);
      if (t === 300) city.send(300.25, 'gw-1', 'status', { state: 'online' }); // back: 100 % = clearAt
    }
    expect(registered).toBeGreaterThan(10);
    expect(city.events()).toEqual([
      ['raise', at(T + 120)],
      ['clear', at(300.25)],
    ]);
    expect(city.alerts[0].alertId).toBe(`availability.cctv-gateway@city@${at(T + 120)}`);
  });

  it('counts a changed forS from when the value crossed, and keeps a raised alert through a change of severity', async () => {
    city = await VirtualCity.open(tempDir());
    await city.start();
    city.send(1, 'gw-1', 'status', { state: 'online' });
    city.send(1, 'gw-2', 'status', { state: 'online' });
    city.send(10, 'gw-1', 'status', { state: 'offline' });
    city.keepAlive(11, 60);
    // At 60 s the duty officer lowers forS to 45: the gateway has been down 50 s, so the alert is due at 55 s.
    expect(city.registry.setThresholds([{ ...GATEWAYS, forS: 45 }]).ok).toBe(true);
    city.advance(61);
    expect(city.events()).toEqual([['raise', at(55)]]);
    // A change of severity and clearAt keeps it raised, with its id; the new clearAt then clears it.
    expect(city.registry.setThresholds([{ ...GATEWAYS, forS: 45, severity: 'major', clearAt: 99 }]).ok).toBe(
      true,
    );
    city.keepAlive(61, 200);
    expect(city.events()).toEqual([['raise', at(55)]]);
    expect(city.services.alerts.list().filter((a) => a.clearedAt === undefined)).toHaveLength(1);
    city.send(200, 'gw-1', 'status', { state: 'online' });
    expect(city.events()).toEqual([
      ['raise', at(55)],
      ['clear', at(200)],
    ]);
  });

  it('keeps a wait and an acknowledgement across restarts: raised at T + forS, still acknowledged after', async () => {
    const dir = tempDir();
    city = await VirtualCity.open(dir);
    await city.start();
    city.send(1, 'gw-1', 'status', { state: 'online' });
    city.send(1, 'gw-2', 'status', { state: 'online' });
    const T = 30;
    city.send(T, 'gw-1', 'status', { state: 'offline' });
    city.keepAlive(31, 80);
    await city.stop(); // down at 80 s, 50 s into the wait

    await city.start(); // a new process: a fresh engine, the same alert log
    city.keepAlive(90, 200);
    expect(city.events()).toEqual([['raise', at(T + 120)]]);
    const alertId = city.alerts[0].alertId;
    expect(city.services.alerts.acknowledge(alertId, 'Dana Ortiz', at(160))).toBeDefined();
    await city.stop();

    await city.start();
    city.keepAlive(210, 240);
    expect(city.services.alerts.acknowledge(alertId, 'Someone Else', at(241))).toBeUndefined();
    city.send(250, 'gw-1', 'status', { state: 'online' });
    expect(city.events()).toEqual([
      ['raise', at(T + 120)],
      ['acknowledge', at(160)],
      ['clear', at(250)],
    ]);
    expect(city.services.alerts.get(alertId)).toMatchObject({
      raisedAt: at(T + 120),
      acknowledgedBy: 'Dana Ortiz',
      acknowledgedAt: at(160),
      clearedAt: at(250),
    });
  });
});

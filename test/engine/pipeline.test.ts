// The live composition under a virtual clock: messages stamped by the scheduler, snapshots on its ticks.
import { map, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { CityEngine } from '../../engine/city-engine.js';
import { liveEngine, type RawMessage } from '../../engine/pipeline.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { makeInventory } from '../support/city.js';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

const sensorCity = () =>
  new CityEngine(
    makeInventory({
      devices: [
        { id: 'sen-1', kind: 'sensor', district: 'east', expectedIntervalS: 60 },
        { id: 'sen-2', kind: 'sensor', district: 'east', expectedIntervalS: 60 },
      ],
    }),
    buildCatalogue(LIVE_CATALOGUE),
  );

const beat = (id: string): RawMessage => ({ topic: `city/sensor/${id}/heartbeat`, payload: '{"ts":0}' });
const availability = (s: { indicators: { id: string; scope: string; value: number | null }[] }) =>
  s.indicators.find((i) => i.id === 'availability.sensor' && i.scope === 'city')!.value;

describe('live pipeline on a virtual clock', () => {
  it('ticks every minute and lets a silent device lapse after 3 intervals', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const messages$ = cold<RawMessage>('a 89999ms b', { a: beat('sen-1'), b: beat('sen-2') });
      const values$ = liveEngine(messages$, sensorCity(), 60_000, scheduler).pipe(map(availability), take(5));
      // sen-1 heard at 0 s (online to 180 s), sen-2 at 90 s (online to 270 s)
      expectObservable(values$).toBe('60s a 59999ms b 59999ms c 59999ms d 59999ms (e|)', {
        a: 50,
        b: 100,
        c: 100,
        d: 50,
        e: 0,
      });
    });
  });

  it('stamps each message with the scheduler clock, so the rejection counts follow it', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const engine = sensorCity();
      const messages$ = cold<RawMessage>('a 9ms b', {
        a: beat('sen-1'),
        b: { topic: 'city/sensor/ghost/heartbeat', payload: '{"ts":0}' },
      });
      const out$ = liveEngine(messages$, engine, 20, scheduler).pipe(
        map((s) => `${s.at}:${s.rejected['unknown-device']}:${availability(s)}`),
        take(1),
      );
      expectObservable(out$).toBe('20ms (a|)', { a: '20:1:50' });
    });
  });
});

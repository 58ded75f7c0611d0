// Issue 14 item 3 on the live path under a virtual clock: scheduler-stamped messages, ticks, and the retained
// indicator messages the publisher sends, each with the quality of its value at the tick.
import { take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { CityEngine } from '../../engine/city-engine.js';
import { IndicatorPublisher } from '../../engine/indicator-publisher.js';
import { liveEngine, type RawMessage } from '../../engine/pipeline.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { makeInventory } from '../support/city.js';

const beat = (id: string): RawMessage => ({ topic: `city/sensor/${id}/heartbeat`, payload: '{"ts":0}' });

describe('quality on the live path', () => {
  it('publishes the sensors’ availability good, then degraded when one is late, with why', () => {
    const engine = new CityEngine(
      makeInventory({
        devices: [
          { id: 'sen-1', kind: 'sensor', district: 'east', expectedIntervalS: 60 },
          { id: 'sen-2', kind: 'sensor', district: 'east', expectedIntervalS: 60 },
        ],
      }),
      buildCatalogue(LIVE_CATALOGUE),
    );
    const sent: { topic: string; body: { value: number; ts: string; quality: Record<string, unknown> } }[] =
      [];
    const publisher = new IndicatorPublisher(new Map(), (topic, payload) =>
      sent.push({ topic, body: JSON.parse(payload) }),
    );
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ cold, flush }) => {
      // Both heard at 0 s; sen-2 again at 50 s (a group takes 4 frames of marble time). Ticks every 30 s.
      const messages$ = cold<RawMessage>('(ab) 49996ms c', {
        a: beat('sen-1'),
        b: beat('sen-2'),
        c: beat('sen-2'),
      });
      liveEngine(messages$, engine, 30_000, scheduler)
        .pipe(take(3))
        .subscribe((s) => publisher.onSnapshot(s));
      flush();
    });
    const city = sent.filter((m) => m.topic === 'city/indicators/availability.sensor');
    // 30 s: both heard (good). 60 s: sen-1 exactly one interval old, still heard: nothing new to send.
    // 90 s: sen-1 heard 90 s ago: still online (3 × 60 s) at 100 %, but degraded.
    expect(city.map((m) => [m.body.ts, m.body.value, m.body.quality])).toEqual([
      [
        '1970-01-01T00:00:30.000Z',
        100,
        { flag: 'good', coverage: 1, stalenessMs: 30_000, heard: 2, expected: 2 },
      ],
      [
        '1970-01-01T00:01:30.000Z',
        100,
        {
          flag: 'degraded',
          coverage: 0.5,
          stalenessMs: 40_000,
          heard: 1,
          expected: 2,
          reason: '1 of 2 devices heard within their interval (50 %)',
        },
      ],
    ]);
  });
});

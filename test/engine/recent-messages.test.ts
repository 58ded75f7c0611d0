// The last messages per device, bounded per device and across devices, with the engine's verdict on each.
import { map, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { liveEngine, type RawMessage } from '../../engine/pipeline.js';
import { RecentMessages } from '../../engine/recent-messages.js';
import { TestCity } from '../support/city.js';

const beat = (id: string, n = 0): RawMessage => ({
  topic: `city/sensor/${id}/heartbeat`,
  payload: Buffer.from(`{"ts":${n}}`),
});

describe('RecentMessages', () => {
  it('keeps the last N messages of a device, newest first', () => {
    const recent = new RecentMessages({ perDevice: 3 });
    for (let n = 1; n <= 5; n++) recent.record(beat('sen-1', n), n * 1000, undefined);
    expect(recent.of('sen-1')).toEqual(
      [5, 4, 3].map((n) => ({
        receivedAt: new Date(n * 1000).toISOString(),
        topic: 'city/sensor/sen-1/heartbeat',
        payload: `{"ts":${n}}`,
        outcome: 'accepted',
      })),
    );
    expect(recent.of('sen-2')).toEqual([]);
  });

  it('cuts a big payload to 2 KiB on a character boundary, with a marker giving its size', () => {
    const recent = new RecentMessages();
    // 'x' then 2-byte characters: byte 2048 falls inside one, so the cut steps back to 2047.
    const payload = Buffer.from('x' + 'é'.repeat(1500));
    recent.record({ topic: 'city/sensor/sen-1/telemetry', payload }, 1000, 'bad-payload');
    const [m] = recent.of('sen-1');
    expect(m.payload).toBe(`x${'é'.repeat(1023)}…[truncated: 3001 bytes]`);
    expect(m.outcome).toBe('bad-payload');
    recent.record({ topic: 'city/sensor/sen-1/telemetry', payload: 'y'.repeat(5000) }, 2000, 'bad-json');
    expect(recent.of('sen-1')[0].payload).toBe(`${'y'.repeat(2048)}…[truncated: 5000 bytes]`);
  });

  it('forgets the least recently heard device when full', () => {
    const recent = new RecentMessages({ maxDevices: 2 });
    recent.record(beat('a'), 1000, undefined);
    recent.record(beat('b'), 2000, undefined);
    recent.record(beat('a'), 3000, undefined); // a heard again: b is now the stalest
    recent.record(beat('c'), 4000, undefined);
    expect(recent.size).toBe(2);
    expect([recent.has('a'), recent.has('b'), recent.has('c')]).toEqual([true, false, true]);
    expect(recent.of('a')).toHaveLength(2);
  });

  it('hears the live path: rejections of an unregistered id are kept under the id in the topic', () => {
    const c = new TestCity({ devices: [{ id: 'sen-1', kind: 'sensor' }] });
    const recent = new RecentMessages();
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const messages$ = cold<RawMessage>('a 9ms b 9ms c', {
        a: beat('sen-1'),
        b: beat('ghost'),
        c: { topic: 'city/sensor/ghost', payload: '{}' },
      });
      const out$ = liveEngine(messages$, c.engine, 50, scheduler, (msg, t, outcome) =>
        recent.record(msg, t, outcome),
      ).pipe(
        map((s) => s.accepted),
        take(1),
      );
      expectObservable(out$).toBe('50ms (a|)', { a: 1 });
    });
    expect(recent.of('sen-1').map((m) => m.outcome)).toEqual(['accepted']);
    expect(recent.of('ghost').map((m) => [m.receivedAt, m.topic, m.outcome])).toEqual([
      ['1970-01-01T00:00:00.020Z', 'city/sensor/ghost', 'bad-topic'],
      ['1970-01-01T00:00:00.010Z', 'city/sensor/ghost/heartbeat', 'unknown-device'],
    ]);
  });
});

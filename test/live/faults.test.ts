// Issue 10, item 5: faults contained. The city's services on a virtual clock, with throws injected in the
// engine (one message), in the history sink (called from inside the engine), in the alerts' publisher and
// in a consumer of every snapshot and message: nothing escapes as an uncaught exception, each is logged
// with its stack (at most once a minute per place, the rest counted), counted in /metrics as
// citygauge_internal_errors_total{where}, and later messages still move the indicators.
import pino from 'pino';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CityServices } from '../../cli/city-services.js';
import { SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import { CityEngine } from '../../engine/city-engine.js';
import { Faults } from '../../engine/faults.js';
import type { RawMessage } from '../../engine/pipeline.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { at, makeInventory } from '../support/city.js';
import { tempDir } from '../support/tmp.js';

const catalogue = buildCatalogue(LIVE_CATALOGUE);

const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => uncaught.push(err);
beforeEach(() => {
  uncaught.length = 0;
  process.on('uncaughtException', onUncaught);
});
afterEach(() => {
  process.off('uncaughtException', onUncaught);
});

describe('Faults', () => {
  it('logs one stack per place a minute and says how many it left out', () => {
    let now = 0;
    const logged: [string, string, number][] = [];
    const faults = new Faults({
      now: () => now,
      log: (where, err, n) => logged.push([where, (err as Error).message, n]),
    });
    for (let i = 0; i < 5; i++) faults.report('history', new Error(`h${i}`));
    faults.report('alerts', new Error('a0'));
    now = 59_999;
    faults.report('history', new Error('h5'));
    now = 60_000;
    faults.report('history', new Error('h6'));
    expect(logged).toEqual([
      ['history', 'h0', 0],
      ['alerts', 'a0', 0],
      ['history', 'h6', 5],
    ]);
    expect(faults.tally()).toEqual({ history: 7, alerts: 1 });
  });
});

describe('the live city with a fault in one message or one consumer', () => {
  it('skips what threw, counts it by place, logs its stack, and goes on', async () => {
    const dir = tempDir();
    const scheduler = new VirtualTimeScheduler();
    scheduler.frame = at(0);
    const advance = (s: number) => {
      scheduler.maxFrames = at(s);
      scheduler.flush();
      scheduler.frame = at(s);
    };
    const messages$ = new Subject<RawMessage>();
    const send = (s: number, id: string) => {
      advance(s);
      messages$.next({ topic: `city/sensor/${id}/heartbeat`, payload: JSON.stringify({ ts: at(s) }) });
    };
    const logs: {
      where?: string;
      topic?: string;
      suppressed?: number;
      err?: { stack?: string };
      msg: string;
    }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const history = new SqliteHistory(dir);
    let historyFails = false;
    const write = history.write.bind(history);
    history.write = (points) => {
      if (historyFails) throw new Error('disk on fire');
      write(points);
    };
    let consumerFails = 0;
    const engine = new CityEngine(
      makeInventory({
        city: {
          thresholds: [
            {
              indicator: 'availability.sensor',
              scope: 'city',
              below: 60,
              clearAt: 60,
              forS: 5,
              severity: 'major',
            },
          ],
        },
        devices: ['sen-1', 'sen-2', 'sen-3', 'sen-4'].map((id) => ({
          id,
          kind: 'sensor' as const,
          expectedIntervalS: 60,
        })),
      }),
      catalogue,
    );
    // A bug in the engine for one topic only.
    const ingest = engine.ingest.bind(engine);
    engine.ingest = (msg) => {
      if (msg.topic.includes('/sen-4/')) throw new TypeError('engine bug on sen-4');
      return ingest(msg);
    };
    const city = new CityServices({
      engine,
      catalogue,
      thresholds: engine.inventory.city.thresholds,
      messages$,
      history,
      alertLog: await SqliteAlertLog.open(dir),
      publish: (m) => {
        if (m.topic.startsWith('city/alerts/')) throw new Error('broker gone');
      },
      logger,
      scheduler,
      // The times below count in whole-second snapshots (the live default is 500 ms).
      everyMs: 1000,
      consumers: [
        {
          name: 'injected',
          onSnapshot: () => {
            if (consumerFails-- > 0) throw new Error('consumer bug');
          },
          onIngested: () => {
            if (consumerFails > 0) throw new Error('consumer bug on a message');
          },
        },
      ],
    });
    const availability = () =>
      city.live.latest?.indicators.find((i) => i.id === 'availability.sensor' && i.scope === 'city')?.value;

    send(1, 'sen-1'); // 25 %: below 60, the alert is due at 6 s, and its publish throws
    send(2, 'sen-4'); // the engine throws on it: skipped
    advance(3);
    expect(availability()).toBe(25);
    historyFails = true;
    consumerFails = 3;
    // The history sink throws inside the engine (sen-2's change) and from the feed's snapshot (the
    // indicators that moved); the consumer throws on the message and on two snapshots.
    send(4, 'sen-2');
    advance(10);
    historyFails = false;
    send(11, 'sen-3'); // 75 %: clears the alert, whose publish throws again
    advance(12);
    expect(availability()).toBe(75); // later messages still move the indicators
    expect(city.live.latest?.at).toBe(at(12)); // and the clock still ticks

    expect(uncaught).toEqual([]);
    const tally = city.faults.tally();
    expect(tally).toEqual({ engine: 1, history: 2, injected: 4, alerts: 2 });
    const metrics = await city.metrics().metrics();
    expect(metrics).toMatch(/citygauge_internal_errors_total\{where="engine"\} 1\b/);
    expect(metrics).toMatch(/citygauge_internal_errors_total\{where="injected"\} 4\b/);
    // One stack per place within the minute; the consumer's other three were counted, not logged.
    const stacks = logs.filter((l) => l.where !== undefined);
    expect(stacks.map((l) => l.where).sort()).toEqual(['alerts', 'engine', 'history', 'injected']);
    expect(stacks.find((l) => l.where === 'engine')?.err?.stack).toMatch(
      /TypeError: engine bug on sen-4\n\s+at /,
    );
    expect(stacks.find((l) => l.where === 'engine')?.topic).toBe('city/sensor/sen-4/heartbeat');
    // The alert was still raised and cleared in the log at its times, though its publishes failed.
    expect(city.alerts.list()).toEqual([expect.objectContaining({ raisedAt: at(6), clearedAt: at(11) })]);
    await city.close();
  });
});

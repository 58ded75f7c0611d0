// A GTFS-Realtime feed's log lines (engine/gtfs-rt/feed-log.ts): each change of state at once, naming the
// fix; the same trouble again at most every 10 minutes, with how often it recurred meanwhile.
import { describe, expect, it } from 'vitest';
import type { FeedReading } from '../../engine/gtfs-rt/feed-forecasts.js';
import { FeedLog } from '../../engine/gtfs-rt/feed-log.js';

const URL = 'https://agency.example/trip-updates.pb';
const MIN = 60_000;

function logged() {
  const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) =>
    lines.push({ level, fields, msg });
  return { lines, log: { info: at('info'), warn: at('warn') } as never };
}

const reading = (refused: FeedReading['refused'], examples: FeedReading['examples'] = {}): FeedReading => ({
  outcome: 'ok',
  headerAt: 1,
  forecasts: [],
  refused,
  examples,
  entities: 0,
});

describe('a feed log', () => {
  it('logs a feed going down at once, then every 10 minutes with the repeats, and coming back at once', () => {
    const { lines, log } = logged();
    const feed = new FeedLog(log, URL);
    feed.outcome(0, 'ok');
    feed.outcome(0.5 * MIN, 'http-error', 'HTTP 503 Service Unavailable');
    for (let m = 1; m <= 12; m++) feed.outcome(m * MIN, 'http-error', 'HTTP 503 Service Unavailable');
    feed.outcome(12.5 * MIN, 'timeout', 'no answer within 10 s');
    feed.outcome(13 * MIN, 'ok');
    feed.outcome(14 * MIN, 'unchanged');
    expect(lines.map((l) => [l.level, l.fields.outcome ?? null, l.fields.repeats ?? null])).toEqual([
      ['info', null, null],
      ['warn', 'http-error', 0],
      ['warn', 'http-error', 10], // at 11 min, 10.5 after the first: the 10 polls between
      ['warn', 'timeout', 1],
      ['info', null, null],
    ]);
    expect(lines[1].msg).toBe(
      'GTFS-Realtime feed refused (http-error: HTTP 503 Service Unavailable): its routes do not count for ' +
        'L1.2.2 until it answers well; check the URL given to --gtfs-rt and that the agency still publishes the feed there',
    );
    expect(lines[4].msg).toBe('GTFS-Realtime feed answers again: its routes count again');
  });

  it('counts refused entities by reason between lines, naming an example and the fix', () => {
    const { lines, log } = logged();
    const feed = new FeedLog(log, URL);
    feed.refusals(0, reading({ 'unknown-trip': 3 }, { 'unknown-trip': '2073836' }));
    feed.refusals(MIN, reading({ 'unknown-trip': 2, 'unknown-route': 1 }, { 'unknown-route': '999' }));
    feed.refusals(11 * MIN, reading({ 'unknown-trip': 4 }, { 'unknown-trip': '2074001' }));
    expect(lines.map((l) => [l.fields.reason, l.fields.entities, l.fields.example])).toEqual([
      ['unknown-trip', 3, '2073836'],
      ['unknown-route', 1, '999'],
      ['unknown-trip', 6, '2074001'],
    ]);
    expect(lines[0].msg).toMatch(/put the agency's current static GTFS trips\.txt beside routes\.txt/);
  });
});

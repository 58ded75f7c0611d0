// No topic the engine builds goes out over MQTT's limits (issue 10 item 11): a district stored by an older
// version (900,000 characters, or with a wildcard) gets its indicators refused and told once, and the
// city's other scopes are published as ever.
import { describe, expect, it } from 'vitest';
import type { IndicatorValue, Snapshot } from '../../engine/city-engine.js';
import { IndicatorPublisher } from '../../engine/indicator-publisher.js';
import { zeroCounts } from '../../engine/rejections.js';
import { MAX_TOPIC_BYTES, topicProblem } from '../../engine/topic-guard.js';

const value = (scope: string): IndicatorValue => ({
  id: 'availability.cctv',
  scope,
  value: 90,
  numerator: 9,
  denominator: 10,
  means: {},
});
const snap = (at: number, ...indicators: IndicatorValue[]): Snapshot => ({
  at,
  indicators,
  rejected: zeroCounts(),
  accepted: 0,
});

describe('the topic guard', () => {
  it('refuses a topic over the limit, with a wildcard or NUL, or an empty level', () => {
    expect(topicProblem(`city/indicators/x/${'d'.repeat(900_000)}`)).toBe(
      `topic is ${(900_018).toLocaleString('en')} bytes, over ${MAX_TOPIC_BYTES}`,
    );
    expect(topicProblem('city/indicators/x/a+b')).toMatch(/wildcard/);
    expect(topicProblem('city/indicators/x/a#')).toMatch(/wildcard/);
    expect(topicProblem('city/indicators/x/a\0')).toMatch(/NUL/);
    expect(topicProblem('city/indicators/x/')).toMatch(/empty level/);
    expect(topicProblem(`city/indicators/x/${'é'.repeat(64)}`)).toBeUndefined();
  });

  it('keeps the publisher from publishing such a topic, tells it once, and publishes the rest', () => {
    const sent: string[] = [];
    const refused: [string, string][] = [];
    const p = new IndicatorPublisher(new Map(), (topic) => sent.push(topic));
    p.onRefused.push((topic, reason) => refused.push([topic.slice(0, 30), reason]));
    const long = 'd'.repeat(900_000);
    expect(p.onSnapshot(snap(1000, value('city'), value(long), value('north')))).toBe(2);
    expect(sent).toEqual(['city/indicators/availability.cctv', 'city/indicators/availability.cctv/north']);
    expect(refused).toEqual([['city/indicators/availability.c', expect.stringMatching(/bytes, over 1024$/)]]);
    expect(p.onSnapshot(snap(2000, { ...value(long), value: 50 }))).toBe(0);
    expect(refused).toHaveLength(1);
    expect(p.refusedTopics).toBe(1);
  });
});

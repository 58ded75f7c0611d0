// Topic filter arithmetic behind the access rules (MQTT 3.1.1 §4.7).
import { describe, expect, it } from 'vitest';
import { filterWithin, topicMatches } from '../../broker/topic-filter.js';

describe('topicMatches', () => {
  it.each([
    ['city/#', 'city/cctv/cam-1/status', true],
    ['city/#', 'city', true], // `#` includes the parent level
    ['city/indicators/#', 'city/alerts/L2.1.1', false],
    ['city/+/cam-1/status', 'city/cctv/cam-1/status', true],
    ['city/+/cam-1/status', 'city/cctv/cam-1/status/extra', false],
    ['city/cctv/cam-1', 'city/cctv/cam-1/status', false],
    ['#', '$SYS/broker/uptime', false], // §4.7.2
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('filterWithin', () => {
  it.each([
    ['city/sensor/s-1/cmd/#', 'city/sensor/s-1/cmd/#', true],
    ['city/sensor/s-1/cmd/interval', 'city/sensor/s-1/cmd/#', true],
    ['city/sensor/s-1/cmd/+', 'city/sensor/s-1/cmd/#', true],
    ['city/sensor/s-1/cmd', 'city/sensor/s-1/cmd/#', true],
    ['city/sensor/+/cmd/#', 'city/sensor/s-1/cmd/#', false], // `+` reaches other devices
    ['city/sensor/s-1/#', 'city/sensor/s-1/cmd/#', false],
    ['city/#', 'city/sensor/s-1/cmd/#', false],
    ['#', 'city/#', false],
    ['city/+/+/status', 'city/#', true],
    ['city/indicators/+', 'city/+/+', true],
    ['city/indicators/#', 'city/+/+', false],
  ])('%s within %s: %s', (inner, outer, expected) => {
    expect(filterWithin(inner, outer)).toBe(expected);
  });
});

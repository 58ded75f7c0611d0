import { describe, expect, it } from 'vitest';
import { isDeviceStateLine, toLine, toLines } from '../../engine/sinks/line-protocol.js';
import type { DeviceStatePoint, IndicatorPoint } from '../../engine/sinks/points.js';

const indicator = (over: Partial<IndicatorPoint> = {}): IndicatorPoint => ({
  kind: 'indicator',
  id: 'air.pm25',
  scope: 'district:north',
  ts: 1_700_000_000_123,
  value: 12.5,
  numerator: 25,
  denominator: 2,
  means: { '1h': 11, '24h': null },
  ...over,
});

const device: DeviceStatePoint = {
  kind: 'device_state',
  device: 'cam 7',
  deviceKind: 'camera',
  ts: 1_700_000_000_456,
  online: true,
  available: false,
  shared: true,
};

describe('line protocol', () => {
  it('writes an indicator with its tags, fields and means, in ms', () => {
    expect(toLine(indicator())).toBe(
      'indicator,id=air.pm25,scope=district:north denominator=2,mean_1h=11,numerator=25,value=12.5 1700000000123',
    );
  });

  it('writes the quality flag, coverage and staleness beside the value, leaving a null one out', () => {
    expect(
      toLine(indicator({ means: {}, quality: { flag: 'degraded', coverage: 0.5, stalenessMs: 2000 } })),
    ).toBe(
      'indicator,id=air.pm25,scope=district:north coverage=0.5,denominator=2,numerator=25,quality="degraded",staleness_ms=2000,value=12.5 1700000000123',
    );
    expect(
      toLine(indicator({ means: {}, quality: { flag: 'unknown', coverage: null, stalenessMs: null } })),
    ).toBe(
      'indicator,id=air.pm25,scope=district:north denominator=2,numerator=25,quality="unknown",value=12.5 1700000000123',
    );
  });

  it('leaves null fields out instead of writing 0', () => {
    expect(toLine(indicator({ numerator: null, denominator: null, means: {} }))).toBe(
      'indicator,id=air.pm25,scope=district:north value=12.5 1700000000123',
    );
  });

  it('skips a point with no field at all', () => {
    const empty = indicator({ value: null, numerator: null, denominator: null, means: { '1h': null } });
    expect(toLine(empty)).toBeUndefined();
    expect(toLines([empty, device])).toHaveLength(1);
  });

  it('leaves out non-finite values, which InfluxDB cannot store', () => {
    expect(
      toLine(indicator({ value: Number.NaN, numerator: Infinity, denominator: null, means: {} })),
    ).toBeUndefined();
  });

  it('writes a device state with boolean fields and escapes tag values', () => {
    expect(toLine(device)).toBe(
      'device_state,device=cam\\ 7,kind=camera available=F,online=T,shared=T 1700000000456',
    );
    expect(isDeviceStateLine(toLine(device)!)).toBe(true);
    expect(isDeviceStateLine(toLine(indicator())!)).toBe(false);
  });
});

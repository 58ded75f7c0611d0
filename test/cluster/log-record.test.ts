// A log record comes back exactly as it was written (payload bytes included), and a malformed one is a
// reason, never a crash.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  decodeLogRecord,
  encodeLogRecord,
  type LogRecord,
  LogRecordError,
} from '../../cluster/log-record.js';
import { RUNS } from '../fuzz/runs.js';

const time = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const message = fc.record(
  {
    kind: fc.constant('message' as const),
    topic: fc.string({ unit: 'binary', maxLength: 200 }),
    payload: fc.uint8Array({ maxLength: 2000 }),
    receivedAt: time,
    frontDoor: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  },
  { requiredKeys: ['kind', 'topic', 'payload', 'receivedAt'] },
);
const tick = fc.record({ kind: fc.constant('tick' as const), at: time });
const record: fc.Arbitrary<LogRecord> = fc.oneof(message, tick);

describe('log records', () => {
  test.prop([record], { numRuns: RUNS })('a record decodes to what was encoded', (r) => {
    const decoded = decodeLogRecord(encodeLogRecord(r));
    expect(decoded).toEqual({ ok: true, record: r });
  });

  test.prop([fc.uint8Array({ maxLength: 300 })], { numRuns: RUNS })(
    'any bytes decode to a record or a reason',
    (bytes) => {
      const decoded = decodeLogRecord(bytes);
      if (!decoded.ok) expect(decoded.reason).toMatch(/^malformed log record: /);
    },
  );

  test.prop([message], { numRuns: 1000 })('every cut of a message inside its header is a reason', (m) => {
    const bytes = encodeLogRecord(m);
    const headerEnd = bytes.length - m.payload.length;
    for (let cut = 0; cut < headerEnd; cut++) {
      expect(decodeLogRecord(bytes.subarray(0, cut)).ok).toBe(false);
    }
  });

  it('keeps MQTT payload bytes that are not text, in a record sliced out of a larger buffer', () => {
    const payload = Uint8Array.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x00]);
    const bytes = encodeLogRecord({
      kind: 'message',
      topic: 'city/a/b',
      payload,
      receivedAt: 1_700_000_000_123,
    });
    const framed = new Uint8Array(bytes.length + 8);
    framed.set(bytes, 4);
    const decoded = decodeLogRecord(framed.subarray(4, 4 + bytes.length));
    expect(decoded).toEqual({
      ok: true,
      record: { kind: 'message', topic: 'city/a/b', payload, receivedAt: 1_700_000_000_123 },
    });
  });

  it('names what is wrong with a malformed record', () => {
    expect(decodeLogRecord(new Uint8Array())).toEqual({ ok: false, reason: 'malformed log record: empty' });
    expect(decodeLogRecord(Uint8Array.from([0x07, 1, 2]))).toEqual({
      ok: false,
      reason: 'malformed log record: unknown kind 0x07',
    });
    expect(decodeLogRecord(Uint8Array.from([0x02, 0, 0]))).toEqual({
      ok: false,
      reason: 'malformed log record: a tick is 9 bytes, this one 3',
    });
    const topicTooLong = Uint8Array.from([0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 50, 0x61, 0]);
    expect(decodeLogRecord(topicTooLong)).toEqual({
      ok: false,
      reason: 'malformed log record: topic of 50 bytes runs past the end',
    });
    const notUtf8 = Uint8Array.from([0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0xff, 0]);
    expect(decodeLogRecord(notUtf8)).toEqual({
      ok: false,
      reason: 'malformed log record: topic or front door id is not UTF-8',
    });
  });

  it('refuses to write a time that is not whole ms, or a topic longer than MQTT allows', () => {
    expect(() => encodeLogRecord({ kind: 'tick', at: 1.5 })).toThrow(LogRecordError);
    expect(() => encodeLogRecord({ kind: 'tick', at: -1 })).toThrow(/whole number of ms/);
    expect(() =>
      encodeLogRecord({
        kind: 'message',
        topic: 'x'.repeat(70_000),
        payload: new Uint8Array(),
        receivedAt: 0,
      }),
    ).toThrow(/more than MQTT's 65535/);
  });
});

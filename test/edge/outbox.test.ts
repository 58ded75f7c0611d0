// The on-disk outbox alone: what it keeps across a restart, what it forgets, and how it stays bounded.
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Outbox } from '../../edge/outbox.js';
import { tempDir } from '../support/tmp.js';

const reading = (n: number) => (seq: number) => JSON.stringify({ ts: n, seq, metrics: { pm25: n } });
const seqs = (box: Outbox) => [...box.pending()].map((e) => e.seq);
const segments = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.seg'));

describe('Outbox', () => {
  it('numbers messages from 1 and gives them back in order, with topic, payload and retain', () => {
    const box = Outbox.open(tempDir());
    box.append('city/sensor/a/telemetry', reading(1));
    box.append('city/sensor/a/status', () => '{"state":"online"}', true);
    expect([...box.pending()]).toEqual([
      {
        seq: 1,
        topic: 'city/sensor/a/telemetry',
        payload: '{"ts":1,"seq":1,"metrics":{"pm25":1}}',
        retain: false,
      },
      { seq: 2, topic: 'city/sensor/a/status', payload: '{"state":"online"}', retain: true },
    ]);
    box.close();
  });

  it('keeps unacknowledged messages across a restart and continues seq', () => {
    const dir = tempDir();
    const box = Outbox.open(dir);
    for (let n = 1; n <= 5; n++) box.append('t', reading(n));
    box.ack(1);
    box.ack(3);
    box.close();
    const again = Outbox.open(dir);
    expect(seqs(again)).toEqual([2, 4, 5]);
    expect(again.append('t', reading(6)).seq).toBe(6);
    again.close();
  });

  it('continues seq after everything was acknowledged and old segments were deleted', () => {
    const dir = tempDir();
    const box = Outbox.open(dir, { maxBytes: 64 * 1024, segmentBytes: 4096 });
    for (let n = 1; n <= 500; n++) box.ack(box.append('t', reading(n)).seq);
    expect(box.size).toBe(0);
    expect(segments(dir)).toHaveLength(1); // only the head is left
    box.close();
    const again = Outbox.open(dir);
    expect(again.nextSeq).toBe(501);
    again.close();
  });

  it('drops the oldest messages when full, counts them, and stays within maxBytes', () => {
    const dir = tempDir();
    const box = Outbox.open(dir, { maxBytes: 64 * 1024, segmentBytes: 8 * 1024 });
    for (let n = 1; n <= 2000; n++) box.append('city/sensor/a/telemetry', reading(n));
    expect(box.dropped).toBeGreaterThan(0);
    expect(box.diskBytes).toBeLessThanOrEqual(64 * 1024);
    // What is left is the newest, unbroken up to the last message.
    const left = seqs(box);
    expect(left[left.length - 1]).toBe(2000);
    expect(left).toEqual(Array.from({ length: left.length }, (_, i) => 2001 - left.length + i));
    expect(box.dropped + box.size).toBe(2000);
    box.close();
    expect(seqs(Outbox.open(dir))).toEqual(left);
  });

  it('ignores a record torn by a crash and writes the next one on a line of its own', () => {
    const dir = tempDir();
    const box = Outbox.open(dir);
    box.append('t', reading(1));
    box.close();
    appendFileSync(join(dir, segments(dir)[0]), '{"seq":2,"topic":"t","pay');
    const again = Outbox.open(dir);
    expect(again.unreadableLines).toBe(1);
    expect(seqs(again)).toEqual([1]);
    again.append('t', reading(2));
    again.close();
    expect(seqs(Outbox.open(dir))).toEqual([1, 2]);
  });

  it('refuses a second writer on the same directory', () => {
    const dir = tempDir();
    const box = Outbox.open(dir);
    expect(() => Outbox.open(dir)).toThrow(expect.objectContaining({ code: 'ERR_OUTBOX_LOCKED' }));
    box.close();
    Outbox.open(dir).close();
  });

  it('fsyncs each message under the always policy and still reads back the same', () => {
    const dir = tempDir();
    const box = Outbox.open(dir, { fsync: 'always' });
    box.append('t', reading(1));
    box.close();
    expect(seqs(Outbox.open(dir, { fsync: 'never' }))).toEqual([1]);
  });
});

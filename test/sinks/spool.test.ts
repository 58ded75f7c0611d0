import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool } from '../../engine/sinks/spool.js';
import { tempDir } from '../support/tmp.js';

const ind = (i: number) => `indicator,id=a,scope=city value=${i} ${1000 + i}`;
const dev = (i: number) => `device_state,device=d${i},kind=camera online=T,available=T,shared=F ${1000 + i}`;

function drain(spool: Spool): string[] {
  const out: string[] = [];
  for (let b = spool.peek(); b; b = spool.peek()) {
    out.push(...b.lines);
    spool.ack(b.seq);
  }
  return out;
}

describe('spool', () => {
  it('reads batches back in order after a restart', () => {
    const dir = tempDir();
    const first = new Spool(dir, { segmentLines: 3 });
    for (let i = 0; i < 10; i++) first.append([ind(i)]);
    expect(first.lines).toBe(10);
    const second = new Spool(dir, { segmentLines: 3 });
    expect(second.lines).toBe(10);
    expect(second.bytes).toBe(first.bytes);
    expect(drain(second)).toEqual(Array.from({ length: 10 }, (_, i) => ind(i)));
    expect(second.empty).toBe(true);
    expect(readdirSync(join(dir, 'spool'))).toEqual([]);
  });

  it('keeps a batch until it is acknowledged', () => {
    const spool = new Spool(tempDir());
    spool.append([ind(1), ind(2)]);
    const batch = spool.peek()!;
    spool.append([ind(3)]); // arrives while the head batch is being sent
    expect(spool.peek()!.lines).toEqual(batch.lines);
    spool.ack(batch.seq);
    expect(drain(spool)).toEqual([ind(3)]);
  });

  it('cuts a line torn by a crash in the middle of an append', () => {
    const dir = tempDir();
    new Spool(dir).append([ind(1)]);
    const [file] = readdirSync(join(dir, 'spool'));
    writeFileSync(join(dir, 'spool', file), `${ind(1)}\n${ind(2).slice(0, 10)}`);
    const spool = new Spool(dir);
    expect(spool.lines).toBe(1);
    expect(drain(spool)).toEqual([ind(1)]);
  });

  it('drops the oldest device states first when full, never indicator values, and says so', () => {
    const spool = new Spool(tempDir(), { maxBytes: 8 * 1024 });
    const events: boolean[] = [];
    spool.on('full', (full: boolean) => events.push(full));
    let indicators = 0;
    for (let i = 0; i < 400; i++) {
      if (i % 10 === 0) {
        spool.append([ind(i), dev(i)]);
        indicators++;
      } else spool.append([dev(i)]);
    }
    expect(events).toEqual([true]);
    expect(spool.full).toBe(true);
    expect(spool.dropped).toBeGreaterThan(0);
    const left = drain(spool);
    const keptIndicators = left.filter((l) => l.startsWith('indicator'));
    const keptDevices = left.filter((l) => l.startsWith('device_state'));
    expect(keptIndicators).toHaveLength(indicators);
    expect(keptDevices.length + spool.dropped).toBe(400);
    // What survives is the newest device states.
    expect(keptDevices.at(-1)).toBe(dev(399));
    expect(keptDevices[0]).toBe(dev(400 - keptDevices.length));
    expect(keptDevices.length).toBeGreaterThan(0);
    expect(events).toEqual([true, false]);
  });

  it('keeps every indicator value even past its bound, with the alert raised', () => {
    const spool = new Spool(tempDir(), { maxBytes: 2 * 1024 });
    for (let i = 0; i < 200; i++) spool.append([ind(i)]);
    expect(spool.bytes).toBeGreaterThan(2 * 1024);
    expect(spool.full).toBe(true);
    expect(spool.dropped).toBe(0);
    expect(drain(spool)).toEqual(Array.from({ length: 200 }, (_, i) => ind(i)));
  });
});

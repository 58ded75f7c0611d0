// Re-reads on other nodes' changes: many notices during a read make one more read; a read that overlapped a
// write of this node is read again; a request for the whole (credentials too) is kept for the next read.
import { describe, expect, it } from 'vitest';
import { CoalescedReread } from '../../registry/coalesced-reread.js';
import { waitFor } from '../support/wait.js';

function store() {
  const reads: boolean[] = [];
  const applied: number[] = [];
  let release: (() => void) | undefined;
  const state = { writes: 0, open: true, version: 0, errors: [] as string[] };
  const r = new CoalescedReread<number>({
    isOpen: () => state.open,
    writesDone: () => Promise.resolve(),
    writesMade: () => state.writes,
    read: (full) => {
      reads.push(full);
      const v = state.version;
      return new Promise((res) => {
        release = () => res(v);
      });
    },
    apply: (v) => applied.push(v),
    onError: (e) => state.errors.push(e.message),
  });
  const reading = () => waitFor('a read in progress', () => release !== undefined);
  const finishRead = async () => {
    await waitFor('a read in progress', () => release !== undefined);
    const go = release!;
    release = undefined;
    go();
  };
  return { r, reads, applied, state, reading, finishRead };
}

describe('re-reading a store on notices', () => {
  it('makes one more read for any number of notices during a read, and applies the newest', async () => {
    const s = store();
    s.r.request();
    await s.reading();
    for (let i = 0; i < 5; i++) s.r.request();
    s.state.version = 7;
    await s.finishRead();
    await s.finishRead();
    await waitFor('the second snapshot applied', () => s.applied.length === 2);
    expect(s.reads).toHaveLength(2);
    expect(s.applied).toEqual([0, 7]);
  });

  it('reads again when this node wrote during the read, and does not apply the stale read', async () => {
    const s = store();
    s.r.request();
    await s.reading();
    s.state.writes++;
    s.state.version = 3;
    await s.finishRead();
    await s.finishRead();
    await waitFor('the fresh snapshot applied', () => s.applied.length === 1);
    expect(s.applied).toEqual([3]);
  });

  it('keeps a request for the whole read made while a partial one runs', async () => {
    const s = store();
    s.r.request(false);
    await s.reading();
    s.r.request(true);
    await s.finishRead();
    await s.finishRead();
    await waitFor('both reads applied', () => s.applied.length === 2);
    expect(s.reads).toEqual([false, true]);
  });

  it('starts nothing once the store is closed', () => {
    const s = store();
    s.state.open = false;
    s.r.request(true);
    expect(s.reads).toEqual([]);
  });
});

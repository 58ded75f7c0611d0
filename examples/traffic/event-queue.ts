// The recorder's timeline: a binary min-heap of things due at a receive time. Ties go to the one
// scheduled first, so the order of lines — and so the bytes of a recording — depend on the seed alone.

export interface Scheduled {
  /** Receive time (epoch ms) at which this is due. */
  at: number;
  /** Tie-breaker, set by the queue. */
  order: number;
}

export class EventQueue<T extends Scheduled> {
  private readonly heap: T[] = [];
  private scheduled = 0;

  get size(): number {
    return this.heap.length;
  }

  /** The earliest due time, or Infinity when nothing is scheduled. */
  get nextAt(): number {
    return this.heap.length ? this.heap[0].at : Number.POSITIVE_INFINITY;
  }

  push(item: T, at: number): void {
    item.at = at;
    item.order = this.scheduled++;
    const heap = this.heap;
    let i = heap.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = item;
  }

  pop(): T | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(heap[r], heap[l]) ? r : l;
      if (!before(heap[child], last)) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}

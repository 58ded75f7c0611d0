// A binary min-heap of (deadline, entity) over typed arrays: staleness deadlines of devices and routes.
// Each entity sits in it at most once; a refreshed deadline is not re-keyed in place but found stale when
// popped and pushed again (see liveness), which keeps the per-message path free of heap work.

export class DeadlineQueue {
  private keys = new Float64Array(1024);
  private ids = new Int32Array(1024);
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** The earliest deadline, or +Infinity when empty. */
  peekDeadline(): number {
    return this.n > 0 ? this.keys[0] : Number.POSITIVE_INFINITY;
  }

  push(deadline: number, id: number): void {
    if (this.n === this.keys.length) this.grow();
    let i = this.n++;
    const keys = this.keys;
    const ids = this.ids;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] <= deadline) break;
      keys[i] = keys[parent];
      ids[i] = ids[parent];
      i = parent;
    }
    keys[i] = deadline;
    ids[i] = id;
  }

  /** Removes the earliest entry and returns its id (its deadline was peekDeadline()). */
  pop(): number {
    const keys = this.keys;
    const ids = this.ids;
    const top = ids[0];
    const n = --this.n;
    if (n > 0) {
      const key = keys[n];
      const id = ids[n];
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && keys[child + 1] < keys[child]) child++;
        if (keys[child] >= key) break;
        keys[i] = keys[child];
        ids[i] = ids[child];
        i = child;
      }
      keys[i] = key;
      ids[i] = id;
    }
    return top;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    const ids = new Int32Array(this.ids.length * 2);
    ids.set(this.ids);
    this.keys = keys;
    this.ids = ids;
  }
}

// Re-reading a PostgreSQL-backed store whole when another node changed it (a NOTIFY, a reconnect), for the
// registry and the scorecard: requests made while a read runs become one more read after it, not one each,
// and a read that overlapped a write of this node is read again, so the snapshot never lacks it.

export interface RereadSteps<S> {
  /** False once the store is closed: no read starts then. */
  isOpen(): boolean;
  /** Settles once every write this node made so far has committed (or failed). */
  writesDone(): Promise<unknown>;
  /** How many writes this node has made; a change during a read means that read may lack one. */
  writesMade(): number;
  /** One consistent read; `full` when some request asked for the whole (e.g. every credential too). */
  read(full: boolean): Promise<S>;
  /** Take the snapshot and tell whoever listens. */
  apply(snapshot: S): void;
  onError(err: Error): void;
}

export class CoalescedReread<S> {
  private running: Promise<void> | undefined;
  private again = false;
  private full = false;

  constructor(private readonly steps: RereadSteps<S>) {}

  request(full = false): void {
    if (!this.steps.isOpen()) return;
    this.full ||= full;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop()
      .catch((err: Error) => this.steps.onError(err))
      .finally(() => {
        this.running = undefined;
      });
  }

  private async loop(): Promise<void> {
    const s = this.steps;
    do {
      this.again = false;
      const full = this.full;
      this.full = false;
      // This node's writes first, so the read has them; a write made meanwhile means read again.
      await s.writesDone();
      const made = s.writesMade();
      const snapshot = await s.read(full);
      if (s.writesMade() !== made) {
        this.again = true;
        this.full ||= full;
        continue;
      }
      s.apply(snapshot);
    } while (this.again && s.isOpen());
  }
}

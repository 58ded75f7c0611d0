// Heartbeats (docs/contract.md §2): each device a connection reports for says it is alive once per interval,
// unless something else of its own went out within the interval — any message counts as a sign of life
// (§3), so a device busy with readings never spends a message on a heartbeat. One timer per connection,
// set for whichever device falls due first.

export class Heartbeats {
  private readonly lastSentAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly intervalMs: number,
    /** The devices that should beat now (a camera its gateway cannot reach does not). */
    private readonly devicesUp: () => Iterable<string>,
    private readonly beat: (id: string) => void,
    /** Monotonic: a wall-clock step must not silence a device. */
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** A message of device `id` just went out. */
  sent(id: string): void {
    this.lastSentAt.set(id, this.clock());
  }

  /** (Re)arm for the first device due: on connect, and whenever the devices up change. */
  start(): void {
    clearTimeout(this.timer);
    let next = Number.POSITIVE_INFINITY;
    for (const id of this.devicesUp()) next = Math.min(next, this.dueAt(id));
    if (next === Number.POSITIVE_INFINITY) return; // nobody to speak for
    this.timer = setTimeout(() => this.fire(), Math.max(0, next - this.clock()));
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private fire(): void {
    const now = this.clock();
    for (const id of [...this.devicesUp()]) if (this.dueAt(id) <= now) this.beat(id);
    this.start();
  }

  private dueAt(id: string): number {
    const last = this.lastSentAt.get(id);
    return last === undefined ? Number.NEGATIVE_INFINITY : last + this.intervalMs;
  }
}

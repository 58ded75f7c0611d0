// When the engine's liveness is saved and restored (engine/state-file.ts holds the format): a save soon
// after any device's condition changed, one every minute regardless (the last-heard times), a final one on
// stop, and the restore at start.
import { removeStaleTempFiles, writeAtomicAsync } from './atomic-file.js';
import type { CityEngine } from './city-engine.js';
import {
  encodeEngineState,
  type RestoreResult,
  restoreEngineState,
  type SaveSummary,
  saveEngineState,
} from './state-file.js';

export interface PersistenceOptions {
  /** The engine clock's source (default Date.now, as the live engine's scheduler). */
  now?: () => number;
  /** Told why a save failed (the engine keeps running; the previous file stays). */
  onError?: (message: string) => void;
  /**
   * A device's condition changed (online, offline, available…): save within this long, so a kill -9 does
   * not bring back a gateway that had gone down, clearing its alert. Default 2 s; 0 turns it off. A big
   * city's save takes longer, and then saves are spaced at least 20 times their own duration apart.
   */
  soonAfterChangeMs?: number;
}

/**
 * Periodic saves of the current engine's liveness (a crash loses at most `everyMs`), a final one on stop,
 * and the restore at start. `getEngine` is asked each time: a registry change replaces the engine.
 */
export class EngineStatePersistence {
  private timer: NodeJS.Timeout | undefined;
  private soonTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly onError: (message: string) => void;
  private readonly soonMs: number;
  /** What the last save held: the engine (a rebuild replaces it) and its condition-change count. */
  private saved: { engine: CityEngine; changes: number } | undefined;
  private lastSaveStartedAt = Number.NEGATIVE_INFINITY;
  private lastSaveTookMs = 0;

  constructor(
    readonly path: string,
    private readonly getEngine: () => CityEngine,
    private readonly everyMs = 60_000,
    opts: PersistenceOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.onError = opts.onError ?? (() => {});
    this.soonMs = opts.soonAfterChangeMs ?? 2000;
  }

  /**
   * Call once, on the freshly built engine, before any input. Hooks attached already (history, alerts)
   * hear only the downtime's lapses, at their own times; attach them afterwards to hear nothing.
   */
  restore(now: number = this.now()): RestoreResult {
    removeStaleTempFiles(this.path);
    const result = restoreEngineState(this.getEngine(), this.path, now);
    this.saved = { engine: this.getEngine(), changes: this.getEngine().devices.changes };
    return result;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.saveInBackground(), this.everyMs);
    this.timer.unref();
    if (this.soonMs > 0) {
      this.soonTimer = setInterval(() => void this.saveIfChanged(), this.soonMs);
      this.soonTimer.unref();
    }
  }

  /** A save when a device's condition changed since the last one, spaced by the saves' own cost. */
  saveIfChanged(): Promise<void> {
    const engine = this.getEngine();
    if (this.saved?.engine === engine && this.saved.changes === engine.devices.changes)
      return Promise.resolve();
    if (performance.now() - this.lastSaveStartedAt < Math.max(this.soonMs, 20 * this.lastSaveTookMs))
      return Promise.resolve();
    return this.saveInBackground();
  }

  /** The state is taken at once (consistent); the file is written without blocking the event loop. */
  saveInBackground(): Promise<void> {
    if (this.writing) return this.writing;
    const started = performance.now();
    this.lastSaveStartedAt = started;
    const engine = this.getEngine();
    const changes = engine.devices.changes;
    let buf: Buffer;
    try {
      buf = encodeEngineState(engine, this.now());
    } catch (err) {
      this.onError(`cannot save engine state to ${this.path}: ${(err as Error).message}`);
      return Promise.resolve();
    }
    this.writing = writeAtomicAsync(this.path, buf)
      .then(() => {
        this.saved = { engine, changes };
      })
      .catch((err: Error) => this.onError(`cannot save engine state to ${this.path}: ${err.message}`))
      .finally(() => {
        this.lastSaveTookMs = performance.now() - started;
        this.writing = undefined;
      });
    return this.writing;
  }

  /** Stop the periodic saves and write a final one (after any save under way). */
  async stop(): Promise<SaveSummary | undefined> {
    clearInterval(this.timer);
    clearInterval(this.soonTimer);
    this.timer = undefined;
    this.soonTimer = undefined;
    await this.writing;
    try {
      return saveEngineState(this.getEngine(), this.path, this.now());
    } catch (err) {
      this.onError(`cannot save engine state to ${this.path}: ${(err as Error).message}`);
      return undefined;
    }
  }
}

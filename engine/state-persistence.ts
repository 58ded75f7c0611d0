// When the engine's liveness is saved and restored (engine/state-file.ts holds the format): a save every
// minute so a crash loses at most that, a final one on stop, and the restore at start.
import type { CityEngine } from './city-engine.js';
import {
  encodeEngineState,
  type RestoreResult,
  restoreEngineState,
  type SaveSummary,
  saveEngineState,
  writeAtomicAsync,
} from './state-file.js';

export interface PersistenceOptions {
  /** The engine clock's source (default Date.now, as the live engine's scheduler). */
  now?: () => number;
  /** Told why a save failed (the engine keeps running; the previous file stays). */
  onError?: (message: string) => void;
}

/**
 * Periodic saves of the current engine's liveness (a crash loses at most `everyMs`), a final one on stop,
 * and the restore at start. `getEngine` is asked each time: a registry change replaces the engine.
 */
export class EngineStatePersistence {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly onError: (message: string) => void;

  constructor(
    readonly path: string,
    private readonly getEngine: () => CityEngine,
    private readonly everyMs = 60_000,
    opts: PersistenceOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.onError = opts.onError ?? (() => {});
  }

  /**
   * Call once, on the freshly built engine, before any input. Hooks attached already (history, alerts)
   * hear only the downtime's lapses, at their own times; attach them afterwards to hear nothing.
   */
  restore(now: number = this.now()): RestoreResult {
    return restoreEngineState(this.getEngine(), this.path, now);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.saveInBackground(), this.everyMs);
    this.timer.unref();
  }

  /** The state is taken at once (consistent); the file is written without blocking the event loop. */
  saveInBackground(): Promise<void> {
    if (this.writing) return this.writing;
    let buf: Buffer;
    try {
      buf = encodeEngineState(this.getEngine(), this.now());
    } catch (err) {
      this.onError(`cannot save engine state to ${this.path}: ${(err as Error).message}`);
      return Promise.resolve();
    }
    this.writing = writeAtomicAsync(this.path, buf)
      .catch((err: Error) => this.onError(`cannot save engine state to ${this.path}: ${err.message}`))
      .finally(() => {
        this.writing = undefined;
      });
    return this.writing;
  }

  /** Stop the periodic saves and write a final one (after any save under way). */
  async stop(): Promise<SaveSummary | undefined> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.writing;
    try {
      return saveEngineState(this.getEngine(), this.path, this.now());
    } catch (err) {
      this.onError(`cannot save engine state to ${this.path}: ${(err as Error).message}`);
      return undefined;
    }
  }
}

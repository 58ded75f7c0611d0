// One partition's engine: the ordinary CityEngine over the partition's devices only (with every asset and
// route, so topics and arrivals resolve as in one process), whose contributions are recorded for the merge
// rather than read from its own indicators.
import { CityEngine } from '../engine/city-engine.js';
import type { Inbound } from '../engine/inbound.js';
import type { RejectionReason } from '../engine/rejections.js';
import type { IndicatorDef } from '../indicators/definition.js';
import type { Device, Inventory } from '../registry/inventory.js';
import { ContributionRecorder, cityOrder } from './contribution.js';
import type { PartitionMark } from './merge.js';

/** The inventory of partition `p` (its devices, and every asset), and its devices' city-wide numbers. */
export function partitionInventory(
  inventory: Inventory,
  partitionOf: ReadonlyMap<string, number>,
  p: number,
): { inventory: Inventory; toCity: Int32Array } {
  const number = new Map(cityOrder(inventory.devices.keys()).map((id, i) => [id, i]));
  const devices = new Map<string, Device>();
  const toCity: number[] = [];
  for (const [id, d] of inventory.devices) {
    if (partitionOf.get(id) === p) {
      devices.set(id, d);
      toCity.push(number.get(id)!);
    }
  }
  return { inventory: { ...inventory, devices }, toCity: Int32Array.from(toCity) };
}

export class PartitionEngine {
  readonly engine: CityEngine;
  private readonly recorder: ContributionRecorder;

  constructor(
    inventory: Inventory,
    catalogue: readonly IndicatorDef[],
    partitionOf: ReadonlyMap<string, number>,
    readonly partition: number,
  ) {
    const part = partitionInventory(inventory, partitionOf, partition);
    this.engine = new CityEngine(part.inventory, catalogue);
    const routeNumber = new Map(cityOrder(inventory.routes.keys()).map((id, i) => [id, i]));
    const routeToCity = Int32Array.from(this.engine.model.assets.route.ids, (id) => routeNumber.get(id)!);
    this.recorder = new ContributionRecorder(part.toCity, routeToCity);
    this.engine.contributions.taps.push(this.recorder);
  }

  /**
   * Apply one message at `at`: its receive time, or later when the partition's clock is already past it
   * (another partition's lines moved the city's clock). The message keeps its own receive time for the
   * duplicate rule, as in one process.
   */
  ingest(msg: Inbound, at = msg.receivedAt): RejectionReason | undefined {
    const first = this.engine.origin === undefined;
    this.engine.advanceTo(at);
    const outcome = this.engine.ingest(msg);
    if (first) this.recorder.origin(this.engine.origin!);
    return outcome;
  }

  /** Run `change` without recording what it contributes: a restore re-applies what the merge has already. */
  quietly(change: () => void): void {
    const taps = this.engine.contributions.taps;
    const i = taps.indexOf(this.recorder);
    if (i >= 0) taps.splice(i, 1);
    try {
      change();
    } finally {
      if (i >= 0) taps.splice(i, 0, this.recorder);
    }
  }

  /** The clock reaches `at`; what the partition holds then is its part of the city's state at `at`. */
  mark(at: number): PartitionMark {
    this.engine.tickTo(at);
    const e = this.engine;
    return { at, accepted: e.accepted, rejected: { ...e.rejected } };
  }

  /** The engine clock: every contribution still to come is at or after it. */
  get watermark(): number {
    return this.engine.now;
  }

  /** Contributions recorded since the last call, in time order. */
  take(): Float64Array {
    return this.recorder.take();
  }

  get pending(): number {
    return this.recorder.size;
  }
}

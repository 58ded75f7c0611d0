// The maintenance windows open now, published retained on `city/maintenance` (issue 14 item 2) as
// `city/devices/down` is: the whole document, at the first snapshot and whenever a window opens, closes or
// changes, so a subscriber always reads what is in maintenance without asking the API.
import type { CityEngine } from './city-engine.js';
import type { RetainedPublish } from './indicator-publisher.js';

export const MAINTENANCE_TOPIC = 'city/maintenance';

export interface MaintenanceDocument {
  ts: string;
  /** The windows with start ≤ ts < end, by start. */
  windows: {
    id: string;
    start: string;
    end: string;
    reason: string;
    by: string;
    devices: string[];
    assets: string[];
    districts: string[];
    /** Devices the window covers (its gateways' cameras, its assets' and districts' devices included). */
    deviceCount: number;
  }[];
  /** Devices in maintenance now, each once however many windows cover it. */
  devicesInMaintenance: number;
}

export function maintenanceDocument(engine: CityEngine, at: number): MaintenanceDocument {
  const m = engine.maintenance;
  let devicesInMaintenance = 0;
  for (let d = 0; d < m.covering.length; d++) if (m.covering[d] > 0) devicesInMaintenance++;
  return {
    ts: new Date(at).toISOString(),
    windows: m.activeAt(at).map((w) => ({
      id: w.id,
      start: new Date(w.start).toISOString(),
      end: new Date(w.end).toISOString(),
      reason: w.reason,
      by: w.by,
      devices: w.devices,
      assets: w.assets,
      districts: w.districts,
      deviceCount: m.devicesOf(w).length,
    })),
    devicesInMaintenance,
  };
}

export class MaintenancePublisher {
  /** What was last published, less its time: the next document goes out only when this differs. */
  private last: string | undefined;
  /** The schedule and its version the last document was built from: no window opened, closed or changed since. */
  private builtFrom: { schedule: CityEngine['maintenance']; version: number } | undefined;
  sent = 0;

  constructor(private readonly publish: RetainedPublish) {}

  /** Called with each snapshot; true when it published. */
  onSnapshot(engine: CityEngine, at: number): boolean {
    // Built only when the windows moved, not at every tick: a district window counts a whole district.
    const schedule = engine.maintenance;
    if (this.builtFrom?.schedule === schedule && this.builtFrom.version === schedule.version) return false;
    this.builtFrom = { schedule, version: schedule.version };
    const { ts, ...rest } = maintenanceDocument(engine, at);
    const key = JSON.stringify(rest);
    if (key === this.last) return false;
    this.last = key;
    this.publish(MAINTENANCE_TOPIC, JSON.stringify({ ts, ...rest }));
    this.sent++;
    return true;
  }
}

// Maintenance windows (issue 14 item 2): planned work on devices, an asset or a district, from `start`
// (inclusive) to `end` (exclusive). The schemas people's input goes through (the API, `replay --maintenance`)
// and the check of what a window names against the registry; the engine's rules are in engine/maintenance.ts.
import { z } from 'zod';
import { districtsOf, type Inventory } from './inventory.js';

export interface MaintenanceWindow {
  id: string;
  /** Epoch ms: in maintenance from this instant on. */
  start: number;
  /** Epoch ms: out of maintenance at this instant (start ≤ t < end). */
  end: number;
  reason: string;
  /** Who planned it: the signed-in person's name. */
  by: string;
  devices: string[];
  assets: string[];
  districts: string[];
  createdAt: number;
  /** Cancelled before it opened: kept for the record, covers nothing. */
  cancelledAt?: number;
}

export type WindowStatus = 'planned' | 'active' | 'past' | 'cancelled';

export function windowStatus(w: MaintenanceWindow, now: number): WindowStatus {
  if (w.cancelledAt !== undefined) return 'cancelled';
  if (now < w.start) return 'planned';
  return now < w.end ? 'active' : 'past';
}

/** The windows that cover anything: every one but the cancelled. */
export const inEffect = (windows: readonly MaintenanceWindow[]) =>
  windows.filter((w) => w.cancelledAt === undefined);

/** The last instant an RFC 3339 time can name: epoch milliseconds past it are refused, not stored unshowable. */
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const Instant = z
  .union([
    z.iso.datetime({ offset: true }),
    z.number().int().nonnegative().max(LAST_INSTANT, 'epoch milliseconds up to the year 9999'),
  ])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));
const Ids = z.array(z.string().trim().min(1).max(200)).max(100_000);

/** What a person plans: times as RFC 3339 (or epoch ms), at least one device, asset or district. */
export const WindowInput = z.object({
  start: Instant,
  end: Instant,
  reason: z.string().trim().min(1).max(500),
  devices: Ids.default([]),
  assets: Ids.default([]),
  districts: Ids.default([]),
});
export type WindowInput = z.output<typeof WindowInput>;

/** A change: any of the fields (none defaulted), checked again as a whole once merged over the window. */
export const WindowPatch = z.object({
  start: Instant.optional(),
  end: Instant.optional(),
  reason: z.string().trim().min(1).max(500).optional(),
  devices: Ids.optional(),
  assets: Ids.optional(),
  districts: Ids.optional(),
});
export type WindowPatch = z.output<typeof WindowPatch>;

/** `replay --maintenance FILE.json`: an array of windows, each with an optional id and planner. */
export const WindowFile = z.array(
  WindowInput.extend({ id: z.string().min(1).max(100).optional(), by: z.string().max(200).optional() }),
);

/** Every problem with a window's shape and targets, in words; none when it may be stored. */
export function windowProblems(w: Omit<WindowInput, 'reason'>, inv: Inventory): string[] {
  const problems: string[] = [];
  if (!(w.end > w.start))
    problems.push(
      `end (${new Date(w.end).toISOString()}) must be after start (${new Date(w.start).toISOString()})`,
    );
  if (w.devices.length + w.assets.length + w.districts.length === 0)
    problems.push('name at least one of devices, assets or districts');
  const unknown = (what: string, ids: string[], known: (id: string) => boolean) => {
    const missing = [...new Set(ids.filter((id) => !known(id)))];
    if (missing.length)
      problems.push(`unknown ${what}: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`);
  };
  unknown('devices', w.devices, (id) => inv.devices.has(id));
  unknown('assets', w.assets, (id) => assetKnown(inv, id));
  const districts = new Set(districtsOf(inv));
  unknown('districts', w.districts, (id) => districts.has(id));
  return problems;
}

const assetKnown = (inv: Inventory, id: string) =>
  inv.areas.has(id) || inv.pipeSegments.has(id) || inv.routes.has(id) || inv.sites.has(id);

/** Windows from `replay --maintenance`, ids given or numbered in file order. */
export function windowsFromFile(json: unknown, inv: Inventory): MaintenanceWindow[] {
  const parsed = WindowFile.safeParse(json);
  if (!parsed.success) throw new MaintenanceFileError(z.prettifyError(parsed.error));
  return parsed.data.map((w, i) => {
    const problems = windowProblems(w, inv);
    if (problems.length) throw new MaintenanceFileError(`window ${i + 1}: ${problems.join('; ')}`);
    const { id, by, ...rest } = w;
    return { ...rest, id: id ?? `w${i + 1}`, by: by ?? 'file', createdAt: 0 };
  });
}

export class MaintenanceFileError extends Error {
  readonly code = 'ERR_MAINTENANCE_FILE';
}

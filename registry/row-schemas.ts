// One zod schema per inventory file (docs/contract.md §1). CSV cells arrive as trimmed strings and an empty cell
// is a missing value; the schemas turn them into typed values or say, per column, what is wrong.
import { z } from 'zod';
import { windowMs } from '../indicators/formula.js';
import { AREA_CLASSES, DEVICE_KINDS, SITE_CLASSES } from './inventory.js';
import { atMost, districtText, idText, LIMITS, nameText, referenceText } from './text-limits.js';
import { canonicalTimeZone, timeZoneProblem } from './time-zone.js';

const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

// `abort`: an empty cell is missing, not also malformed.
const required = z.string().min(1, { message: 'is required', abort: true });
const id = idText(required);
// A district names an MQTT topic level (docs/contract.md §2 `city/indicators/<id>/<district>`) and an HTTP scope.
const district = districtText(required);
const name = nameText(z.string()).default('');

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** A number cell: plain decimal only (no hex, no "Infinity", which `Number()` would take), then its check. */
const number = (check: (n: z.ZodNumber) => z.ZodNumber = (n) => n) =>
  required
    .transform((s, ctx) => {
      if (DECIMAL.test(s)) return Number(s);
      ctx.addIssue({ code: 'custom', message: `must be a number, got '${s}'` });
      return z.NEVER;
    })
    .pipe(check(z.number()));

const BOOLEANS = new Map([
  ['', false],
  ['true', true],
  ['false', false],
  ['1', true],
  ['0', false],
  ['yes', true],
  ['no', false],
]);
/** `true`/`false`/`1`/`0`/`yes`/`no` in any case; an empty cell is false. */
const flag = z
  .string()
  .default('')
  .transform((s, ctx) => {
    const b = BOOLEANS.get(s.toLowerCase());
    if (b !== undefined) return b;
    ctx.addIssue({
      code: 'custom',
      message: `must be true or false, got '${s}' (1/0, yes/no and empty do too)`,
    });
    return z.NEVER;
  });

export const AreaRow = z.object({
  id,
  class: z.enum(AREA_CLASSES),
  district,
  name,
});

export const PipeSegmentRow = z.object({
  id,
  length_m: number((n) => n.positive('must be > 0')),
  district,
});

/** A GTFS `routes.txt` row: GTFS route ids are free text, so only presence is checked. */
export const RouteRow = z.object({
  route_id: referenceText(required),
  route_short_name: optional(nameText(z.string())),
  route_long_name: optional(nameText(z.string())),
  route_type: optional(number((n) => n.int('must be a whole number').nonnegative('must be >= 0'))),
  district: optional(district),
});

export const SiteRow = z.object({
  id,
  class: z.enum(SITE_CLASSES),
  district,
  name,
});

/** The rules of one row; whether its asset and gateway exist is checked later, against every table. */
export const DeviceRow = z
  .object({
    id,
    kind: z.enum(DEVICE_KINDS),
    district: optional(district),
    // Any non-empty text: a transit beacon's asset is a GTFS route, whose ids are free text.
    asset_id: optional(referenceText(z.string())),
    gateway_id: optional(id),
    hd: flag,
    expected_interval_s: optional(number((n) => n.positive('must be > 0'))),
    lat: optional(number((n) => n.min(-90, 'must be within [-90, 90]').max(90, 'must be within [-90, 90]'))),
    lon: optional(
      number((n) => n.min(-180, 'must be within [-180, 180]').max(180, 'must be within [-180, 180]')),
    ),
  })
  .superRefine((d, ctx) => {
    // docs/contract.md §1: a gateway reports for cameras; nothing else reports through one.
    if (d.gateway_id && d.kind !== 'cctv')
      ctx.addIssue({
        code: 'custom',
        path: ['gateway_id'],
        message: `only cameras (cctv) have a gateway, this is a ${d.kind}`,
      });
  });

const WINDOW = /^\d+(ms|s|m|h|d)$/;
const windowLength = z.string().regex(WINDOW, 'must be a whole number with ms, s, m, h or d, e.g. "1h"');

export const Threshold = z
  .object({
    indicator: z.string().min(1, 'is required').max(LIMITS.id, atMost(LIMITS.id)),
    scope: z.string().min(1, 'is required').max(LIMITS.district, atMost(LIMITS.district)).default('city'),
    below: z.number(),
    clearAt: z.number().optional(),
    forS: z.number().nonnegative('must be >= 0').default(0),
    severity: z.enum(['minor', 'major', 'critical']).default('major'),
  })
  // docs/contract.md §4: cleared when the value reaches clearAt, so clearAt below `below` would flap.
  .superRefine((t, ctx) => {
    if (t.clearAt !== undefined && t.clearAt < t.below)
      ctx.addIssue({
        code: 'custom',
        path: ['clearAt'],
        message: `must be >= below (${t.below})`,
        input: t.clearAt,
      });
  })
  .transform((t) => ({ ...t, clearAt: t.clearAt ?? t.below }));

/** An error-budget objective (issue 14 item 5): `{"indicator", "scope": "city", "target": 99.5, "window": "30d"}`. */
export const Objective = z.strictObject({
  indicator: z.string().min(1, 'is required').max(LIMITS.id, atMost(LIMITS.id)),
  scope: z.string().min(1, 'is required').max(LIMITS.district, atMost(LIMITS.district)).default('city'),
  // 100 would leave no budget to spend: every burn rate would divide by zero.
  target: z.number().gt(0, 'must be above 0').lt(100, 'must be below 100 (a budget of 0 cannot be spent)'),
  // The fast burn rates look back 1 h: a shorter budget window has no room for them; over a year, the
  // window's history would be kept and read back at every start.
  window: windowLength
    .default('30d')
    .refine((w) => !WINDOW.test(w) || (windowMs(w) >= 3_600_000 && windowMs(w) <= 366 * 86_400_000), {
      message: 'must be from 1h to 366d',
    }),
});

// GeoJSON (RFC 7946) geometry of a district's outline: [lon, lat] positions, closed rings of 4 or more.
const lon = z.number().min(-180, 'must be within [-180, 180]').max(180, 'must be within [-180, 180]');
const lat = z.number().min(-90, 'must be within [-90, 90]').max(90, 'must be within [-90, 90]');
const ring = z.array(z.tuple([lon, lat]).rest(z.number())).min(4, 'a ring needs at least 4 positions');
const Outline = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring).min(1)).min(1) }),
]);

/** A declared district (issue 10 item 2): the only districts rows and API calls may name. */
export const DistrictDecl = z.strictObject({
  id: districtText(required),
  name: nameText(z.string()).optional(),
  outline: Outline.optional(),
});

const districts = z
  .array(DistrictDecl)
  .max(10_000, 'at most 10,000 districts')
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((d, i) => {
      if (seen.has(d.id))
        ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `'${d.id}' is declared twice` });
      seen.add(d.id);
    });
  });

/** How device failures group into incidents (issue 14 item 1, docs/incidents.md); each key has its default. */
export const IncidentRuleFile = z.strictObject({
  districtWindowS: z.number().positive().max(3600).default(60),
  districtMinDevices: z.number().int().min(2).default(5),
  /** Percent of the district's registered devices. */
  districtMinShare: z.number().gt(0).max(100).default(50),
  holdS: z.number().min(0).max(86_400).default(300),
});

/** city.json: every key optional; an unknown key is an error, so a typo never silently means the default. */
export const CityFile = z.strictObject({
  name: nameText(z.string().min(1, 'must not be empty')).default('City'),
  cctvSharingAgreement: z.boolean().default(false),
  windows: z.array(windowLength).min(1, 'needs at least one window').default(['1h', '24h']),
  thresholds: z.array(Threshold).default([]),
  objectives: z.array(Objective).default([]),
  /** IANA name; absent means UTC (said once in the log). Stored canonical: `US/Pacific` → `America/Los_Angeles`. */
  timeZone: z
    .string()
    .transform((name, ctx) => {
      const zone = canonicalTimeZone(name);
      if (zone === undefined) ctx.addIssue({ code: 'custom', message: timeZoneProblem(name), input: name });
      return zone ?? name;
    })
    .optional(),
  districts: districts.optional(),
  incidents: IncidentRuleFile.optional(),
});

export type InventoryCsvFile = 'areas.csv' | 'pipe_segments.csv' | 'routes.txt' | 'sites.csv' | 'devices.csv';

/** The columns a file's header must have; every other column of the contract may be left out. */
export const REQUIRED_COLUMNS: Record<InventoryCsvFile, readonly string[]> = {
  'areas.csv': ['id', 'class', 'district'],
  'pipe_segments.csv': ['id', 'length_m', 'district'],
  'routes.txt': ['route_id'],
  'sites.csv': ['id', 'class', 'district'],
  'devices.csv': ['id', 'kind'],
};

/** The contract's columns; any other column is kept as an attribute. */
export const KNOWN_COLUMNS: Record<InventoryCsvFile, ReadonlySet<string>> = {
  'areas.csv': new Set(Object.keys(AreaRow.shape)),
  'pipe_segments.csv': new Set(Object.keys(PipeSegmentRow.shape)),
  'routes.txt': new Set(Object.keys(RouteRow.shape)),
  'sites.csv': new Set(Object.keys(SiteRow.shape)),
  'devices.csv': new Set(Object.keys(DeviceRow.shape)),
};

// One zod schema per inventory file's row (CONTRACT §1). Cells arrive as trimmed strings; an empty cell
// is a missing value.
import { z } from 'zod';
import { AREA_CLASSES, DEVICE_KINDS, ID_PATTERN, SITE_CLASSES } from './inventory.js';

const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);
const text = z.string();
const optionalText = z.preprocess(blankToUndefined, z.string().optional());
const id = z
  .string()
  .regex(ID_PATTERN, 'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');
const optionalId = z.preprocess(blankToUndefined, id.optional());
const required = z.string().min(1, 'is required');
const number = (check: (n: z.ZodNumber) => z.ZodNumber) =>
  z
    .string()
    .min(1, 'is required')
    .transform((s, ctx) => {
      const n = Number(s);
      if (Number.isNaN(n)) ctx.addIssue({ code: 'custom', message: `must be a number, got '${s}'` });
      return n;
    })
    .pipe(check(z.number()));
const optionalNumber = (check: (n: z.ZodNumber) => z.ZodNumber) =>
  z.preprocess(blankToUndefined, number(check).optional());

const BOOLEAN: Record<string, boolean> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
  '': false,
};

export const AreaRow = z.object({
  id,
  class: z.enum(AREA_CLASSES),
  district: required,
  name: text.default(''),
});

export const PipeSegmentRow = z.object({
  id,
  length_m: number((n) => n.positive('must be > 0')),
  district: required,
});

export const RouteRow = z.object({
  route_id: required,
  route_short_name: optionalText,
  route_long_name: optionalText,
  route_type: optionalNumber((n) => n.int('must be a whole number')),
  district: optionalText,
});

export const SiteRow = z.object({
  id,
  class: z.enum(SITE_CLASSES),
  district: required,
  name: text.default(''),
});

export const DeviceRow = z.object({
  id,
  kind: z.enum(DEVICE_KINDS),
  district: optionalText,
  asset_id: optionalId,
  gateway_id: optionalId,
  hd: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const b = BOOLEAN[s.toLowerCase()];
      if (b === undefined) ctx.addIssue({ code: 'custom', message: `must be true or false, got '${s}'` });
      return b ?? false;
    }),
  expected_interval_s: optionalNumber((n) => n.positive('must be > 0')),
  lat: optionalNumber((n) => n.min(-90, 'must be within [-90, 90]').max(90, 'must be within [-90, 90]')),
  lon: optionalNumber((n) =>
    n.min(-180, 'must be within [-180, 180]').max(180, 'must be within [-180, 180]'),
  ),
});

const window = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'must be a whole number with ms, s, m, h or d, e.g. "1h"');

export const CityFile = z
  .object({
    name: z.string().min(1).default('City'),
    cctvSharingAgreement: z.boolean().default(false),
    windows: z.array(window).min(1).default(['1h', '24h']),
    thresholds: z
      .array(
        z
          .object({
            indicator: z.string().min(1),
            scope: z.string().min(1).default('city'),
            below: z.number(),
            clearAt: z.number().optional(),
            forS: z.number().nonnegative().default(0),
            severity: z.enum(['minor', 'major', 'critical']).default('major'),
          })
          .transform((t) => ({ ...t, clearAt: t.clearAt ?? t.below }))
          .refine((t) => t.clearAt >= t.below, {
            message: 'clearAt must be at least below',
            path: ['clearAt'],
          }),
      )
      .default([]),
  })
  .loose();

/** The columns a file's header must have; other columns are kept as attributes. */
export const REQUIRED_COLUMNS = {
  'areas.csv': ['id', 'class', 'district'],
  'pipe_segments.csv': ['id', 'length_m', 'district'],
  'routes.txt': ['route_id'],
  'sites.csv': ['id', 'class', 'district'],
  'devices.csv': ['id', 'kind'],
} as const;

export const KNOWN_COLUMNS: Record<keyof typeof REQUIRED_COLUMNS, readonly string[]> = {
  'areas.csv': Object.keys(AreaRow.shape),
  'pipe_segments.csv': Object.keys(PipeSegmentRow.shape),
  'routes.txt': Object.keys(RouteRow.shape),
  'sites.csv': Object.keys(SiteRow.shape),
  'devices.csv': Object.keys(DeviceRow.shape),
};

/** A zod error as a short reason naming the column and the value: `kind: expected one of ... (got 'camera')`. */
export function describeIssues(error: z.ZodError, row?: Record<string, unknown>): string {
  return error.issues
    .map((i) => {
      const col = i.path.join('.');
      const got =
        row && row[col] !== undefined && row[col] !== '' && i.code !== 'custom'
          ? ` (got '${String(row[col])}')`
          : '';
      return `${col || 'row'}: ${i.message}${got}`;
    })
    .join('; ');
}

// How an indicator is declared: the catalogue is data, and user-defined indicators use the same form
// (docs/contract.md §4). Validated by zod when loaded from a file; the engine compiles it against the inventory.
import { z } from 'zod';

/** The state a device must be in to count (docs/contract.md §3). `registered` is always true once in the registry. */
export const CONDITIONS = ['registered', 'online', 'available', 'shared'] as const;
export type Condition = (typeof CONDITIONS)[number];

export const ASSET_TYPES = ['area', 'pipe-segment', 'route', 'site'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'an id of letters, digits, ".", "_" or "-"');

export const DeviceFilterSchema = z.strictObject({
  /** A device kind (`cctv`, `pipe-monitor`, ...). */
  kind: z.string().min(1).optional(),
  /** The class of the device's asset (`key-public`, `pollution`, ...). */
  assetClass: z.string().min(1).optional(),
  hd: z.boolean().optional(),
});
export type DeviceFilter = z.infer<typeof DeviceFilterSchema>;

// Bounded as every text a person sets is (registry/text-limits.ts): each is in every published value.
const common = {
  id,
  name: z.string().min(1).max(200, 'at most 200 characters'),
  description: z.string().max(2000, 'at most 2000 characters').optional(),
  unit: z.string().max(32, 'at most 32 characters').default('%'),
};

/** Share of assets (optionally weighted, e.g. by pipe length) covered by ≥ 1 device in a condition. */
export const AssetCoverageSchema = z.strictObject({
  ...common,
  kind: z.literal('asset-coverage'),
  asset: z.strictObject({ type: z.enum(ASSET_TYPES), class: z.string().min(1).optional() }),
  /** Weight each asset by a numeric column instead of counting it once; only `length_m` exists today. */
  weightBy: z.literal('length_m').optional(),
  coveredBy: z.union([
    z.strictObject({ device: DeviceFilterSchema, condition: z.enum(CONDITIONS) }),
    /** Covered while a message on `channel` named the asset in the last `withinS` seconds (routes, L1.2.2). */
    z.strictObject({ channel: z.literal('arrival'), withinS: z.number().positive() }),
  ]),
});

/** Share of the devices that pass `devices` which also meet `numerator`. */
export const DeviceShareSchema = z.strictObject({
  ...common,
  kind: z.literal('device-share'),
  devices: DeviceFilterSchema,
  numerator: z.strictObject({ condition: z.enum(CONDITIONS), hd: z.boolean().optional() }),
});

const WeightedPartSchema = z.union([
  z.strictObject({ indicator: id, weight: z.number() }),
  /** 100 when the city.json flag is true, else 0 (L2.2.2's sharing agreement). */
  z.strictObject({ flag: z.literal('cctvSharingAgreement'), weight: z.number() }),
]);
export type WeightedPart = z.infer<typeof WeightedPartSchema>;

/** Σ weight·part; null when any part is null, since a partial sum would read as a low score. */
export const WeightedSchema = z.strictObject({
  ...common,
  kind: z.literal('weighted'),
  parts: z.array(WeightedPartSchema).min(1),
});

export const IndicatorSchema = z.discriminatedUnion('kind', [
  AssetCoverageSchema,
  DeviceShareSchema,
  WeightedSchema,
]);
export type IndicatorDef = z.infer<typeof IndicatorSchema>;
export type IndicatorInput = z.input<typeof IndicatorSchema>;
export type AssetCoverageDef = z.infer<typeof AssetCoverageSchema>;
export type DeviceShareDef = z.infer<typeof DeviceShareSchema>;
export type WeightedDef = z.infer<typeof WeightedSchema>;

// The inventory and the indicator catalogue compiled into dense, index-addressed tables, so the
// per-message path does array lookups instead of walking objects: device i, scope s, indicator k.
import type { AssetType, DeviceFilter, IndicatorDef } from '../indicators/definition.js';
import {
  AREA_CLASSES,
  DEVICE_KINDS,
  type DeviceKind,
  districtsOf,
  type Inventory,
  SITE_CLASSES,
} from '../registry/inventory.js';

/** Device condition bits (docs/contract.md §3). The last three never change after registration. */
export const ONLINE = 1;
export const AVAILABLE = 2;
export const SHARED = 4;
export const REGISTERED = 8;
export const HD = 16;
export const NOT_HD = 32;
/** In a maintenance window now (engine/maintenance.ts): set and cleared by the windows' edges. */
export const MAINTENANCE = 64;

/** Operational indicators leave devices in maintenance out (docs/indicators.md); ISO ones keep them in. */
export const isOperational = (id: string) => id.startsWith('availability.');
const CONDITION_BIT = {
  registered: REGISTERED,
  online: ONLINE,
  available: AVAILABLE,
  shared: SHARED,
} as const;

export const KIND_CODE: Readonly<Record<DeviceKind, number>> = Object.fromEntries(
  DEVICE_KINDS.map((k, i) => [k, i]),
) as Record<DeviceKind, number>;
export const CCTV = KIND_CODE.cctv;
export const GATEWAY = KIND_CODE['cctv-gateway'];

const ASSET_OF_KIND: Readonly<Record<DeviceKind, AssetType>> = {
  cctv: 'area',
  'cctv-gateway': 'area',
  'pipe-monitor': 'pipe-segment',
  'transit-beacon': 'route',
  sensor: 'site',
};

export interface AssetTable {
  ids: string[];
  index: Map<string, number>;
  classes: (string | undefined)[];
  /** Scope index of the asset's district, 0 (city only) when it has none. */
  scope: Int16Array;
  /** length_m in whole millimetres, so repeated ± updates of a covered length stay exact. */
  lengthMm: Float64Array;
}

/** One way a device's condition bits feed an indicator's numerator. */
export interface Membership {
  indicator: number;
  /** Bits that must all be set for the device to count. */
  required: number;
  /** true: the device covers its asset (count per asset); false: the device itself is counted. */
  cover: boolean;
  /** An operational device share: a device in maintenance leaves its numerator and denominator. */
  operational: boolean;
}

export type CompiledIndicator =
  | { type: 'ratio'; def: IndicatorDef; scale: number; operational: boolean }
  | { type: 'weighted'; def: IndicatorDef; parts: { indicator: number; weight: number }[]; constant: number };

export interface EventCoverage {
  indicator: number;
  withinMs: number;
}

export interface CityModel {
  scopes: string[];
  deviceIds: string[];
  deviceIndex: Map<string, number>;
  kind: Uint8Array;
  /** District scope of each device (docs/contract.md §3: its asset's district first), 0 for none. */
  scope: Int16Array;
  /** docs/contract.md §3: silent for more than 3 × expected_interval_s means offline. */
  staleAfterMs: Float64Array;
  /** expected_interval_s in ms: a device heard within it counts for a value's coverage (indicators/quality.ts). */
  intervalMs: Float64Array;
  /** The camera's gateway device index, or -1. */
  gateway: Int32Array;
  /** Index of the device's asset in the table of its kind's asset type, or -1. */
  asset: Int32Array;
  staticMask: Uint8Array;
  profile: Uint16Array;
  profiles: Membership[][];
  /** Cameras of gateway g: camerasOf[camerasStart[g] .. camerasStart[g+1]). */
  camerasStart: Int32Array;
  camerasOf: Int32Array;
  assets: Record<AssetType, AssetTable>;
  indicators: CompiledIndicator[];
  /** indicator → weighted indicators that use it as a part. */
  dependents: number[][];
  /** Per coverage indicator: the weight each asset adds when covered (0 if outside its class). */
  coverWeight: (Float64Array | undefined)[];
  /** Per coverage indicator: the district scope of each asset of its type. */
  coverScope: (Int16Array | undefined)[];
  eventCoverages: EventCoverage[];
  /** Static denominators, [indicator × scopes + scope]. */
  denominator: Float64Array;
}

export class ModelError extends Error {
  readonly code = 'ERR_INDICATOR_MODEL';
}

export function compileCityModel(inv: Inventory, catalogue: readonly IndicatorDef[]): CityModel {
  const scopes = ['city', ...districtsOf(inv)];
  const scopeOf = new Map(scopes.map((s, i) => [s, i]));
  const toScope = (district: string | undefined) => (district ? (scopeOf.get(district) ?? 0) : 0);

  const table = <T extends { id: string; district?: string }>(
    rows: Iterable<T>,
    cls: (r: T) => string | undefined,
    lengthM: (r: T) => number,
  ): AssetTable => {
    const list = [...rows];
    return {
      ids: list.map((r) => r.id),
      index: new Map(list.map((r, i) => [r.id, i])),
      classes: list.map(cls),
      scope: Int16Array.from(list, (r) => toScope(r.district)),
      lengthMm: Float64Array.from(list, (r) => Math.round(lengthM(r) * 1000)),
    };
  };
  const assets: Record<AssetType, AssetTable> = {
    area: table(
      inv.areas.values(),
      (a) => a.class,
      () => 0,
    ),
    'pipe-segment': table(
      inv.pipeSegments.values(),
      () => undefined,
      (p) => p.lengthM,
    ),
    route: table(
      inv.routes.values(),
      () => undefined,
      () => 0,
    ),
    site: table(
      inv.sites.values(),
      (s) => s.class,
      () => 0,
    ),
  };

  const devices = [...inv.devices.values()];
  const n = devices.length;
  const deviceIndex = new Map<string, number>();
  for (let i = 0; i < n; i++) deviceIndex.set(devices[i].id, i);
  const kind = new Uint8Array(n);
  const scope = new Int16Array(n);
  const staleAfterMs = new Float64Array(n);
  const intervalMs = new Float64Array(n);
  const gateway = new Int32Array(n).fill(-1);
  const asset = new Int32Array(n).fill(-1);
  const staticMask = new Uint8Array(n);
  const assetClass: (string | undefined)[] = new Array(n);
  const cameraCount = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const d = devices[i];
    const table = assets[ASSET_OF_KIND[d.kind]];
    const a = d.assetId ? (table.index.get(d.assetId) ?? -1) : -1;
    kind[i] = KIND_CODE[d.kind];
    asset[i] = a;
    assetClass[i] = a >= 0 ? table.classes[a] : undefined;
    scope[i] = a >= 0 && table.scope[a] > 0 ? table.scope[a] : toScope(d.district);
    staleAfterMs[i] = 3 * d.expectedIntervalS * 1000;
    intervalMs[i] = d.expectedIntervalS * 1000;
    staticMask[i] = REGISTERED | (d.hd ? HD : NOT_HD);
    if (d.kind === 'cctv' && d.gatewayId) {
      const g = deviceIndex.get(d.gatewayId);
      if (g !== undefined && devices[g].kind === 'cctv-gateway') {
        gateway[i] = g;
        cameraCount[g + 1]++;
      }
    }
  }
  const camerasStart = new Int32Array(n + 1);
  for (let g = 0; g < n; g++) camerasStart[g + 1] = camerasStart[g] + cameraCount[g + 1];
  const camerasOf = new Int32Array(camerasStart[n]);
  const fill = camerasStart.slice(0, n);
  for (let i = 0; i < n; i++) if (gateway[i] >= 0) camerasOf[fill[gateway[i]]++] = i;

  const compiled = compileIndicators(catalogue, inv);
  const dependents: number[][] = catalogue.map(() => []);
  compiled.forEach((c, k) => {
    if (c.type === 'weighted') for (const p of c.parts) dependents[p.indicator].push(k);
  });

  // Profiles: devices alike in kind, asset class, hd and having an asset feed the same indicators.
  const profiles: Membership[][] = [];
  const profileKey = new Map<string, number>();
  const profile = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const d = devices[i];
    const key = `${d.kind}|${assetClass[i] ?? ''}|${d.hd}|${asset[i] >= 0}`;
    let p = profileKey.get(key);
    if (p === undefined) {
      p = profiles.length;
      profiles.push(membershipsOf(catalogue, d.kind, assetClass[i], d.hd, asset[i] >= 0));
      profileKey.set(key, p);
    }
    profile[i] = p;
  }

  const S = scopes.length;
  const denominator = new Float64Array(catalogue.length * S);
  const coverWeight: (Float64Array | undefined)[] = catalogue.map(() => undefined);
  const coverScope: (Int16Array | undefined)[] = catalogue.map(() => undefined);
  const eventCoverages: EventCoverage[] = [];
  catalogue.forEach((def, k) => {
    const add = (s: number, w: number) => {
      denominator[k * S] += w;
      if (s > 0) denominator[k * S + s] += w;
    };
    if (def.kind === 'device-share') {
      for (let i = 0; i < n; i++) {
        if (matches(def.devices, devices[i].kind, assetClass[i], devices[i].hd)) add(scope[i], 1);
      }
    } else if (def.kind === 'asset-coverage') {
      const t = assets[def.asset.type];
      const weights = Float64Array.from(t.ids, (_, a) =>
        def.asset.class && t.classes[a] !== def.asset.class ? 0 : def.weightBy ? t.lengthMm[a] : 1,
      );
      for (let a = 0; a < weights.length; a++) if (weights[a] > 0) add(t.scope[a], weights[a]);
      coverWeight[k] = weights;
      coverScope[k] = t.scope;
      if ('channel' in def.coveredBy)
        eventCoverages.push({ indicator: k, withinMs: def.coveredBy.withinS * 1000 });
    }
  });

  return {
    scopes,
    deviceIds: devices.map((d) => d.id),
    deviceIndex,
    kind,
    scope,
    staleAfterMs,
    intervalMs,
    gateway,
    asset,
    staticMask,
    profile,
    profiles,
    camerasStart,
    camerasOf,
    assets,
    indicators: compiled,
    dependents,
    coverWeight,
    coverScope,
    eventCoverages,
    denominator,
  };
}

function compileIndicators(catalogue: readonly IndicatorDef[], inv: Inventory): CompiledIndicator[] {
  const index = new Map(catalogue.map((d, i) => [d.id, i]));
  return catalogue.map((def): CompiledIndicator => {
    if (def.kind === 'weighted') {
      let constant = 0;
      const parts: { indicator: number; weight: number }[] = [];
      for (const p of def.parts) {
        if ('flag' in p) constant += p.weight * (inv.city[p.flag] ? 100 : 0);
        else {
          const k = index.get(p.indicator);
          if (k === undefined || k >= index.get(def.id)!) {
            throw new ModelError(`indicator '${def.id}': part '${p.indicator}' must be declared before it`);
          }
          parts.push({ indicator: k, weight: p.weight });
        }
      }
      return { type: 'weighted', def, parts, constant };
    }
    checkFilter(def.id, def.kind === 'device-share' ? def.devices : undefined);
    if (def.kind === 'asset-coverage') {
      if ('device' in def.coveredBy) checkFilter(def.id, def.coveredBy.device);
      const classes =
        def.asset.type === 'area' ? AREA_CLASSES : def.asset.type === 'site' ? SITE_CLASSES : [];
      if (def.asset.class && !(classes as readonly string[]).includes(def.asset.class)) {
        throw new ModelError(
          `indicator '${def.id}': ${def.asset.type} has no class '${def.asset.class}'` +
            (classes.length ? ` (classes: ${classes.join(', ')})` : ''),
        );
      }
      if ('channel' in def.coveredBy && def.asset.type !== 'route') {
        throw new ModelError(`indicator '${def.id}': arrival coverage applies to routes only`);
      }
    }
    const scale = def.kind === 'asset-coverage' && def.weightBy ? 1000 : 1;
    return { type: 'ratio', def, scale, operational: def.kind === 'device-share' && isOperational(def.id) };
  });
}

function checkFilter(id: string, f: DeviceFilter | undefined): void {
  if (f?.kind && !(DEVICE_KINDS as readonly string[]).includes(f.kind)) {
    throw new ModelError(
      `indicator '${id}': unknown device kind '${f.kind}' (kinds: ${DEVICE_KINDS.join(', ')})`,
    );
  }
}

function matches(f: DeviceFilter, kind: string, assetClass: string | undefined, hd: boolean): boolean {
  return (
    (f.kind === undefined || f.kind === kind) &&
    (f.assetClass === undefined || f.assetClass === assetClass) &&
    (f.hd === undefined || f.hd === hd)
  );
}

function membershipsOf(
  catalogue: readonly IndicatorDef[],
  kind: DeviceKind,
  assetClass: string | undefined,
  hd: boolean,
  hasAsset: boolean,
): Membership[] {
  const out: Membership[] = [];
  catalogue.forEach((def, indicator) => {
    if (def.kind === 'device-share' && matches(def.devices, kind, assetClass, hd)) {
      const hdBit = def.numerator.hd === undefined ? 0 : def.numerator.hd ? HD : NOT_HD;
      out.push({
        indicator,
        required: CONDITION_BIT[def.numerator.condition] | hdBit,
        cover: false,
        operational: isOperational(def.id),
      });
    } else if (
      def.kind === 'asset-coverage' &&
      'device' in def.coveredBy &&
      hasAsset &&
      def.asset.type === ASSET_OF_KIND[kind] &&
      (def.asset.class === undefined || def.asset.class === assetClass) &&
      matches(def.coveredBy.device, kind, assetClass, hd)
    ) {
      out.push({
        indicator,
        required: CONDITION_BIT[def.coveredBy.condition],
        cover: true,
        operational: false,
      });
    }
  });
  return out;
}

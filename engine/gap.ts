// "Why is camera availability 93 %?": the devices and assets behind the missing share of an indicator,
// and since when. Asked by a person through the API, so a scan over the indicator's members is fine here.

import type { CityEngine } from './city-engine.js';
import { MAINTENANCE } from './city-model.js';
import { isoTime, type MissingReason, missingReason } from './device-status.js';

export interface GapDevice {
  id: string;
  kind: string;
  /** offline (never heard, silent, or said offline), behind-offline-gateway, video-lost, not-shared, not-hd */
  reason: MissingReason;
  /** When it entered this state (engine clock, RFC 3339); null when it has not been heard since the start. */
  since: string | null;
  lastSeen: string | null;
}

export interface GapAsset {
  id: string;
  type: string;
  /** The devices that could cover it, if any. */
  devices: string[];
  since: string | null;
}

export interface Gap {
  /** The first `limit` of them. */
  devices: GapDevice[];
  assets: GapAsset[];
  /** How many there are in all, also past the limit. */
  devicesTotal: number;
  assetsTotal: number;
  /** For a weighted indicator: its parts, each with its own gap. */
  parts?: string[];
}

export function indicatorGap(engine: CityEngine, id: string, scope: string, limit = 1000): Gap | undefined {
  const m = engine.model;
  const k = m.indicators.findIndex((c) => c.def.id === id);
  const s = m.scopes.indexOf(scope);
  if (k < 0 || s < 0) return undefined;
  const def = m.indicators[k].def;
  if (def.kind === 'weighted') {
    return {
      devices: [],
      assets: [],
      devicesTotal: 0,
      assetsTotal: 0,
      parts: def.parts.flatMap((p) => ('indicator' in p ? [p.indicator] : [])),
    };
  }
  const st = engine.devices;
  const gap: Gap = { devices: [], assets: [], devicesTotal: 0, assetsTotal: 0 };
  const inScope = (scopeOf: number) => s === 0 || scopeOf === s;

  if (def.kind === 'device-share') {
    for (let d = 0; d < m.deviceIds.length; d++) {
      const mem = m.profiles[m.profile[d]].find((x) => x.indicator === k && !x.cover);
      if (!mem || !inScope(m.scope[d]) || (st.mask[d] & mem.required) === mem.required) continue;
      // An operational share leaves devices in maintenance out altogether: they are not in its gap.
      if (mem.operational && (st.mask[d] & MAINTENANCE) !== 0) continue;
      // Counted all, listed up to the limit.
      if (gap.devicesTotal++ >= limit) continue;
      gap.devices.push({
        id: m.deviceIds[d],
        kind: def.devices.kind ?? '',
        reason: missingReason(engine, d, mem.required),
        since: isoTime(st.changedAt[d]),
        lastSeen: isoTime(st.lastSeen[d]),
      });
    }
    return gap;
  }
  // Asset coverage: assets of the indicator's class in scope that nothing covers now.
  const table = m.assets[def.asset.type];
  const weights = m.coverWeight[k]!;
  const coverers = new Map<number, number[]>();
  if ('device' in def.coveredBy) {
    for (let d = 0; d < m.deviceIds.length; d++) {
      if (m.asset[d] >= 0 && m.profiles[m.profile[d]].some((x) => x.indicator === k && x.cover)) {
        coverers.set(m.asset[d], [...(coverers.get(m.asset[d]) ?? []), d]);
      }
    }
  }
  for (let a = 0; a < table.ids.length; a++) {
    if (weights[a] === 0 || !inScope(table.scope[a])) continue;
    const devices = coverers.get(a) ?? [];
    const covered =
      'device' in def.coveredBy
        ? devices.some((d) => {
            const mem = m.profiles[m.profile[d]].find((x) => x.indicator === k && x.cover)!;
            return (st.mask[d] & mem.required) === mem.required;
          })
        : engine.routes.freshUntilOf(
            m.eventCoverages.findIndex((e) => e.indicator === k),
            a,
          ) >= engine.now;
    if (covered) continue;
    if (gap.assetsTotal++ >= limit) continue;
    const since = devices.length
      ? Math.max(...devices.map((d) => st.changedAt[d]).filter((t) => !Number.isNaN(t)), 0)
      : 0;
    gap.assets.push({
      id: table.ids[a],
      type: def.asset.type,
      devices: devices.map((d) => m.deviceIds[d]),
      since: isoTime(since),
    });
  }
  return gap;
}

// A registry change (a device registered, moved or removed) rebuilds the engine's dense tables; this
// carries the live state over by id so nothing a user sees jumps: device liveness and camera fields, route
// freshness, counters, the 10-minute duplicate memory and the value histories behind the window means.
import type { IndicatorDef } from '../indicators/definition.js';
import type { Inventory } from '../registry/inventory.js';
import { CityEngine } from './city-engine.js';

export function rebuildEngine(
  old: CityEngine,
  inventory: Inventory,
  catalogue: readonly IndicatorDef[],
): CityEngine {
  const next = new CityEngine(inventory, catalogue);
  if (old.origin === undefined) {
    next.setMaintenance(old.maintenance.windows);
    return next;
  }
  const t = old.now;
  const om = old.model;
  const nm = next.model;
  next.now = t;
  // The windows cover the new tables' devices before the rebuilt bits are compared for "since when".
  next.setMaintenance(old.maintenance.windows);
  next.origin = old.origin;
  next.accepted = old.accepted;
  Object.assign(next.rejected, old.rejected);

  const carried: [number, number][] = [];
  for (let d = 0; d < nm.deviceIds.length; d++) {
    const o = om.deviceIndex.get(nm.deviceIds[d]);
    if (o === undefined) continue;
    next.devices.restore(d, old.devices, o);
    carried.push([d, o]);
  }
  next.devices.refreshAll(t);
  next.admission.restoreDuplicates(old.admission.duplicates.save(), om.deviceIds);
  // "Since when" survives the rebuild for every device whose condition it did not change.
  for (const [d, o] of carried)
    if (next.devices.mask[d] === old.devices.mask[o]) next.devices.changedAt[d] = old.devices.changedAt[o];

  forEachKeptRoute(old, next, (oe, or, ne, r) =>
    next.routes.restore(ne, r, old.routes.freshUntilOf(oe, or), t),
  );
  adoptSeries(next, old, t);
  return next;
}

/**
 * Every (event coverage, route) both engines have, matched by indicator and route id: `oe, or` in the old
 * engine, `ne, r` in the new.
 */
export function forEachKeptRoute(
  old: CityEngine,
  next: CityEngine,
  f: (oe: number, or: number, ne: number, r: number) => void,
): void {
  const [om, nm] = [old.model, next.model];
  const oldEvent = new Map(om.eventCoverages.map((e, i) => [om.indicators[e.indicator].def.id, i]));
  nm.eventCoverages.forEach((e, ne) => {
    const oe = oldEvent.get(nm.indicators[e.indicator].def.id);
    if (oe === undefined) return;
    nm.assets.route.ids.forEach((id, r) => {
      const or = om.assets.route.index.get(id);
      if (or !== undefined) f(oe, or, ne, r);
    });
  });
}

/** The value histories behind the window means, by indicator id and scope, continued at `t`. */
export function adoptSeries(next: CityEngine, old: CityEngine, t: number): void {
  const om = old.model;
  const nm = next.model;
  const oldIndicator = new Map(om.indicators.map((c, k) => [c.def.id, k]));
  const oldScope = new Map(om.scopes.map((s, i) => [s, i]));
  next.indicators.adoptSeries((k, s) => {
    const ok = oldIndicator.get(nm.indicators[k].def.id);
    const os = oldScope.get(nm.scopes[s]);
    return ok === undefined || os === undefined
      ? undefined
      : old.indicators.series[ok * om.scopes.length + os];
  }, t);
}

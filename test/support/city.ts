// Small hand-made cities for engine tests: every value in the tests can be worked out on paper.

import { CityEngine, type IndicatorValue } from '../../engine/city-engine.js';
import { Decoded } from '../../engine/inbound.js';
import type { RejectionReason } from '../../engine/rejections.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import type { IndicatorDef } from '../../indicators/definition.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import {
  type Area,
  type CityConfig,
  DEFAULT_INTERVAL_S,
  type Device,
  type DeviceKind,
  defaultCityConfig,
  type Inventory,
  type PipeSegment,
  type Route,
  type Site,
} from '../../registry/inventory.js';

export const T0 = Date.parse('2026-01-05T08:00:00.000Z');
export const at = (seconds: number) => T0 + seconds * 1000;

type DeviceSpec = Partial<Device> & { id: string; kind: DeviceKind };

export interface CitySpec {
  city?: Partial<CityConfig>;
  areas?: Array<Omit<Area, 'name'> & { name?: string }>;
  pipes?: PipeSegment[];
  routes?: Route[];
  sites?: Array<Omit<Site, 'name'> & { name?: string }>;
  devices?: DeviceSpec[];
}

export function makeInventory(spec: CitySpec): Inventory {
  const byId = <T extends { id: string }>(rows: T[] = []) => new Map(rows.map((r) => [r.id, r]));
  return {
    city: { ...defaultCityConfig(), ...spec.city },
    areas: byId((spec.areas ?? []).map((a) => ({ name: a.id, ...a }))),
    pipeSegments: byId(spec.pipes),
    routes: byId(spec.routes),
    sites: byId((spec.sites ?? []).map((s) => ({ name: s.id, ...s }))),
    devices: byId(
      (spec.devices ?? []).map((d) => ({ hd: false, expectedIntervalS: DEFAULT_INTERVAL_S[d.kind], ...d })),
    ),
  };
}

export class TestCity {
  readonly engine: CityEngine;

  constructor(spec: CitySpec, extra: IndicatorDef[] = []) {
    this.engine = new CityEngine(makeInventory(spec), buildCatalogue(LIVE_CATALOGUE, extra));
  }

  /** Deliver a message `seconds` after T0; returns the rejection reason, if any. */
  send(seconds: number, topic: string, payload: unknown): RejectionReason | undefined {
    const p = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : new Decoded(payload, 100);
    return this.engine.ingest({ receivedAt: at(seconds), topic, payload: p });
  }

  status(seconds: number, kind: DeviceKind, id: string, payload: Record<string, unknown> = {}) {
    return this.send(seconds, `city/${kind}/${id}/status`, { state: 'online', ts: at(seconds), ...payload });
  }

  heartbeat(seconds: number, kind: DeviceKind, id: string, extra: Record<string, unknown> = {}) {
    return this.send(seconds, `city/${kind}/${id}/heartbeat`, { ts: at(seconds), ...extra });
  }

  /** The indicator's full record at `seconds` after T0. */
  record(seconds: number, id: string, scope = 'city'): IndicatorValue {
    const snap = this.engine.snapshot(at(seconds));
    const found = snap.indicators.find((i) => i.id === id && i.scope === scope);
    if (!found) throw new Error(`no indicator ${id} for scope ${scope}`);
    return found;
  }

  value(seconds: number, id: string, scope = 'city'): number | null {
    return this.record(seconds, id, scope).value;
  }
}

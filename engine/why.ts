// Why an indicator reads 0 or has no value, in one line for the operations centre (GET /api/indicators,
// the dashboard's gauge captions): an empty gauge with nothing saying why looks like a broken city.
import type { IndicatorDef } from '../indicators/definition.js';

export interface WhyContext {
  /** The city's IANA zone: service hours are local. */
  timeZone: string;
  /** Local hours the simulated buses run (`05:00–24:00`), when this process simulates them. */
  simulatedBusHours?: string;
  /** The GTFS-Realtime feeds polled for arrival forecasts (--gtfs-rt), with how their last poll ended. */
  gtfsRt?: readonly { url: string; lastOutcome: string | null }[];
}

export interface WhyRow {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
}

const ASSET_NOUNS: Record<string, string> = {
  area: 'areas',
  'pipe-segment': 'pipe segments',
  route: 'routes',
  site: 'sites',
};

const count = (x: number | null) => (x === null ? '0' : Math.round(x).toLocaleString('en'));

/** Undefined while the indicator has a value above 0. */
export function whyZero(def: IndicatorDef, row: WhyRow, ctx: WhyContext): string | undefined {
  if (row.value !== null && row.value > 0) return undefined;
  if (def.kind === 'weighted')
    return row.value === null ? 'none of its parts has a value yet' : 'every part with a weight reads 0';
  if (def.kind === 'device-share') {
    const kind = def.devices.kind ?? 'device';
    if (!row.denominator)
      return `no ${kind} devices in the inventory${def.devices.assetClass ? ` in ${def.devices.assetClass} areas` : ''}`;
    const are = row.denominator === 1 ? 'device is' : 'devices are';
    return `0 of ${count(row.denominator)} ${kind} ${are} ${def.numerator.condition}${def.numerator.hd ? ' and HD' : ''}`;
  }
  const noun = ASSET_NOUNS[def.asset.type] ?? def.asset.type;
  if (!row.denominator) return `no ${noun} in the inventory`;
  const of = `of ${count(row.denominator)} ${noun}`;
  if ('channel' in def.coveredBy) {
    // L1.2.2: a route counts while a bus on it sent an arrival forecast in the last withinS seconds.
    const hours = ctx.simulatedBusHours
      ? `service hours ${ctx.simulatedBusHours} ${ctx.timeZone}`
      : `no arrival forecast in the last ${Math.round(def.coveredBy.withinS / 60)} min`;
    // A feed's own trouble is the likelier reason when the city counts on one.
    const feeds = (ctx.gtfsRt ?? []).map(
      (f) =>
        `GTFS-Realtime ${f.url}: ${f.lastOutcome === null ? 'not polled yet' : `last poll ${f.lastOutcome}`}`,
    );
    return `0 ${of} have a bus in service (${[hours, ...feeds].join('; ')})`;
  }
  const cond = def.coveredBy.condition;
  const by = `covered by ${/^[aeiou]/.test(cond) ? 'an' : 'a'} ${cond} ${def.coveredBy.device.kind ?? 'device'}`;
  return def.weightBy ? `no ${def.asset.type} ${by}` : `0 ${of} ${by}`;
}

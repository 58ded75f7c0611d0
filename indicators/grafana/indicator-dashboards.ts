// The city's indicators in Grafana, generated from the indicator catalogue so a new indicator gets its
// panels: one row per ISO/IEC 30146 area, per indicator its city value and its value by district, read from
// the points the history sink writes (engine/sinks/line-protocol.ts: measurement `indicator`, tags `id` and
// `scope` = `city` or a district, field `value`), in InfluxQL (1.x, or 2.x through its DBRP mapping) or Flux (2.x).

import type { Severity, Threshold } from '../../registry/inventory.js';
import type { IndicatorDef } from '../definition.js';
import { SECOND_LEVEL } from '../iso/hierarchy.js';
import { describeFormula } from '../reference.js';
import {
  type Colour,
  type DashboardSpec,
  type DataSourceRef,
  FLUX,
  INFLUXQL,
  type PanelSpec,
  type RowSpec,
} from './model.js';

export type QueryLanguage = 'influxql' | 'flux';

/** What the history sink writes; the Flux test checks these against a line the sink really builds. */
export const MEASUREMENT = 'indicator';
export const FIELD = 'value';
export const CITY_SCOPE = 'city';

const AVAILABILITY = 'availability.';

/** The row an indicator goes in: its ISO second-level group, device availability, or the city's own. */
export function areaOf(id: string): string {
  const group = SECOND_LEVEL.find((g) => id.startsWith(`${g.id}.`));
  if (group) return `${group.id} ${group.name} (${group.section})`;
  if (id.startsWith(AVAILABILITY)) return 'Devices online (availability)';
  return "The city's own indicators";
}

const areaOrder = (title: string) => {
  const i = SECOND_LEVEL.findIndex((g) => title.startsWith(`${g.id} `));
  return i >= 0 ? i : title.startsWith('Devices') ? SECOND_LEVEL.length : SECOND_LEVEL.length + 1;
};

function unitOf(d: IndicatorDef): Pick<PanelSpec, 'unit' | 'min' | 'max'> {
  // Catalogue values are on the hundred-mark scale (docs/indicators.md).
  return d.unit === '%' ? { unit: 'percent', min: 0, max: 100 } : { unit: `suffix: ${d.unit}` };
}

// Ids are letters, digits, ".", "_" and "-" (indicators/definition.ts): quoted as they are, they are InfluxQL
// and Flux strings.
const influxql = {
  city: (id: string) =>
    `SELECT mean("${FIELD}") FROM "${MEASUREMENT}" WHERE "id" = '${id}' AND "scope" = '${CITY_SCOPE}' ` +
    'AND $timeFilter GROUP BY time($__interval) fill(none)',
  // Grafana writes a multi-value $district inside /^…$/ as (a|b|c), each value regex-escaped.
  district: (id: string) =>
    `SELECT mean("${FIELD}") FROM "${MEASUREMENT}" WHERE "id" = '${id}' AND "scope" =~ /^$district$/ ` +
    'AND $timeFilter GROUP BY time($__interval), "scope" fill(none)',
  districts: `SHOW TAG VALUES FROM "${MEASUREMENT}" WITH KEY = "scope" WHERE "scope" != '${CITY_SCOPE}'`,
};

const flux = {
  city: (id: string) =>
    [
      `from(bucket: "\${bucket}")`,
      '  |> range(start: v.timeRangeStart, stop: v.timeRangeStop)',
      `  |> filter(fn: (r) => r._measurement == "${MEASUREMENT}" and r._field == "${FIELD}" and r.id == "${id}" and r.scope == "${CITY_SCOPE}")`,
      '  |> aggregateWindow(every: v.windowPeriod, fn: mean, createEmpty: false)',
      '  |> keep(columns: ["_time", "_value"])',
    ].join('\n'),
  district: (id: string) =>
    [
      `from(bucket: "\${bucket}")`,
      '  |> range(start: v.timeRangeStart, stop: v.timeRangeStop)',
      `  |> filter(fn: (r) => r._measurement == "${MEASUREMENT}" and r._field == "${FIELD}" and r.id == "${id}" and r.scope =~ /^\${district:regex}$/)`,
      '  |> aggregateWindow(every: v.windowPeriod, fn: mean, createEmpty: false)',
      '  |> keep(columns: ["_time", "_value", "scope"])',
    ].join('\n'),
  districts: [
    'import "influxdata/influxdb/schema"',
    '',
    `schema.tagValues(bucket: "\${bucket}", tag: "scope", predicate: (r) => r._measurement == "${MEASUREMENT}", start: v.timeRangeStart)`,
    `  |> filter(fn: (r) => r._value != "${CITY_SCOPE}")`,
  ].join('\n'),
};

const SEVERITY_COLOUR: Record<Severity, Colour> = { minor: 'yellow', major: 'orange', critical: 'red' };

/**
 * The city's alert thresholds on an indicator's city value (city.json `thresholds`: alert below `below`) as
 * colour steps: a value below the lowest bound has that threshold's colour, above the highest it is green.
 * Thresholds on a district's value have no single line to draw on the by-district panel and are left out.
 */
function cityThresholds(
  id: string,
  thresholds: readonly Threshold[],
): Pick<PanelSpec, 'base' | 'thresholds'> {
  const mine = thresholds
    .filter((t) => t.indicator === id && t.scope === CITY_SCOPE)
    .sort((a, b) => a.below - b.below);
  if (mine.length === 0) return {};
  return {
    base: SEVERITY_COLOUR[mine[0].severity],
    thresholds: mine.map((t, i) => ({
      color: i + 1 < mine.length ? SEVERITY_COLOUR[mine[i + 1].severity] : 'green',
      value: t.below,
    })),
  };
}

function target(lang: QueryLanguage, ds: DataSourceRef, query: string) {
  return lang === 'influxql'
    ? { refId: 'A', datasource: ds, query, rawQuery: true as const, resultFormat: 'time_series' as const }
    : { refId: 'A', datasource: ds, query };
}

function panels(
  d: IndicatorDef,
  lang: QueryLanguage,
  ds: DataSourceRef,
  thresholds: readonly Threshold[],
): PanelSpec[] {
  const q = lang === 'influxql' ? influxql : flux;
  const description = `${d.name}: ${describeFormula(d)}.${d.description ? ` ${d.description}` : ''}`;
  return [
    {
      title: `${d.id} ${d.name}`,
      description,
      datasource: ds,
      targets: [target(lang, ds, q.city(d.id))],
      ...unitOf(d),
      ...cityThresholds(d.id, thresholds),
      displayName: 'city',
    },
    {
      title: `${d.id} by district`,
      description: `${description} One line per district chosen above.`,
      datasource: ds,
      targets: [target(lang, ds, q.district(d.id))],
      ...unitOf(d),
      displayName: `\${__field.labels.scope}`,
    },
  ];
}

function variables(lang: QueryLanguage, ds: DataSourceRef): unknown[] {
  const district = {
    name: 'district',
    label: 'District',
    type: 'query',
    datasource: ds,
    query: lang === 'influxql' ? influxql.districts : flux.districts,
    definition: lang === 'influxql' ? influxql.districts : flux.districts,
    refresh: 2,
    multi: true,
    includeAll: true,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
  };
  if (lang === 'influxql') return [district];
  // Flux names its bucket; the provisioned data source's default bucket is not reachable from a query.
  const bucket = {
    name: 'bucket',
    label: 'Bucket',
    type: 'textbox',
    query: 'citygauge',
    current: { selected: false, text: 'citygauge', value: 'citygauge' },
  };
  return [bucket, district];
}

/** `thresholds`: the city's alert thresholds (city.json), drawn on the city panels; none for a generic city. */
export function indicatorDashboard(
  catalogue: readonly IndicatorDef[],
  lang: QueryLanguage,
  thresholds: readonly Threshold[] = [],
): DashboardSpec {
  const ds = lang === 'influxql' ? INFLUXQL : FLUX;
  const rows = new Map<string, RowSpec>();
  for (const d of catalogue) {
    const title = areaOf(d.id);
    const row = rows.get(title) ?? { title, panels: [] };
    row.panels.push(...panels(d, lang, ds, thresholds));
    rows.set(title, row);
  }
  const name = lang === 'influxql' ? 'InfluxQL' : 'Flux';
  return {
    uid: `citygauge-indicators-${lang}`,
    title: `citygauge indicators (${name})`,
    description:
      `The city's live ISO/IEC 30146 indicators from InfluxDB through ${name}, generated from the indicator ` +
      'catalogue by `citygauge dashboards`: do not edit, regenerate.',
    refresh: '1m',
    from: 'now-24h',
    variables: variables(lang, ds),
    rows: [...rows.values()].sort((a, b) => areaOrder(a.title) - areaOrder(b.title)),
  };
}

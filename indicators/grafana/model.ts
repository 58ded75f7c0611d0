// The small part of Grafana's dashboard JSON model (schemaVersion 39) the generated dashboards use: rows of
// time-series panels laid out two to a line, and their data sources. Pure data, no I/O.

/** A data source by the uid deploy/grafana/provisioning/datasources/citygauge.yaml gives it. */
export interface DataSourceRef {
  type: 'influxdb' | 'prometheus';
  uid: string;
}

export const INFLUXQL: DataSourceRef = { type: 'influxdb', uid: 'citygauge-influx-influxql' };
export const FLUX: DataSourceRef = { type: 'influxdb', uid: 'citygauge-influx-flux' };
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'citygauge-prometheus' };

/** A query of a panel, in the shape its data source's editor saves it. */
export type Target =
  | { refId: string; datasource: DataSourceRef; query: string; rawQuery: true; resultFormat: 'time_series' }
  | { refId: string; datasource: DataSourceRef; query: string }
  | { refId: string; datasource: DataSourceRef; expr: string; legendFormat: string; range: true };

export type Colour = 'green' | 'yellow' | 'orange' | 'red';

export interface Threshold {
  color: Colour;
  value: number;
}

export interface PanelSpec {
  title: string;
  description: string;
  datasource: DataSourceRef;
  targets: Target[];
  /** A Grafana unit id (`percent`, `percentunit`, `s`, `bytes`, `reqps`, `suffix: …`). */
  unit: string;
  min?: number;
  max?: number;
  /** Series name, with `${__field.labels.x}` for a label; absent: the data source's own name. */
  displayName?: string;
  /** Where the colour changes (from the alert rules, or the city's thresholds), upwards from `base`. */
  thresholds?: Threshold[];
  /** The colour below the first threshold (default green). */
  base?: Colour;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  refresh: string;
  from: string;
  variables: unknown[];
  rows: RowSpec[];
}

const WIDTH = 12;
const HEIGHT = 8;

function panel(p: PanelSpec, id: number, x: number, y: number) {
  return {
    id,
    type: 'timeseries',
    title: p.title,
    description: p.description,
    gridPos: { h: HEIGHT, w: WIDTH, x, y },
    datasource: p.datasource,
    fieldConfig: {
      defaults: {
        unit: p.unit,
        ...(p.min === undefined ? {} : { min: p.min }),
        ...(p.max === undefined ? {} : { max: p.max }),
        ...(p.displayName === undefined ? {} : { displayName: p.displayName }),
        thresholds: {
          mode: 'absolute',
          steps: [{ color: p.base ?? 'green', value: null }, ...(p.thresholds ?? [])],
        },
        custom: { thresholdsStyle: { mode: p.thresholds?.length ? 'line' : 'off' } },
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    targets: p.targets,
  };
}

/** The dashboard JSON: each row a Grafana row panel, its panels two to a line below it. */
export function dashboard(d: DashboardSpec) {
  const panels: unknown[] = [];
  let id = 1;
  let y = 0;
  for (const row of d.rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    row.panels.forEach((p, i) => {
      panels.push(panel(p, id++, (i % 2) * WIDTH, y + Math.floor(i / 2) * HEIGHT));
    });
    y += Math.ceil(row.panels.length / 2) * HEIGHT;
  }
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['citygauge'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: false,
    graphTooltip: 1,
    refresh: d.refresh,
    time: { from: d.from, to: 'now' },
    templating: { list: d.variables },
    annotations: { list: [] },
    panels,
  };
}

/** A dashboard as the file committed in deploy/grafana/dashboards/ (and the byte-for-byte test) has it. */
export function dashboardText(d: DashboardSpec): string {
  return `${JSON.stringify(dashboard(d), null, 2)}\n`;
}

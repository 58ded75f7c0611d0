// The committed Grafana dashboards (deploy/grafana/dashboards), read as the tests that run their queries
// need them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DASHBOARDS = fileURLToPath(new URL('../../deploy/grafana/dashboards/', import.meta.url));

export interface Panel {
  type: string;
  title: string;
  targets?: { query?: string; expr?: string }[];
}

export interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; query: string }[] };
}

export const readDashboard = (name: string): Dashboard =>
  JSON.parse(readFileSync(`${DASHBOARDS}${name}`, 'utf8'));

/** Each panel with the title of the row above it (Grafana keeps an open row's panels after it, in order). */
export function panelsByRow(panels: Panel[]): { row: string; panel: Panel }[] {
  let row = '';
  return panels.flatMap((panel) => {
    if (panel.type === 'row') {
      row = panel.title;
      return [];
    }
    return [{ row, panel }];
  });
}

/** The PromQL of every time series panel of the health dashboard's row `row`, with `$__rate_interval` set. */
export function healthQueries(
  keep: (row: string) => boolean,
  rateInterval = '5s',
): { title: string; q: string }[] {
  return panelsByRow(readDashboard('citygauge-health.json').panels)
    .filter(({ row, panel }) => keep(row) && panel.type === 'timeseries')
    .flatMap(({ panel: p }) =>
      (p.targets ?? []).map((t) => ({
        title: p.title,
        q: (t.expr ?? '').replaceAll('$__rate_interval', rateInterval),
      })),
    );
}

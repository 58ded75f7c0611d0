// Every generated Grafana dashboard by file name, as committed in deploy/grafana/dashboards/: the two
// indicator dashboards from the catalogue (InfluxQL and Flux) and the health dashboard (PromQL). They live
// beside the catalogue, not in deploy/, because `citygauge dashboards` runs them, in the image too.

import type { Threshold } from '../../registry/inventory.js';
import type { IndicatorDef } from '../definition.js';
import { healthDashboard } from './health-dashboard.js';
import { indicatorDashboard } from './indicator-dashboards.js';
import { dashboardText } from './model.js';

export function dashboardFiles(
  catalogue: readonly IndicatorDef[],
  thresholds: readonly Threshold[] = [],
): Record<string, string> {
  return {
    'citygauge-indicators-influxql.json': dashboardText(
      indicatorDashboard(catalogue, 'influxql', thresholds),
    ),
    'citygauge-indicators-flux.json': dashboardText(indicatorDashboard(catalogue, 'flux', thresholds)),
    'citygauge-health.json': dashboardText(healthDashboard()),
  };
}

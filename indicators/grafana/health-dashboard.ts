// citygauge's own health in Grafana, from Prometheus: a row per area the alert rules watch
// (deploy/prometheus/rules/citygauge.rules.yml), showing the figure each alert reads, with the alert's
// bound as the panel's threshold. Where a recording rule exists the panel reads it, so the graph and the
// alert agree.
import { type DashboardSpec, type PanelSpec, PROMETHEUS, type RowSpec, type Threshold } from './model.js';

/** Every citygauge scrape job: the alert rules' own selector. */
const JOBS = 'job=~"citygauge.*"';

/**
 * A counter with labels has no series until the first event (no refusal, no audit entry yet): 0 for every
 * target that answers instead, so a healthy city draws a flat line rather than "No data".
 */
const orZero = (expr: string, by: string) => `${expr}\nor on (${by}) (max by (${by}) (up{${JOBS}}) * 0)`;

const warn = (value: number): Threshold[] => [{ color: 'orange', value }];

function prom(
  title: string,
  description: string,
  unit: string,
  queries: [expr: string, legend: string][],
  more: Partial<PanelSpec> = {},
): PanelSpec {
  return {
    title,
    description,
    datasource: PROMETHEUS,
    unit,
    targets: queries.map(([expr, legendFormat], i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: PROMETHEUS,
      expr,
      legendFormat,
      range: true as const,
    })),
    ...more,
  };
}

const ROWS: RowSpec[] = [
  {
    title: 'Targets',
    panels: [
      prom(
        'Targets answering /metrics',
        '1 while Prometheus scrapes the process; CitygaugeTargetDown fires after 2 minutes at 0.',
        'short',
        [[`up{${JOBS}}`, '{{job}} {{instance}}']],
        { min: 0, max: 1 },
      ),
      prom(
        'MQTT clients connected',
        'Devices and gateways connected to the embedded broker.',
        'short',
        [['citygauge_broker_connected_clients', '{{instance}}']],
        { min: 0 },
      ),
    ],
  },
  {
    title: 'Ingest',
    panels: [
      prom(
        'Device messages accepted per second',
        'Over 5 minutes. CitygaugeIngestStopped fires when it stays at 0 while devices are registered.',
        'reqps',
        [['citygauge:messages_accepted:rate5m', '{{instance}}']],
        { min: 0 },
      ),
      prom(
        'Device messages refused per second, by reason',
        'Bad payload, unknown device, out of order, … (docs/contract.md §3), over 5 minutes.',
        'reqps',
        [[orZero('citygauge:messages_rejected:rate5m', 'job, instance'), '{{instance}} {{reason}}']],
        { min: 0 },
      ),
      prom(
        'Share of device messages refused',
        'Over 5 minutes; CitygaugeIngestRefusalsHigh fires above 5 %. 0 while no message arrives (not 0/0).',
        'percentunit',
        // `>= 0` drops the NaN of 0/0, which orZero then reads as nothing refused.
        [[orZero('citygauge:messages_rejected:ratio_rate5m >= 0', 'job, instance'), '{{instance}}']],
        { min: 0, thresholds: warn(0.05) },
      ),
      prom(
        'Broker refusals per second, by reason',
        'Connections, publishes and subscriptions refused; CitygaugeBrokerRefusalsHigh fires above 1 a second.',
        'reqps',
        [[orZero('citygauge:broker_refusals:rate5m', 'job, instance'), '{{instance}} {{reason}}']],
        { min: 0, thresholds: warn(1) },
      ),
    ],
  },
  {
    title: 'Engine',
    panels: [
      prom(
        'Evaluation lag',
        'Time the last snapshot took; CitygaugeEngineLagging fires above 0.5 s, CitygaugeEngineBehind above 1 s.',
        's',
        [['citygauge_evaluation_lag_seconds', '{{instance}}']],
        { min: 0, thresholds: [...warn(0.5), { color: 'red', value: 1 }] },
      ),
      prom(
        'Internal errors contained per second, by where',
        'A message or tick skipped and the city went on; CitygaugeInternalErrors fires on any.',
        'reqps',
        [
          [
            orZero(
              `sum by (job, instance, where) (rate(citygauge_internal_errors_total[$__rate_interval]))`,
              'job, instance',
            ),
            '{{instance}} {{where}}',
          ],
        ],
        { min: 0 },
      ),
    ],
  },
  {
    title: 'Devices',
    panels: [
      prom(
        'Devices online, registered and in maintenance, by kind',
        'The city-scope availability indicators: online devices over registered ones, less those in planned maintenance.',
        'short',
        [
          ['sum by (kind) (citygauge_devices_online)', 'online {{kind}}'],
          ['sum by (kind) (citygauge_devices_registered)', 'registered {{kind}}'],
          ['sum by (kind) (citygauge_devices_in_maintenance)', 'in maintenance {{kind}}'],
        ],
        { min: 0 },
      ),
      prom(
        'Share of devices down',
        'By kind (CitygaugeDevicesDown above 25 %) and for the whole city (CitygaugeManyDevicesDown above 50 %).',
        'percentunit',
        [
          ['citygauge:devices_down:ratio_by_kind', '{{instance}} {{kind}}'],
          ['citygauge:devices_down:ratio', '{{instance}} city'],
        ],
        { min: 0, max: 1, thresholds: [...warn(0.25), { color: 'red', value: 0.5 }] },
      ),
    ],
  },
  {
    title: 'History',
    panels: [
      prom(
        'History points written and lost per second',
        'Written to InfluxDB or the embedded store; lost = refused as bad data or dropped from a full spool ' +
          '(CitygaugeHistoryPointsLost fires on any).',
        'reqps',
        [
          ['citygauge:history_points_written:rate5m', 'written {{instance}}'],
          ['citygauge:history_points_lost:rate5m', 'lost {{instance}}'],
        ],
        { min: 0 },
      ),
      prom(
        'History spool waiting for InfluxDB',
        'Bytes on disk while InfluxDB cannot take points; CitygaugeHistorySpoolFilling fires when it heads for 1 GiB.',
        'bytes',
        [['citygauge_history_spool_bytes', '{{instance}}']],
        { min: 0, thresholds: [{ color: 'red', value: 1024 ** 3 }] },
      ),
    ],
  },
  {
    title: 'Audit',
    panels: [
      prom(
        'Audit entries per second, by action',
        'Sign-ins and every change people make, per API process.',
        'reqps',
        [
          [
            orZero(
              'sum by (job, action, outcome) (rate(citygauge_audit_entries_total[$__rate_interval]))',
              'job',
            ),
            '{{job}} {{action}} {{outcome}}',
          ],
        ],
        { min: 0 },
      ),
      prom(
        'Refused sign-ins in 10 minutes',
        'Over every API node of a job; CitygaugeSignInsRefused fires above 20.',
        'short',
        [
          [
            orZero(
              'sum by (job) (increase(citygauge_audit_entries_total{action="signin.refused"}[10m]))',
              'job',
            ),
            '{{job}}',
          ],
        ],
        { min: 0, thresholds: warn(20) },
      ),
    ],
  },
  {
    // Front doors and shards (`--http-port`, jobs citygauge-door and citygauge-shard); empty for one process.
    title: 'Cluster',
    panels: [
      prom(
        'Front doors: device messages forwarded to the log per second',
        'Each front door, over the rate interval.',
        'reqps',
        [
          [
            'sum by (job, instance) (rate(citygauge_door_messages_forwarded_total[$__rate_interval]))',
            '{{instance}}',
          ],
        ],
        { min: 0 },
      ),
      prom(
        'Front doors: appends the log did not take per second',
        'QoS 1 resent by the device, QoS 0 and Wills lost; CitygaugeDoorLogAppendsFailing fires on any for 5 minutes.',
        'reqps',
        [
          [
            'citygauge:door_log_append_failures:rate5m\n' +
              'or on (job, instance) (max by (job, instance) (up{job="citygauge-door"}) * 0)',
            '{{instance}}',
          ],
          ['citygauge_door_appends_pending', 'waiting {{instance}}'],
        ],
        { min: 0 },
      ),
      prom(
        'Shards: records applied per second',
        'Device messages and ticks each shard applied from the log.',
        'reqps',
        [
          [
            'sum by (job, instance) (rate(citygauge_shard_records_applied_total[$__rate_interval]))',
            '{{instance}}',
          ],
        ],
        { min: 0 },
      ),
      prom(
        'Shards: lag behind the log, by partition',
        'Age of the last record a partition applied (ticks come every 0.5 s); CitygaugeShardBehind fires above 30 s.',
        's',
        [['citygauge_shard_partition_lag_seconds', '{{instance}} p{{partition}}']],
        { min: 0, thresholds: warn(30) },
      ),
      prom(
        'Shards: partitions owned',
        'Partitions each shard holds the lease of; the sum is the number of partitions when all are served.',
        'short',
        [['citygauge_shard_partitions_owned', '{{instance}}']],
        { min: 0 },
      ),
    ],
  },
  {
    title: 'Process',
    panels: [
      prom('CPU', 'Cores used by each process.', 'short', [
        [`rate(process_cpu_seconds_total{${JOBS}}[$__rate_interval])`, '{{instance}}'],
      ]),
      prom('Memory', 'Resident set size and the V8 heap in use.', 'bytes', [
        [`process_resident_memory_bytes{${JOBS}}`, 'rss {{instance}}'],
        [`nodejs_heap_size_used_bytes{${JOBS}}`, 'heap {{instance}}'],
      ]),
      prom(
        'Event loop lag (p99)',
        'How long a ready callback waits: above 0.1 s the process is short of CPU.',
        's',
        [[`nodejs_eventloop_lag_p99_seconds{${JOBS}}`, '{{instance}}']],
      ),
      prom('Open file descriptors', 'Sockets and files held, against the limit.', 'short', [
        [`process_open_fds{${JOBS}}`, 'open {{instance}}'],
        [`process_max_fds{${JOBS}}`, 'limit {{instance}}'],
      ]),
    ],
  },
];

export function healthDashboard(): DashboardSpec {
  return {
    uid: 'citygauge-health',
    title: 'citygauge health',
    description:
      "citygauge's own health from its /metrics, scraped by Prometheus with deploy/prometheus/rules loaded. " +
      'Generated by `citygauge dashboards`: do not edit, regenerate.',
    refresh: '30s',
    from: 'now-6h',
    variables: [],
    rows: ROWS,
  };
}

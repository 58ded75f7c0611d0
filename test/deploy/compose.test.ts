// deploy/compose/{single,cluster}.yaml pass Debian's docker-compose (`config -q`), and what `docker-compose config`
// makes of them is what they promise: the services, their images and command lines (each one our own CLI
// accepts, the cluster's as deploy/local/topology.ts builds them), health checks, volumes for state, ports, and
// secrets only from env files. No image can be pulled or built here, so nothing is started.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { nodeCommands, topologyAt } from '../../deploy/local/topology.js';
import { CONTAINER_PORTS, containerArgs, ROOT, runTool, unknownFlags } from './tools.js';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string | string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  ports?: { published: number; target: number }[];
  volumes?: string[];
  read_only?: boolean;
  tmpfs?: string[];
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const INSTALL = "install Debian's docker-compose (apt-get install docker-compose; .ci/run does it)";
// The placeholders stand in for the operator's deploy/compose/secrets/ (which is not in the repository).
const ENV = { CITYGAUGE_SECRETS: './secrets.example' };
const file = (name: string) => join('deploy', 'compose', name);
const config = (name: string): Compose => {
  runTool('docker-compose', ['-f', file(name), 'config', '-q'], INSTALL, ENV);
  return parse(runTool('docker-compose', ['-f', file(name), 'config'], INSTALL, ENV)) as Compose;
};
const raw = (name: string) => parse(readFileSync(join(ROOT, file(name)), 'utf8'), { merge: true }) as Compose;

const HTTP_HEALTH = "fetch('http://127.0.0.1:8080/healthz')";
const isCitygauge = (s: Service) => s.image === 'citygauge:latest';
const argv = (s: Service) => {
  expect(s.command?.slice(0, 2)).toEqual(['node', 'dist/cli/main.js']);
  return s.command!.slice(2);
};
const flag = (args: string[], name: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
/** Named volumes mounted by a service, target → volume. */
const namedVolumes = (c: Compose, s: Service) =>
  Object.fromEntries(
    (s.volumes ?? [])
      .map((v) => v.split(':'))
      .filter(([source]) => Object.hasOwn(c.volumes ?? {}, source))
      .map(([source, target]) => [target, source]),
  );

/** What both files promise of every citygauge service and of the secrets. */
function checkShared(name: string, c: Compose): void {
  const citygauge = Object.entries(c.services).filter(([, s]) => isCitygauge(s));
  expect(citygauge.length).toBeGreaterThan(0);
  for (const [id, s] of citygauge) {
    expect(s.build?.dockerfile, id).toBe('deploy/Dockerfile');
    expect(s.build?.context, id).toBe(ROOT);
    // The image's promise: a read-only root, writes to /data or /tmp only.
    expect(s.read_only, id).toBe(true);
    expect(s.tmpfs, id).toContain('/tmp');
    // Every command line parses with our own CLI.
    expect(unknownFlags(argv(s)), `${id}: ${s.command?.join(' ')}`).toEqual([]);
  }
  // Secrets reach the containers from env files only: none is written in the compose file itself.
  for (const [id, s] of Object.entries(raw(name).services)) {
    for (const key of Object.keys(s.environment ?? {}))
      expect(key, `${id} sets ${key} in ${name}`).not.toMatch(/TOKEN|PASSWORD|SECRET/);
    for (const arg of s.command ?? [])
      expect(arg, `${id}: a password on its command line`).not.toMatch(/:[^/@]+@/);
  }
  expect(
    c.services.citygauge?.environment?.CITYGAUGE_ADMIN_TOKEN ??
      c.services['api-1']?.environment?.CITYGAUGE_ADMIN_TOKEN,
  ).toMatch(/^CHANGE_ME/);
  // Every service says how it restarts (the import job runs once).
  for (const [id, s] of Object.entries(c.services)) expect(s.restart, id).toMatch(/^(unless-stopped|no)$/);
  // InfluxDB 2.7 set up with the org and bucket citygauge writes to (v2 write path), Grafana on its data.
  const influx = c.services.influxdb;
  expect(influx.image).toBe('influxdb:2.7');
  expect(influx.environment?.DOCKER_INFLUXDB_INIT_MODE).toBe('setup');
  expect(namedVolumes(c, influx)['/var/lib/influxdb2']).toBeDefined();
  expect(influx.healthcheck?.test).toEqual(expect.arrayContaining(['influx', 'ping']));
  const writers = citygauge.filter(([, s]) => argv(s).includes('--influx-url'));
  expect(writers.length).toBeGreaterThan(0);
  for (const [id, s] of writers) {
    const args = argv(s);
    expect(flag(args, '--influx-url'), id).toBe('http://influxdb:8086');
    expect(flag(args, '--influx-org'), id).toBe(influx.environment?.DOCKER_INFLUXDB_INIT_ORG);
    expect(flag(args, '--influx-bucket'), id).toBe(influx.environment?.DOCKER_INFLUXDB_INIT_BUCKET);
    expect(s.environment?.CITYGAUGE_INFLUX_TOKEN, id).toBe(
      influx.environment?.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN,
    );
  }
  checkGrafana(c);
}

/** Grafana's provisioning: data sources with the uids the dashboards name, dashboards from deploy/grafana/dashboards. */
function checkGrafana(c: Compose): void {
  const g = c.services.grafana;
  expect(g.image).toMatch(/^grafana\/grafana:/);
  expect(g.healthcheck?.test?.join(' ')).toContain('/api/health');
  const mounts = Object.fromEntries((g.volumes ?? []).map((v) => v.split(':')).map(([s, t]) => [t, s]));
  expect(mounts['/etc/grafana/provisioning']).toBe(join(ROOT, 'deploy', 'grafana', 'provisioning'));
  const provider = parse(
    readFileSync(join(ROOT, 'deploy', 'grafana', 'provisioning', 'dashboards', 'citygauge.yaml'), 'utf8'),
  ) as { providers: { options: { path: string } }[] };
  expect(mounts[provider.providers[0].options.path]).toBe(join(ROOT, 'deploy', 'grafana', 'dashboards'));
  const sources = parse(
    readFileSync(join(ROOT, 'deploy', 'grafana', 'provisioning', 'datasources', 'citygauge.yaml'), 'utf8'),
  ) as { datasources: { uid: string; url: string; type: string; jsonData?: { version?: string } }[] };
  // Every ${VAR} a data source reads is set in Grafana's environment.
  const text = JSON.stringify(sources);
  for (const [, v] of text.matchAll(/\$([A-Z_]+)/g)) expect(g.environment, `$${v}`).toHaveProperty(v);
  expect(sources.datasources.map((d) => d.jsonData?.version ?? d.type).sort()).toEqual([
    'Flux',
    'InfluxQL',
    'prometheus',
  ]);
  expect(g.environment?.INFLUX_URL).toBe('http://influxdb:8086');
  expect(g.environment?.PROMETHEUS_URL).toBe('http://prometheus:9090');
  const uids = new Set(sources.datasources.map((d) => d.uid));
  const dashboard = JSON.parse(
    readFileSync(join(ROOT, 'deploy', 'grafana', 'dashboards', 'citygauge-health.json'), 'utf8'),
  ) as { panels: { targets?: { datasource: { uid: string } }[] }[] };
  // Row panels carry no queries.
  for (const panel of dashboard.panels)
    for (const t of panel.targets ?? []) expect(uids, t.datasource.uid).toContain(t.datasource.uid);
}

describe('deploy/compose/single.yaml', () => {
  const c = config('single.yaml');

  it('holds citygauge, InfluxDB 2.7, Prometheus and Grafana', () => {
    expect(Object.keys(c.services).sort()).toEqual(['citygauge', 'grafana', 'influxdb', 'prometheus']);
    checkShared('single.yaml', c);
  });

  it('starts one city on every address with its data on a named volume, healthy on /healthz', () => {
    const s = c.services.citygauge;
    const args = argv(s);
    expect(args.slice(0, 5)).toEqual(['start', '--host', '0.0.0.0', '--data-dir', '/data']);
    expect(namedVolumes(c, s)['/data']).toBe('citygauge-data');
    expect(s.healthcheck?.test?.join(' ')).toContain(HTTP_HEALTH);
    expect(s.ports).toEqual(
      expect.arrayContaining([
        { published: 8080, target: 8080 },
        { published: 1883, target: 1883 },
      ]),
    );
    expect(s.depends_on?.influxdb?.condition).toBe('service_healthy');
  });

  it('scrapes the city in Prometheus', () => {
    const p = c.services.prometheus;
    const mounted = (p.volumes ?? [])
      .map((v) => v.split(':'))
      .find(([, t]) => t === '/etc/prometheus/prometheus.yml');
    const scrape = parse(readFileSync(mounted![0], 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    expect(scrape.scrape_configs.flatMap((s) => s.static_configs.flatMap((t) => t.targets))).toEqual([
      'citygauge:8080',
    ]);
  });
});

describe('deploy/compose/cluster.yaml', () => {
  const c = config('cluster.yaml');
  const DB = 'postgres://citygauge@postgres:5432/citygauge';
  const NATS = ['nats-1', 'nats-2', 'nats-3'];

  it('holds the cluster topology, InfluxDB, Prometheus and Grafana', () => {
    expect(Object.keys(c.services).sort()).toEqual(
      [
        ...NATS,
        'postgres',
        'import',
        'door-1',
        'door-2',
        'shard-1',
        'shard-2',
        'api-1',
        'api-2',
        'influxdb',
        'prometheus',
        'grafana',
      ].sort(),
    );
    checkShared('cluster.yaml', c);
  });

  it('runs a 3-node JetStream log, each node on its own volume, routed to the others, healthy on /healthz', () => {
    for (const name of NATS) {
      const s = c.services[name];
      expect(s.image).toMatch(/^nats:2\./);
      const args = s.command!;
      expect(args).toContain('-js');
      expect(flag(args, '--server_name')).toBe(name);
      expect(flag(args, '-sd')).toBe('/data');
      expect(namedVolumes(c, s)['/data']).toBe(`${name}-data`);
      expect(flag(args, '--routes')?.split(',')).toEqual(NATS.map((n) => `nats://${n}:6222`));
      expect(s.healthcheck?.test).toContain('http://127.0.0.1:8222/healthz');
    }
  });

  it('keeps the control plane in PostgreSQL 15 on a volume, its password from the env file', () => {
    const pg = c.services.postgres;
    expect(pg.image).toMatch(/^postgres:15/);
    expect(namedVolumes(c, pg)['/var/lib/postgresql/data']).toBe('postgres-data');
    expect(pg.healthcheck?.test).toContain('pg_isready');
    expect(new URL(DB).username).toBe(pg.environment?.POSTGRES_USER);
    expect(new URL(DB).pathname.slice(1)).toBe(pg.environment?.POSTGRES_DB);
    // The nodes log in with the password PostgreSQL was set up with, from PGPASSWORD (never on a command line).
    for (const [id, s] of Object.entries(c.services).filter(([, s]) => isCitygauge(s)))
      expect(s.environment?.PGPASSWORD, id).toBe(pg.environment?.POSTGRES_PASSWORD);
  });

  it('starts every citygauge node with the command line deploy/local/topology.ts builds for it', () => {
    const topo = topologyAt(20_000, 8, { doors: 2, shards: 2, apis: 2 });
    const shared = [
      '--data-dir',
      '/data',
      '--db',
      DB,
      '--cluster',
      NATS.map((n) => `nats://${n}:4222`).join(','),
      '--partitions',
      String(topo.partitions),
    ];
    for (const node of nodeCommands(topo)) {
      const s = c.services[node.name];
      expect(s, node.name).toBeDefined();
      // What changes in containers: each node listens on every address, on its role's usual port.
      const expected = [...containerArgs(topo, node), ...shared];
      expect(argv(s).slice(0, expected.length), node.name).toEqual(expected);
      // Each node's data dir is its own named volume.
      expect(namedVolumes(c, s)['/data'], node.name).toBe(`${node.name}-data`);
      // Every node waits for the log and the imported registry.
      for (const n of NATS) expect(s.depends_on?.[n]?.condition, node.name).toBe('service_healthy');
      expect(s.depends_on?.import?.condition, node.name).toBe('service_completed_successfully');
    }
    // The first front door issues the service accounts' tokens; the second starts after it (as the launcher does).
    expect(c.services['door-2'].depends_on?.['door-1']?.condition).toBe('service_healthy');
  });

  it('imports the inventory into PostgreSQL before the nodes start', () => {
    const args = argv(c.services.import);
    expect(args.slice(0, 2)).toEqual(['import', 'examples/sample-city']);
    expect(flag(args, '--db')).toBe(DB);
    expect(c.services.import.depends_on?.postgres?.condition).toBe('service_healthy');
  });

  it('checks every node on its /healthz: API nodes on 8080, front doors on 8081, shards on 8082', () => {
    const checks = {
      'api-1': CONTAINER_PORTS.api,
      'api-2': CONTAINER_PORTS.api,
      'door-1': CONTAINER_PORTS.doorHttp,
      'door-2': CONTAINER_PORTS.doorHttp,
      'shard-1': CONTAINER_PORTS.shardHttp,
      'shard-2': CONTAINER_PORTS.shardHttp,
    };
    for (const [name, port] of Object.entries(checks)) {
      const s = c.services[name];
      expect(s.healthcheck?.test?.join(' '), name).toContain(`fetch('http://127.0.0.1:${port}/healthz')`);
      // The port it checks is the one the node serves.
      expect(flag(argv(s), '--http-port'), name).toBe(String(port));
    }
  });

  it('has Prometheus scrape every API node, front door and shard on the port it serves /metrics on', () => {
    const prom = parse(readFileSync(join(ROOT, file('prometheus/cluster.yml')), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = Object.fromEntries(
      prom.scrape_configs.map((j) => [j.job_name, j.static_configs.flatMap((s) => s.targets)]),
    );
    expect(targets).toEqual({
      'citygauge-api': ['api-1:8080', 'api-2:8080'],
      'citygauge-door': ['door-1:8081', 'door-2:8081'],
      'citygauge-shard': ['shard-1:8082', 'shard-2:8082'],
    });
    for (const list of Object.values(targets))
      for (const t of list) {
        const [service, port] = t.split(':');
        expect(flag(argv(c.services[service]), '--http-port'), t).toBe(port);
      }
  });

  it('publishes MQTT on the front doors and HTTP on the API nodes only', () => {
    const published = Object.fromEntries(
      Object.entries(c.services)
        .filter(([, s]) => s.ports?.length)
        .map(([id, s]) => [id, s.ports!.map((p) => `${p.published}:${p.target}`)]),
    );
    expect(published).toEqual({
      'door-1': ['1883:1883'],
      'door-2': ['1884:1883'],
      'api-1': ['8080:8080'],
      'api-2': ['8081:8080'],
      grafana: ['3000:3000'],
    });
  });
});

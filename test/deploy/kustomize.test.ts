// deploy/k8s renders with kubectl's kustomize for every overlay, and what it renders is what the overlay promises:
// the image the Dockerfile builds, run as its non-root user on a read-only root, probes on /healthz at the port
// the command line listens on, state on volumes, budgets for disruptions, and a NetworkPolicy that lets in from
// outside only MQTT on the front doors and HTTP on the API. No cluster is reachable here, so nothing is applied.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { nodeCommands, topologyAt } from '../../deploy/local/topology.js';
import { parseDockerfile } from './dockerfile.js';
import { CONTAINER_PORTS, containerArgs, ROOT, runTool, unknownFlags } from './tools.js';

interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
  exec?: { command: string[] };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: {
    name: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string };
      configMapKeyRef?: { name: string; key: string };
    };
  }[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
    containers: Container[];
    volumes?: { name: string; emptyDir?: unknown; configMap?: unknown }[];
  };
}
interface Resource {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    serviceName?: string;
    template?: PodTemplate;
    volumeClaimTemplates?: { metadata: { name: string } }[];
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    podSelector?: { matchLabels?: Record<string, string> };
    policyTypes?: string[];
    ingress?: { from?: Record<string, unknown>[]; ports?: { port: number }[] }[];
    maxUnavailable?: number;
    minAvailable?: number;
    clusterIP?: string;
    ports?: { name?: string; port: number; targetPort?: string | number }[];
  };
}

const INSTALL =
  "kubectl with kustomize 5 is on the machine image (Debian's older kubernetes-client conflicts with it)";
const render = (overlay: string): Resource[] =>
  parseAllDocuments(
    runTool('kubectl', ['kustomize', join('deploy', 'k8s', 'overlays', overlay)], INSTALL),
  ).map((d) => d.toJS() as Resource);

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'deploy', 'Dockerfile'), 'utf8'));
const imageUid = Number(
  dockerfile
    .at(-1)!
    .instructions.filter((i) => i.op === 'USER')
    .at(-1)!
    .args.split(':')[0],
);

const workloads = (all: Resource[]) =>
  all.filter((r) => ['Deployment', 'StatefulSet', 'Job'].includes(r.kind)) as (Resource & {
    spec: { template: PodTemplate };
  })[];
const named = (all: Resource[], kind: string, name: string) => {
  const r = all.find((x) => x.kind === kind && x.metadata.name === name);
  expect(r, `${kind}/${name}`).toBeDefined();
  return r as Resource & { spec: NonNullable<Resource['spec']> };
};
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);
const portOf = (c: Container, port: string | number | undefined) =>
  typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
const flag = (args: string[], name: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
const citygaugeArgs = (c: Container) => {
  expect(c.command).toEqual(['node', 'dist/cli/main.js']);
  return c.args!;
};

/** The promises every overlay keeps; `secrets` are the keys its Secret holds. */
function checkShared(all: Resource[], secrets: string[]): void {
  const secret = named(all, 'Secret', 'citygauge-secrets');
  expect(Object.keys(secret.data ?? {}).sort()).toEqual(secrets);
  const deny = named(all, 'NetworkPolicy', 'citygauge-default-deny-ingress');
  expect(deny.spec.podSelector).toEqual({});
  expect(deny.spec.policyTypes).toEqual(['Ingress']);
  expect(deny.spec.ingress).toBeUndefined();

  for (const w of workloads(all)) {
    const pod = w.spec.template.spec;
    const id = `${w.kind}/${w.metadata.name}`;
    expect(pod.securityContext?.runAsNonRoot, id).toBe(true);
    expect(pod.securityContext?.runAsUser, id).toBeGreaterThan(0);
    for (const c of pod.containers) {
      expect(c.securityContext?.readOnlyRootFilesystem, `${id} ${c.name}`).toBe(true);
      expect(c.securityContext?.allowPrivilegeEscalation, `${id} ${c.name}`).toBe(false);
      expect(c.securityContext?.capabilities?.drop, `${id} ${c.name}`).toEqual(['ALL']);
      expect(c.resources?.requests?.cpu, `${id} ${c.name}`).toBeDefined();
      expect(c.resources?.requests?.memory, `${id} ${c.name}`).toBeDefined();
      expect(c.resources?.limits?.memory, `${id} ${c.name}`).toBeDefined();
      // Every secret a container reads is in the Secret the overlay renders.
      for (const e of c.env ?? [])
        if (e.valueFrom?.secretKeyRef)
          expect(secret.data, `${id} ${e.name}`).toHaveProperty(e.valueFrom.secretKeyRef.key);
        else if (e.valueFrom?.configMapKeyRef)
          expect(
            named(all, 'ConfigMap', e.valueFrom.configMapKeyRef.name).data,
            `${id} ${e.name}`,
          ).toHaveProperty(e.valueFrom.configMapKeyRef.key);
      // Every mount is a volume of the pod or a claim of the StatefulSet.
      const volumes = [
        ...(pod.volumes ?? []).map((v) => v.name),
        ...(w.spec.volumeClaimTemplates ?? []).map((v) => v.metadata.name),
      ];
      for (const m of c.volumeMounts ?? []) expect(volumes, `${id} mounts ${m.name}`).toContain(m.name);
      if (!c.image.startsWith('citygauge')) continue;
      // The image deploy/Dockerfile builds, at the package's version, run as the image's own user.
      expect(c.image, id).toBe(`citygauge:${version}`);
      expect(pod.securityContext?.runAsUser, id).toBe(imageUid);
      // The read-only root's writable places (deploy/Dockerfile).
      expect((c.volumeMounts ?? []).map((m) => m.mountPath).sort(), id).toEqual(['/data', '/tmp']);
      // The command line parses with our CLI; every $(VAR) it names is in its environment.
      const args = citygaugeArgs(c);
      expect(unknownFlags(args), `${id}: ${args.join(' ')}`).toEqual([]);
      for (const [, v] of args.join(' ').matchAll(/\$\(([A-Z_]+)\)/g))
        expect(
          (c.env ?? []).map((e) => e.name),
          `${id} $(${v})`,
        ).toContain(v);
      // Whatever serves HTTP is probed on /healthz at the port it listens on.
      if (c.ports?.some((p) => p.name === 'http')) {
        const listens = Number(flag(args, '--http-port') ?? 8080);
        expect(portOf(c, 'http'), id).toBe(listens);
        expect(flag(args, '--host'), id).toBe('0.0.0.0');
        for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
          expect(probe?.httpGet?.path, id).toBe('/healthz');
          expect(portOf(c, probe?.httpGet?.port), id).toBe(listens);
        }
        // A Prometheus that discovers pods by annotation scrapes /metrics on that same port.
        const annotations = w.spec.template.metadata.annotations ?? {};
        if (annotations['prometheus.io/scrape']) {
          expect(annotations['prometheus.io/port'], id).toBe(String(listens));
          expect(annotations['prometheus.io/path'], id).toBe('/metrics');
        }
      }
    }
  }
  // Every Service reaches pods that exist, on ports they name.
  for (const s of all.filter((r) => r.kind === 'Service')) {
    const pods = workloads(all).filter((w) =>
      selects(s.spec?.selector as Record<string, string>, w.spec.template.metadata.labels),
    );
    expect(pods.length, `Service/${s.metadata.name} selects no pod`).toBeGreaterThan(0);
    for (const p of s.spec?.ports ?? [])
      if (typeof p.targetPort === 'string')
        expect(
          pods.some((w) =>
            w.spec.template.spec.containers.some((c) => portOf(c, p.targetPort) !== undefined),
          ),
          `Service/${s.metadata.name} port ${p.targetPort}`,
        ).toBe(true);
  }
}

/** (component label, port) pairs that any client may reach, by the overlay's NetworkPolicies. */
function openToAll(all: Resource[]): string[] {
  return all
    .filter((r) => r.kind === 'NetworkPolicy')
    .flatMap((p) =>
      (p.spec?.ingress ?? [])
        .filter((rule) => rule.from === undefined)
        .flatMap((rule) =>
          (rule.ports ?? []).map(
            (port) => `${p.spec?.podSelector?.matchLabels?.['app.kubernetes.io/component']}:${port.port}`,
          ),
        ),
    )
    .sort();
}

describe('deploy/k8s', () => {
  it('has exactly the overlays single and cluster', () => {
    expect(readdirSync(join(ROOT, 'deploy', 'k8s', 'overlays')).sort()).toEqual(['cluster', 'single']);
  });
});

describe('deploy/k8s/overlays/single', () => {
  const all = render('single');

  it('keeps the shared promises: image, non-root, read-only root, resources, secrets, probes', () => {
    checkShared(all, ['CITYGAUGE_ADMIN_TOKEN', 'PGPASSWORD']);
  });

  it('runs one city as a StatefulSet with its data dir on a claim of its own', () => {
    const city = named(all, 'StatefulSet', 'citygauge');
    expect(city.spec.replicas).toBe(1);
    const c = city.spec.template!.spec.containers[0];
    expect(citygaugeArgs(c)).toEqual(['start', '--host', '0.0.0.0', '--data-dir', '/data']);
    expect(city.spec.volumeClaimTemplates?.map((v) => v.metadata.name)).toEqual(['data']);
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(c.ports?.map((p) => p.containerPort).sort()).toEqual([1883, 8080]);
    for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
      expect(probe?.httpGet?.path).toBe('/healthz');
      expect(portOf(c, probe?.httpGet?.port)).toBe(8080);
    }
    // Its governing Service exists and is headless.
    expect(named(all, 'Service', city.spec.serviceName!).spec.clusterIP).toBe('None');
    // One replica: a budget would block every drain or allow everything (docs/deploy/kubernetes.md).
    expect(all.filter((r) => r.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  it('lets in from outside only MQTT and HTTP of the city', () => {
    expect(openToAll(all)).toEqual(['single:1883', 'single:8080']);
    expect(named(all, 'Service', 'citygauge-mqtt').spec.ports?.[0].port).toBe(1883);
  });
});

describe('deploy/k8s/overlays/cluster', () => {
  const all = render('cluster');
  const DB = 'postgres://citygauge@postgres:5432/citygauge';

  it('keeps the shared promises: image, non-root, read-only root, resources, secrets, probes', () => {
    checkShared(all, ['CITYGAUGE_ADMIN_TOKEN', 'CITYGAUGE_INFLUX_TOKEN', 'PGPASSWORD']);
  });

  it('keeps the log in a 3-node NATS StatefulSet, each on its own claim, probed on /healthz', () => {
    const nats = named(all, 'StatefulSet', 'nats');
    expect(nats.spec.replicas).toBe(3);
    expect(nats.spec.volumeClaimTemplates?.map((v) => v.metadata.name)).toEqual(['data']);
    const c = nats.spec.template!.spec.containers[0];
    expect(c.image).toMatch(/^nats:2\./);
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
      expect(probe?.httpGet?.path).toMatch(/^\/healthz/);
      expect(portOf(c, probe?.httpGet?.port)).toBe(8222);
    }
    const conf = named(all, 'ConfigMap', 'nats-config').data?.['nats.conf'] ?? '';
    expect(conf).toMatch(/store_dir: \/data/);
    const routes = [...conf.matchAll(/nats:\/\/(\S+):6222/g)].map((m) => m[1]);
    expect(routes).toEqual([0, 1, 2].map((i) => `nats-${i}.${nats.spec.serviceName}`));
    const headless = named(all, 'Service', nats.spec.serviceName!);
    expect(headless.spec.clusterIP).toBe('None');
  });

  it('keeps the control plane in a PostgreSQL 15 StatefulSet on its own claim, password from the Secret', () => {
    const pg = named(all, 'StatefulSet', 'postgres');
    const c = pg.spec.template!.spec.containers[0];
    expect(c.image).toMatch(/^postgres:15/);
    expect(pg.spec.volumeClaimTemplates?.map((v) => v.metadata.name)).toEqual(['data']);
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data' });
    expect(c.env?.find((e) => e.name === 'POSTGRES_PASSWORD')?.valueFrom?.secretKeyRef?.key).toBe(
      'PGPASSWORD',
    );
    const url = new URL(DB);
    expect(c.env?.find((e) => e.name === 'POSTGRES_USER')).toMatchObject({ value: url.username });
    expect(named(all, 'Service', url.hostname).spec.ports?.[0].port).toBe(Number(url.port));
  });

  it('runs front doors, shards and API nodes as Deployments with the command lines topology.ts builds', () => {
    const topo = topologyAt(20_000, 8, { doors: 2, shards: 2, apis: 2 });
    const nats = named(all, 'StatefulSet', 'nats');
    const shared = [
      '--data-dir',
      '/data',
      '--db',
      DB,
      '--cluster',
      [0, 1, 2].map((i) => `nats://nats-${i}.${nats.spec.serviceName}:4222`).join(','),
      '--partitions',
      String(topo.partitions),
    ];
    // The API leader writes history to InfluxDB, named by the ConfigMap citygauge-history.
    const history = [
      '--influx-url',
      '$(CITYGAUGE_INFLUX_URL)',
      '--influx-org',
      '$(CITYGAUGE_INFLUX_ORG)',
      '--influx-bucket',
      '$(CITYGAUGE_INFLUX_BUCKET)',
    ];
    const byRole = { door: 'citygauge-front-door', shard: 'citygauge-shard', api: 'citygauge-api' };
    for (const role of ['door', 'shard', 'api'] as const) {
      const node = nodeCommands(topo).find((n) => n.role === role)!;
      const d = named(all, 'Deployment', byRole[role]);
      expect(d.spec.replicas, role).toBe(2);
      const expected = [
        ...containerArgs(topo, node, { nodeId: '$(POD_NAME)' }),
        ...shared,
        ...(role === 'api' ? history : []),
      ];
      expect(citygaugeArgs(d.spec.template!.spec.containers[0]), role).toEqual(expected);
    }
  });

  it('probes every node on its /healthz and has Prometheus scrape its /metrics there', () => {
    const ports = {
      'citygauge-front-door': CONTAINER_PORTS.doorHttp,
      'citygauge-shard': CONTAINER_PORTS.shardHttp,
      'citygauge-api': CONTAINER_PORTS.api,
    };
    for (const [name, port] of Object.entries(ports)) {
      const pod = named(all, 'Deployment', name).spec.template!;
      const c = pod.spec.containers[0];
      expect(portOf(c, 'http'), name).toBe(port);
      for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
        expect(probe?.httpGet?.path, name).toBe('/healthz');
        expect(portOf(c, probe?.httpGet?.port), name).toBe(port);
      }
      expect(pod.metadata.annotations?.['prometheus.io/scrape'], name).toBe('true');
      expect(pod.metadata.annotations?.['prometheus.io/port'], name).toBe(String(port));
    }
  });

  it('hands the API nodes InfluxDB from a ConfigMap and its token from the Secret', () => {
    const history = named(all, 'ConfigMap', 'citygauge-history').data ?? {};
    expect(new URL(history.CITYGAUGE_INFLUX_URL).protocol).toBe('http:');
    expect(history.CITYGAUGE_INFLUX_ORG).toBeTruthy();
    expect(history.CITYGAUGE_INFLUX_BUCKET).toBeTruthy();
    const c = named(all, 'Deployment', 'citygauge-api').spec.template!.spec.containers[0];
    expect(c.env?.find((e) => e.name === 'CITYGAUGE_INFLUX_TOKEN')?.valueFrom?.secretKeyRef).toEqual({
      name: 'citygauge-secrets',
      key: 'CITYGAUGE_INFLUX_TOKEN',
    });
  });

  it('imports the inventory into PostgreSQL with a Job', () => {
    const job = named(all, 'Job', 'citygauge-import');
    const args = citygaugeArgs(job.spec.template!.spec.containers[0]);
    expect(args.slice(0, 2)).toEqual(['import', 'examples/sample-city']);
    expect(flag(args, '--db')).toBe(DB);
  });

  it('budgets disruptions: at most one NATS node, one door, one shard, one API node at a time', () => {
    const pdbs = all.filter((r) => r.kind === 'PodDisruptionBudget');
    const covered = (name: string) =>
      pdbs.find((p) =>
        selects(
          p.spec?.selector?.matchLabels,
          named(all, name === 'nats' ? 'StatefulSet' : 'Deployment', name).spec.template!.metadata.labels,
        ),
      );
    for (const name of ['nats', 'citygauge-front-door', 'citygauge-shard', 'citygauge-api']) {
      const pdb = covered(name);
      expect(pdb, `no PodDisruptionBudget for ${name}`).toBeDefined();
      const replicas = named(all, name === 'nats' ? 'StatefulSet' : 'Deployment', name).spec.replicas!;
      const mayLose = pdb!.spec!.maxUnavailable ?? replicas - pdb!.spec!.minAvailable!;
      expect(mayLose, name).toBe(1);
    }
  });

  it('lets in from outside only the front doors MQTT and the API nodes HTTP; NATS and PostgreSQL only from citygauge', () => {
    expect(openToAll(all)).toEqual(['api:8080', 'front-door:1883']);
    // The doors' and shards' /metrics: from any pod of the cluster (Prometheus), not from outside it.
    for (const [name, port] of [
      ['citygauge-front-door-ingress', CONTAINER_PORTS.doorHttp],
      ['citygauge-shard-ingress', CONTAINER_PORTS.shardHttp],
    ] as const) {
      const rule = named(all, 'NetworkPolicy', name).spec.ingress?.find((r) =>
        r.ports?.some((p) => p.port === port),
      );
      expect(rule?.from, name).toEqual([{ namespaceSelector: {} }]);
    }
    for (const [name, port] of [
      ['nats-ingress', 4222],
      ['postgres-ingress', 5432],
    ] as const) {
      const rules = named(all, 'NetworkPolicy', name).spec.ingress ?? [];
      const rule = rules.find((r) => r.ports?.some((p) => p.port === port));
      expect(rule?.from, name).toEqual([
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'citygauge' } } },
      ]);
    }
    expect(named(all, 'Service', 'citygauge-mqtt').spec.ports?.[0].port).toBe(1883);
    expect(named(all, 'Service', 'citygauge-api').spec.ports?.[0].port).toBe(8080);
  });
});

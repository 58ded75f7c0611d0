// `npm run bench:incidents`: the incident grouper (engine/incidents/grouper.ts) through the outage it exists
// for, a district power cut: every device of a district goes down a millisecond apart (one district incident
// that grows), then comes back one by one (it recovers, then resolves after the hold). The figure is the cost
// of one transition in a large district ÷ the same in a small one, from the same run: about 1 when each
// transition costs the same however large the incident, N_large ÷ N_small when each one walks the incident.
// Also on a generated metro's real districts, so the figure holds beyond one synthetic district.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IncidentGrouper } from '../../engine/incidents/grouper.js';
import { DEFAULT_INCIDENT_RULE, type IncidentTopology } from '../../engine/incidents/incident.js';
import { buildAreas, buildPipeSegments, buildSites } from '../../examples/city/assets.js';
import { buildDevices } from '../../examples/city/devices.js';
import { cityShape } from '../../examples/generate-city.js';
import { Prng } from '../../examples/prng.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = join(here, '..', '..', '..', 'bench', 'out');
const SMALL = Number(process.env.BENCH_INCIDENTS_SMALL ?? 2_000);
const LARGE = Number(process.env.BENCH_INCIDENTS_LARGE ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** Devices by district, as a topology the grouper reads. */
function topologyOf(byDistrict: Map<string, string[]>): IncidentTopology {
  const district = new Map<string, string>();
  for (const [d, ids] of byDistrict) for (const id of ids) district.set(id, d);
  return {
    gatewayOf: () => undefined,
    isGateway: () => false,
    districtOf: (id) => district.get(id) ?? null,
    districtSize: (d) => byDistrict.get(d)?.length ?? 0,
  };
}

export interface OutageRun {
  devices: number;
  transitions: number;
  ms: number;
  /** Microseconds per transition (down or up). */
  usPerTransition: number;
  incidents: number;
  /** Incidents not resolved at the end (0: the hold passed after every device came back). */
  openAfter: number;
}

/** Every device of `devices` down 1 ms apart, then up 1 ms apart, then the hold passes. */
export function powerCut(byDistrict: Map<string, string[]>, devices: string[]): OutageRun {
  const grouper = new IncidentGrouper(topologyOf(byDistrict), DEFAULT_INCIDENT_RULE);
  const t0 = Date.UTC(2026, 0, 5, 8);
  const began = performance.now();
  let t = t0;
  for (const id of devices) grouper.onDown(id, t++);
  for (const id of devices) grouper.onUp(id, t++);
  grouper.advance(t + DEFAULT_INCIDENT_RULE.holdMs);
  const ms = performance.now() - began;
  const events = grouper.takeEvents();
  return {
    devices: devices.length,
    transitions: 2 * devices.length,
    ms,
    usPerTransition: (ms * 1000) / (2 * devices.length),
    incidents: new Set(events.map((e) => e.incident.id)).size,
    openAfter: grouper.open().length,
  };
}

const synthetic = (n: number) => {
  const ids = Array.from({ length: n }, (_, i) => `dev-${i}`);
  return { byDistrict: new Map([['east', ids]]), ids };
};

export interface IncidentsBench {
  small: OutageRun;
  large: OutageRun;
  /** large ÷ small per transition, the median of back-to-back pairs. */
  ratio: number;
  metro: { district: string; devices: number; run: OutageRun; ratio: number };
}

export function runIncidentsBench(small = SMALL, large = LARGE, runs = RUNS): IncidentsBench {
  const s = synthetic(small);
  const l = synthetic(large);
  powerCut(s.byDistrict, s.ids); // warm-up
  const pairs = Array.from({ length: runs }, () => {
    const a = powerCut(s.byDistrict, s.ids);
    const b = powerCut(l.byDistrict, l.ids);
    return { a, b, ratio: b.usPerTransition / a.usPerTransition };
  });
  const mid = pairs.sort((x, y) => x.ratio - y.ratio)[Math.floor(pairs.length / 2)];

  // A generated metro's largest district, against the small synthetic district of the same run.
  const shape = cityShape('metro', large * 4);
  const rng = new Prng(2026);
  const made = buildDevices(
    rng.fork('devices'),
    buildAreas(rng.fork('areas'), shape),
    buildPipeSegments(rng.fork('pipes'), shape),
    buildSites(rng.fork('sites'), shape),
    shape,
  );
  const byDistrict = new Map<string, string[]>();
  for (const d of made) {
    const list = byDistrict.get(d.district) ?? [];
    list.push(d.id);
    byDistrict.set(d.district, list);
  }
  const [district, ids] = [...byDistrict].sort((x, y) => y[1].length - x[1].length)[0];
  const metroRuns = Array.from({ length: runs }, () => {
    const a = powerCut(s.byDistrict, s.ids);
    const b = powerCut(byDistrict, ids);
    return { b, ratio: b.usPerTransition / a.usPerTransition };
  }).sort((x, y) => x.ratio - y.ratio);
  const metroMid = metroRuns[Math.floor(metroRuns.length / 2)];
  return {
    small: mid.a,
    large: mid.b,
    ratio: mid.ratio,
    metro: { district, devices: ids.length, run: metroMid.b, ratio: metroMid.ratio },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = runIncidentsBench();
  const line = (x: OutageRun) =>
    `${x.devices.toLocaleString('en')} devices: ${x.transitions.toLocaleString('en')} transitions in ${x.ms.toFixed(0)} ms, ${x.usPerTransition.toFixed(2)} µs each, ${x.incidents} incident(s)`;
  process.stdout.write(
    [
      'bench:incidents, a district power cut: every device down 1 ms apart, then back one by one',
      `  small district   ${line(r.small)}`,
      `  large district   ${line(r.large)}`,
      `  per transition, large ÷ small: ${r.ratio.toFixed(2)} (1 = the same however large; ${(LARGE / SMALL).toFixed(0)} = linear in the incident)`,
      `  metro district ${r.metro.district}  ${line(r.metro.run)}; ÷ small ${r.metro.ratio.toFixed(2)}`,
      '',
    ].join('\n'),
  );
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `incidents-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, ...r }, null, 2)}\n`,
  );
  process.stdout.write(`written to ${file}\n`);
}

// The publishing processes (fleet.ts) from the bench's side: start them connected, read their PUBACK counts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JsonChild, startJsonChild } from './procs.js';
import { fmt, here, say } from './settings.js';
import type { FleetShare } from './traffic.js';

/** The publishing processes, connected (not yet publishing). */
export async function startFleet(
  work: string,
  label: string,
  shares: FleetShare[],
  urls: string[],
): Promise<JsonChild[]> {
  const fleet = shares.map((share, i) => {
    const plan = join(work, `${label}-fleet-${i}.json`);
    writeFileSync(plan, JSON.stringify(share));
    return startJsonChild(`publisher ${i + 1}`, join(here, 'fleet.js'), [plan, urls.join(',')]);
  });
  const devices = shares.reduce((n, s) => n + s.devices.length, 0);
  const began = Date.now();
  const ticker = setInterval(
    () =>
      say(`  ${label}: connecting ${fmt(devices)} devices ... ${Math.round((Date.now() - began) / 1000)} s`),
    5000,
  );
  try {
    const connected = await Promise.all(fleet.map((f) => f.next('connected', 600_000)));
    const failed = connected.reduce((n, c) => n + Number(c.failed), 0);
    if (failed > 0)
      throw new Error(
        `${failed} of ${fmt(devices)} devices could not connect, e.g. ${JSON.stringify(connected.flatMap((c) => c.firstFailures as string[]).slice(0, 3))}`,
      );
    const retried = connected.reduce((n, c) => n + Number(c.retried), 0);
    say(
      `  ${label}: ${fmt(devices)} devices connected in ${((Date.now() - began) / 1000).toFixed(1)} s` +
        (retried ? ` (${fmt(retried)} connection attempts refused or cut before CONNACK were retried)` : ''),
    );
  } finally {
    clearInterval(ticker);
  }
  return fleet;
}

export const ackedOf = (fleet: JsonChild[], type: 'progress' | 'published', urls: number) =>
  Array.from({ length: urls }, (_, u) =>
    fleet.reduce((n, f) => n + Number((f.last(type)?.acked as number[] | undefined)?.[u] ?? 0), 0),
  );

export function publishWindow(fleet: JsonChild[], urls: number) {
  const published = fleet.map((f) => f.last('published')!);
  return {
    publishStart: Math.min(...published.map((p) => Number(p.startedAt))),
    publishEnd: Math.max(...published.map((p) => Number(p.endedAt))),
    acked: ackedOf(fleet, 'published', urls),
  };
}

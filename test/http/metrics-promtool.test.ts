// /metrics of a live city passes Prometheus' own linter (`promtool check metrics`, Debian's `prometheus`
// package): counters end in _total, units are in the names, and no prefix is doubled.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CityProcess, startCity } from '../support/city-process.js';

let city: CityProcess;

beforeAll(async () => {
  city = await startCity(['--no-red', '--devices', '20']);
}, 60_000);
afterAll(async () => {
  await city?.stop();
});

const scrape = async () => (await fetch(`${city.http}/metrics`)).text();
const names = (text: string) =>
  new Set(text.split('\n').flatMap((l) => (l.startsWith('# TYPE ') ? [l.split(' ')[2]] : [])));

describe('GET /metrics', () => {
  it('passes promtool check metrics while the fleet publishes', async () => {
    const which = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
    if (which.error)
      throw new Error(
        `promtool is not installed (${which.error.message}): apt-get install prometheus (it ships promtool)`,
      );
    const text = await city.until(
      scrape,
      (t) => /^citygauge_messages_accepted_total [1-9]/m.test(t),
      'the simulated fleet has messages accepted',
      30_000,
    );
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);
  });

  it('names the process and Node.js metrics as every Prometheus client does, ours with one prefix', async () => {
    const all = names(await scrape());
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ])
      expect(all).toContain(name);
    const doubled = [...all].filter((n) => /citygauge_process|(^|_)(\w+)_\2(_|$)/.test(n));
    expect(doubled).toEqual([]);
    const ours = [...all].filter((n) => !/^(process|nodejs)_/.test(n));
    expect(ours.filter((n) => !n.startsWith('citygauge_'))).toEqual([]);
  });
});

// What is behind a gauge (issue 15 item 1), as the dashboard's explanation panel reads it: the devices
// missing from the value and what a 0 would mean, said while the value is not 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indicatorGap } from '../../engine/gap.js';
import { Decoded } from '../../engine/inbound.js';
import { type FullApi, fullApi } from '../support/full-api.js';

let api: FullApi;
beforeAll(async () => {
  api = await fullApi();
}, 60_000);
afterAll(() => api?.close());

const get = (url: string) => api.get(url);

describe('the explanation of one indicator', () => {
  it('names the devices behind the gap and what a 0 means, while the value is above 0', async () => {
    const t = Date.now();
    const engine = api.engine();
    for (const id of ['cam-3', 'cam-4']) {
      const payload = new Decoded({ state: 'online', video: 'ok', shared: false, ts: t }, 60);
      engine.ingest({ receivedAt: t, topic: `city/cctv/${id}/status`, payload });
    }
    engine.snapshot(t + 1_000);
    const one = await get('/api/indicators/availability.cctv');
    expect(one).toMatchObject({ value: 50, unit: '%', zero: '0 of 4 cctv devices are online' });
    expect(one.why).toBeUndefined();
    expect(one.gap.devices.map((d: { id: string; reason: string }) => [d.id, d.reason]).sort()).toEqual([
      ['cam-1', 'offline'],
      ['cam-2', 'offline'],
    ]);
    expect(one.gap).toMatchObject({ devicesTotal: 2, assetsTotal: 0 });
    // Listed up to a limit, counted in all.
    const capped = indicatorGap(engine, 'availability.cctv', 'city', 1)!;
    expect(capped.devices).toHaveLength(1);
    expect(capped.devicesTotal).toBe(2);
    // The pipe network: segments no monitor covers, none listed at a limit of 0, all counted.
    const pipes = indicatorGap(engine, 'L2.1.1', 'city', 0)!;
    expect(pipes.assets).toEqual([]);
    expect(pipes.assetsTotal).toBeGreaterThan(0);
    expect(pipes.assetsTotal).toBe(indicatorGap(engine, 'L2.1.1', 'city')!.assets.length);
    // The list of every value has no `zero`: it is the panel's, asked for one value at a time.
    const all: { zero?: string }[] = await get('/api/indicators');
    expect(all.filter((v) => v.zero !== undefined)).toEqual([]);
  });
});

// Issue 14 item 3 through the API: each indicator answer carries its coverage, staleness and quality flag.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decoded } from '../../engine/inbound.js';
import { type FullApi, fullApi } from '../support/full-api.js';

let api: FullApi;
beforeAll(async () => {
  api = await fullApi();
}, 60_000);
afterAll(() => api?.close());

const get = (url: string) => api.get(url);

describe('quality in the indicator answers', () => {
  it('says a value heard from 2 of its 4 cameras is degraded, and why', async () => {
    const t = Date.now();
    const engine = api.engine();
    for (const id of ['cam-1', 'cam-3']) {
      const payload = new Decoded({ state: 'online', video: 'ok', shared: false, ts: t }, 60);
      engine.ingest({ receivedAt: t, topic: `city/cctv/${id}/status`, payload });
    }
    engine.snapshot(t + 2_000);
    const one = await get('/api/indicators/availability.cctv');
    expect(one.quality).toEqual({
      flag: 'degraded',
      coverage: 0.5,
      stalenessMs: 2_000,
      heard: 2,
      expected: 4,
      reason: '2 of 4 devices heard within their interval (50 %)',
    });
    const all: { id: string; scope: string; quality: { flag: string } }[] = await get('/api/indicators');
    const hd = all.find((v) => v.id === 'L2.2.1.b2' && v.scope === 'city');
    // The HD share is settled by the registry: good however few cameras spoke.
    expect(hd?.quality.flag).toBe('good');
    expect(all.every((v) => ['good', 'degraded', 'unknown'].includes(v.quality.flag))).toBe(true);
    const metrics = await api.app.inject({ url: '/metrics' });
    expect(metrics.body).toContain(
      'citygauge_indicator_coverage_ratio{indicator="availability.cctv",scope="city"} 0.5',
    );
  });
});

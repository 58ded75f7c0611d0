// The City page's map as Node-RED runs its function node and Vue draws its widget (no browser): outlines
// with names and each district's share down, cells as circles with counts, and each device down with how
// long and why (issue 15 item 1).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSSRApp } from 'vue';
import { renderToString } from 'vue/server-renderer';

const nodes = JSON.parse(readFileSync('flows/citygauge.json', 'utf8')) as {
  id: string;
  func?: string;
  format?: string;
}[];
const byId = new Map(nodes.map((n) => [n.id, n]));

function runner(id: string) {
  const func = byId.get(id)?.func;
  if (!func) throw new Error(`no function node ${id}`);
  const flow = new Map<string, unknown>();
  const store = { get: (k: string) => flow.get(k), set: (k: string, v: unknown) => flow.set(k, v) };
  const global = { get: () => ({ timeZone: 'UTC' }), set: () => {} };
  const node = { warn: () => {}, log: () => {}, send: () => {} };
  const env = { get: () => '' };
  return (msg: Record<string, unknown>) =>
    new Function('msg', 'node', 'env', 'flow', 'global', 'context', func)(
      msg,
      node,
      env,
      store,
      global,
      store,
    );
}

async function render(payload: unknown, now: number): Promise<string> {
  const format = byId.get('cg-tpl-map')?.format ?? '';
  const template = /<template>([\s\S]*)<\/template>/.exec(format)?.[1];
  const script = /<script>\s*export default (\{[\s\S]*\})\s*<\/script>/.exec(format)?.[1];
  if (!template || !script)
    throw new Error('cg-tpl-map is not a <template> and an `export default {…}` script');
  const component = new Function(`return ${script}`)();
  const app = createSSRApp({ ...component, template, data: () => ({ now, msg: { payload } }) });
  return renderToString(app);
}

const square = (w: number, s: number, e: number, n: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});
const T = Date.parse('2026-01-05T12:00:00Z');

describe('the City page map', () => {
  it('draws the outlines with names, the cells with counts, and why each device is down and for how long', async () => {
    const map = runner('cg-fn-map');
    map({
      topic: 'districts',
      statusCode: 200,
      payload: {
        districts: [
          { id: 'centre', name: 'Centre', declared: true, outline: square(11.5, 48.1, 11.6, 48.2) },
          { id: 'north', name: 'North', declared: true, outline: square(11.5, 48.2, 11.6, 48.3) },
        ],
      },
    });
    map({
      topic: 'devices-map',
      statusCode: 200,
      payload: {
        placed: 3,
        downPlaced: 2,
        bounds: { south: 48.15, west: 11.55, north: 48.25, east: 11.56 },
        cells: [
          { lat: 48.15, lon: 11.55, count: 2, down: 2 },
          { lat: 48.25, lon: 11.56, count: 40, down: 0 },
        ],
        down: [{ id: 'cam-1', kind: 'cctv', lat: 48.15, lon: 11.55, cause: 'behind-gateway' }],
        districts: [
          { id: 'centre', count: 2, down: 2 },
          { id: 'north', count: 40, down: 0 },
        ],
      },
    });
    const view = map({
      topic: 'city/devices/down',
      payload: {
        count: 7,
        total: 42,
        // Exact past the list's cap: 6 never heard, of whom the list (cut short) names one.
        neverHeard: 6,
        truncated: true,
        devices: [
          {
            id: 'cam-1',
            kind: 'cctv',
            district: 'centre',
            cause: 'behind-gateway',
            gateway: 'gw-1',
            since: new Date(T - (3 * 60 + 12) * 60_000).toISOString(),
            lastSeen: null,
            expectedIntervalS: 30,
          },
          {
            id: 'sen-2',
            kind: 'sensor',
            district: 'north',
            cause: 'never-heard',
            gateway: null,
            since: null,
          },
        ],
      },
    });
    expect(view.payload.districts.map((d: { id: string; down: number }) => [d.id, d.down])).toEqual([
      ['centre', 2],
      ['north', 0],
    ]);
    const html = await render(view.payload, T);
    expect([...html.matchAll(/data-testid="district-name"[^>]*>([^<]+)</g)].map((m) => m[1])).toEqual([
      'Centre',
      'North',
    ]);
    expect(html).toMatch(/data-district="centre" data-state="many-down"/);
    expect(html).toMatch(/data-district="north" data-state="ok"/);
    expect([...html.matchAll(/data-testid="map-cluster" data-count="(\d+)"/g)].map((m) => m[1])).toEqual([
      '2',
      '40',
    ]);
    const row = /data-device="cam-1" data-cause="behind-gateway">([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? '';
    expect(row).toContain('down 3 h 12 min');
    expect(row).toContain('behind gateway gw-1, which is down');
    expect(html).toMatch(/data-device="sen-2"[\s\S]*?not heard since the start[\s\S]*?never heard/);
    expect(html).toContain('7 of 42 devices down (6 never heard)');
  });
});

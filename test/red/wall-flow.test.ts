// The video wall's flow (flows/src/wall.mjs) without a browser: its page is dark and open to viewers, and
// its view node, run as Node-RED runs it over what the topics and the API gave, sends one view per scope
// (the city, then each district) that the widget, rendered by the Vue Dashboard 2.0 runs, draws with units
// and nothing to press.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSSRApp } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { configFor, PAGE_ROLES } from '../../red/dashboard-pages.js';

interface FlowNode {
  id: string;
  type: string;
  z?: string;
  func?: string;
  format?: string;
  [key: string]: unknown;
}
const nodes = JSON.parse(readFileSync('flows/citygauge.json', 'utf8')) as FlowNode[];
const byId = new Map(nodes.map((n) => [n.id, n]));

const reading = (id: string, scope: string, value: number | null, ts: string, extra = {}) => ({
  id,
  name: `name of ${id}`,
  scope,
  value,
  unit: '%',
  ts,
  means: {},
  ...extra,
});
const degraded = { flag: 'degraded', reason: '2 of 4 devices heard within their interval (50 %)' };
const FLOW: Record<string, unknown> = {
  indicators: Object.fromEntries(
    [
      reading('L2.2.1', 'city', 40, '2026-01-05T10:00:02.000Z'),
      reading('L2.2.1.b1', 'city', 7, '2026-01-05T10:00:02.000Z'),
      reading('L1.2.2', 'city', 85, '2026-01-05T10:00:01.000Z'),
      reading('L2.1.1', 'city', 99, '2026-01-05T10:00:01.000Z'),
      reading('availability.cctv', 'city', 50, '2026-01-05T10:00:03.000Z', { quality: degraded }),
      reading('L2.2.1', 'north', null, '2026-01-05T09:00:00.000Z'),
      reading('L2.2.1', 'centre', 20, '2026-01-05T09:30:00.000Z'),
    ].map((p) => [`${p.id}|${p.scope}`, p]),
  ),
  thresholds: [
    { indicator: 'L2.2.1', scope: 'city', below: 50, clearAt: 60, forS: 0, severity: 'major' },
    { indicator: 'L1.2.2', scope: 'city', below: 80, clearAt: 90, forS: 0, severity: 'minor' },
    { indicator: 'L2.1.1', scope: 'city', below: 80, clearAt: 90, forS: 0, severity: 'minor' },
  ],
  city: { name: 'Fixture Town', timeZone: 'America/Los_Angeles' },
  districtNames: { centre: 'Town Centre', north: 'Northgate' },
  down: {
    ts: '2026-01-05T10:00:00.000Z',
    count: 3,
    total: 9,
    maintenance: 1,
    devices: [
      { id: 'cam-1', district: 'centre', reason: 'behind-offline-gateway' },
      { id: 'cam-2', district: 'centre', reason: 'maintenance' },
      { id: 'pm-1', district: null, reason: 'never-heard' },
    ],
  },
  incidents: [
    { id: 'i1', district: 'centre' },
    { id: 'i2', district: null },
  ],
  // From GET /api/devices/map: exact, where the down topic's list may stop short.
  districtCounts: { centre: { id: 'centre', count: 5, down: 2 } },
};

/** Runs the view node as Node-RED would (its redraw waits 500 ms) and resolves with what it sends. */
function wallView(): Promise<{ topic: string; payload: WallView }> {
  const func = byId.get('cg-wall-fn-view')?.func;
  if (!func) throw new Error('no function node cg-wall-fn-view');
  return new Promise((resolve) => {
    const node = { warn: (w: string) => console.warn(w), send: resolve };
    const flow = { get: (k: string) => FLOW[k], set: () => {} };
    const context = new Map<string, unknown>();
    const ctx = { get: (k: string) => context.get(k), set: (k: string, v: unknown) => context.set(k, v) };
    const run = new Function('msg', 'node', 'env', 'flow', 'global', 'context', func);
    // A burst of redraws is one view.
    for (let i = 0; i < 3; i++) run({ topic: 'redraw' }, node, { get: () => '' }, flow, flow, ctx);
  });
}

interface Tile {
  id: string;
  value: number | null;
  unit: string;
  state: string;
  quality: string | null;
  qualityReason: string | null;
}
interface ScopeView {
  scope: string;
  title: string;
  headline: Tile[];
  availability: Tile[];
  down: { count: number | null; total: number | null; maintenance: number; faults: number; atLeast: boolean };
  incidents: number;
  updated: string | null;
}
interface WallView {
  timeZone: string;
  rotateS: number;
  updated: string;
  scopes: ScopeView[];
}

async function renderWall(payload: WallView): Promise<string> {
  const format = byId.get('cg-wall-tpl')?.format ?? '';
  const template = /<template>([\s\S]*)<\/template>/.exec(format)?.[1];
  const script = /<script>\s*export default (\{[\s\S]*\})\s*<\/script>/.exec(format)?.[1];
  if (!template || !script)
    throw new Error('cg-wall-tpl is not a <template> and an `export default {…}` script');
  const component = new Function(`return ${script}`)() as { data: () => object };
  const msg = { topic: 'wall', payload };
  // The page's address, as the browser has it (the widget reads ?every=N from it).
  (globalThis as { window?: unknown }).window = { location: { search: '?every=7' } };
  try {
    const app = createSSRApp({ ...component, template, data: () => ({ ...component.data(), msg }) });
    return await renderToString(app);
  } finally {
    delete (globalThis as { window?: unknown }).window;
  }
}

describe('the video wall page', () => {
  it('is /dashboard/wall on a dark theme, for every signed-in person as the City page', () => {
    const page = byId.get('cg-page-wall');
    expect(page).toMatchObject({
      type: 'ui-page',
      path: '/wall',
      ui: 'cg-ui-base',
      theme: 'cg-ui-theme-wall',
    });
    const theme = byId.get('cg-ui-theme-wall') as { colors: Record<string, string> } | undefined;
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    for (const c of ['bgPage', 'groupBg', 'surface'])
      expect(luminance(theme?.colors[c] ?? '#ffffff'), c).toBeLessThan(0.1);
    expect(PAGE_ROLES['cg-page-wall']).toBeUndefined();
    const pages = { 'cg-page-city': {}, 'cg-page-wall': {}, 'cg-page-settings': {} };
    expect(Object.keys(configFor({ pages }, 'viewer').config.pages ?? {})).toEqual([
      'cg-page-city',
      'cg-page-wall',
    ]);
    // Its widget and its page-scoped style (which hides the dashboard's bars) are on the wall's tab.
    expect(byId.get('cg-grp-wall')).toMatchObject({ page: 'cg-page-wall', showTitle: false });
    expect(byId.get('cg-wall-tpl')).toMatchObject({ group: 'cg-grp-wall', z: 'cg-tab-wall' });
    expect(byId.get('cg-wall-style')).toMatchObject({ templateScope: 'page:style', page: 'cg-page-wall' });
    expect(byId.get('cg-wall-style')?.format).toMatch(/\.v-app-bar, \.v-navigation-drawer \{ display: none/);
  });

  it('sends the city and then each district by name, coloured against the thresholds, with devices down and incidents', async () => {
    const { topic, payload } = await wallView();
    expect(topic).toBe('wall');
    expect(payload).toMatchObject({
      timeZone: 'America/Los_Angeles',
      rotateS: 20,
      updated: '2026-01-05T10:00:03.000Z',
    });
    expect(payload.scopes.map((s) => [s.scope, s.title])).toEqual([
      ['city', 'Fixture Town'],
      ['north', 'Northgate'],
      ['centre', 'Town Centre'],
    ]);
    const [cityView, north, centre] = payload.scopes;
    // b-parts are not headline values; numeric order of ids; alarm below 50, warn below 60, ok from 90.
    expect(cityView.headline.map((t) => [t.id, t.value, t.unit, t.state])).toEqual([
      ['L1.2.2', 85, '%', 'warn'],
      ['L2.1.1', 99, '%', 'ok'],
      ['L2.2.1', 40, '%', 'alarm'],
    ]);
    expect(cityView.availability).toMatchObject([
      { id: 'availability.cctv', state: 'none', quality: 'degraded', qualityReason: degraded.reason },
    ]);
    expect(cityView.down).toEqual({ count: 3, total: 9, maintenance: 1, faults: 2, atLeast: false });
    expect(cityView.incidents).toBe(2);
    expect(centre).toMatchObject({
      headline: [{ id: 'L2.2.1', value: 20, state: 'none' }],
      down: { count: 2, total: 5, maintenance: 1, faults: 1, atLeast: false },
      incidents: 1,
      updated: '2026-01-05T09:30:00.000Z',
    });
    expect(north).toMatchObject({
      headline: [{ id: 'L2.2.1', state: 'nodata' }],
      // No counts for north yet: from the list, with no total.
      down: { count: 0, total: null },
      incidents: 0,
    });
  });

  it('draws the view with units, the scopes to come and the city’s time, and nothing to press or type in', async () => {
    const { payload } = await wallView();
    const html = await renderWall(payload);
    expect(html).not.toMatch(/<(button|input|select|textarea|a)\b/);
    expect(html).toContain('data-scope="city"');
    expect(html).toMatch(
      /data-indicator="L2.2.1" data-state="alarm"[^>]*>\s*<div[^>]*>40\.0<span[^>]*>%<\/span>/,
    );
    expect(html).toContain('degraded: 2 of 4 devices heard within their interval (50 %)');
    expect(html).toContain('alarm below 50, warn below 60');
    expect(html).toContain('updated 2026-01-05 02:00:03 PST');
    expect(html).toContain('animation-duration:7s');
    expect(html.match(/class="cg-wall-step( [^"]*)?"/g)).toEqual([
      'class="cg-wall-step cg-wall-here"',
      'class="cg-wall-step"',
      'class="cg-wall-step"',
    ]);
  });

  it('names the next scope instead of listing them when a city has more than 12', async () => {
    const { payload } = await wallView();
    const [one] = payload.scopes;
    const scopes = Array.from({ length: 13 }, (_, i) => ({ ...one, scope: `d${i}`, title: `District ${i}` }));
    const html = await renderWall({ ...payload, scopes });
    expect(html).toContain('1 of 13: next District 1');
    expect(html.match(/class="cg-wall-step[ "]/g)).toHaveLength(1);
  });
});

// The video wall (/dashboard/wall, issue 15): a dark page without controls that turns through the city and
// each district. It reads what the City page reads (the retained city/indicators/# and city/devices/down
// topics, city/incidents/+, and the API for thresholds, the city, its districts and incidents), kept in this tab's own flow
// context, and sends its one widget one complete view of every scope: the browser does the turning.
import { API, add, comment, fn, group, http, inject, mqttIn, tpl } from './nodes.mjs';
import * as T from './templates.mjs';

const z = 'cg-tab-wall';
/** Seconds each scope stays on screen; a wall's URL may ask for another (?every=N). */
export const WALL_ROTATE_S = 20;

add({
  id: z,
  type: 'tab',
  label: 'Video wall',
  disabled: false,
  info: 'The wall page (/dashboard/wall): the city, then each district, for a screen in an operations centre. Every signed-in person may open it, as the City page.',
});
add({
  id: 'cg-ui-theme-wall',
  type: 'ui-theme',
  name: 'citygauge wall (dark)',
  colors: {
    surface: '#05080c',
    primary: '#58a6ff',
    bgPage: '#05080c',
    groupBg: '#05080c',
    groupOutline: '#05080c',
  },
  sizes: {
    density: 'compact',
    pagePadding: '0px',
    groupGap: '0px',
    groupBorderRadius: '0px',
    widgetGap: '0px',
  },
});
// Not in PAGE_ROLES (red/dashboard-pages.ts): like the City page, every signed-in person, viewers included.
add({
  id: 'cg-page-wall',
  type: 'ui-page',
  name: 'Video wall',
  ui: 'cg-ui-base',
  path: '/wall',
  icon: 'television',
  layout: 'grid',
  theme: 'cg-ui-theme-wall',
  breakpoints: [{ name: 'Default', px: 0, cols: 12 }],
  order: 1.5,
  className: 'cg-wall-page',
  visible: 'true',
  disabled: 'false',
});
group('cg-grp-wall', 'cg-page-wall', 'Video wall', 12, 1).showTitle = false;
add({
  id: 'cg-wall-style',
  type: 'ui-template',
  z,
  group: '',
  page: 'cg-page-wall',
  ui: '',
  name: 'wall styles',
  order: 0,
  width: 0,
  height: 0,
  head: '',
  format: T.WALL_STYLE.trim(),
  storeOutMessages: true,
  passthru: true,
  resendOnRefresh: true,
  templateScope: 'page:style',
  className: '',
  x: 140,
  y: 40,
  wires: [[]],
});

comment(
  'cg-wall-c-live',
  z,
  'Live values, devices down and incidents, as the City page reads them',
  'Everything lands in this tab’s flow context and asks for a redraw; the view node draws at most twice a second.',
  230,
  80,
);
mqttIn('cg-wall-in-ind', z, 'city/indicators/#', 150, 120, [['cg-wall-fn-ind']]);
fn(
  'cg-wall-fn-ind',
  z,
  'keep latest',
  370,
  120,
  `const p = msg.payload;
if (!p || typeof p !== 'object' || typeof p.id !== 'string' || typeof p.scope !== 'string') return null;
const all = flow.get('indicators') || {};
all[p.id + '|' + p.scope] = p;
flow.set('indicators', all);
return { topic: 'redraw' };`,
  [['cg-wall-fn-view']],
);
mqttIn('cg-wall-in-down', z, 'city/devices/down', 150, 160, [['cg-wall-fn-down']]);
fn(
  'cg-wall-fn-down',
  z,
  'keep devices down',
  370,
  160,
  `if (!msg.payload || typeof msg.payload !== 'object' || typeof msg.payload.count !== 'number') return null;
flow.set('down', msg.payload);
return { topic: 'redraw' };`,
  [['cg-wall-fn-view']],
);
inject('cg-wall-inj', z, 'at start, every 15 s', 160, 220, 15, [
  ['cg-wall-fn-thr-req', 'cg-wall-fn-city-req', 'cg-wall-fn-counts-req'],
]);
// Each district's devices and how many are down, exact: the down topic's list stops at its limit.
fn(
  'cg-wall-fn-counts-req',
  z,
  'GET /api/devices/map (counts only)',
  410,
  180,
  `${API}return { method: 'GET', url: api + '/api/devices/map?cells=1&downCap=0', headers: auth };`,
  [['cg-wall-http-counts']],
);
http('cg-wall-http-counts', z, '', 620, 180, [['cg-wall-fn-counts']]);
fn(
  'cg-wall-fn-counts',
  z,
  'keep district counts',
  790,
  180,
  `if (msg.statusCode !== 200) { node.warn('device counts: HTTP ' + msg.statusCode); return null; }
flow.set('districtCounts', Object.fromEntries(msg.payload.districts.map((d) => [d.id, d])));
return { topic: 'redraw' };`,
  [['cg-wall-fn-view']],
);
fn(
  'cg-wall-fn-thr-req',
  z,
  'GET /api/thresholds',
  390,
  210,
  `${API}return { method: 'GET', url: api + '/api/thresholds', headers: auth };`,
  [['cg-wall-http-thr']],
);
http('cg-wall-http-thr', z, '', 580, 210, [['cg-wall-fn-thr']]);
fn(
  'cg-wall-fn-thr',
  z,
  'keep thresholds',
  750,
  210,
  `if (msg.statusCode !== 200) { node.warn('thresholds: HTTP ' + msg.statusCode); return null; }
flow.set('thresholds', msg.payload);
return { topic: 'redraw' };`,
  [['cg-wall-fn-view']],
);
fn(
  'cg-wall-fn-city-req',
  z,
  'GET /api/city',
  390,
  250,
  `${API}return { method: 'GET', url: api + '/api/city', headers: auth };`,
  [['cg-wall-http-city']],
);
http('cg-wall-http-city', z, '', 580, 250, [['cg-wall-fn-city']]);
fn(
  'cg-wall-fn-city',
  z,
  'keep the city (name, time zone)',
  770,
  250,
  `if (msg.statusCode !== 200) { node.warn('city: HTTP ' + msg.statusCode); return null; }
flow.set('city', msg.payload);
return { topic: 'redraw' };`,
  [['cg-wall-fn-view']],
);
// Districts' names ("Old Town" for old-town); their outlines make the answer large, and names rarely change.
inject('cg-wall-inj-districts', z, 'at start, every 5 min', 170, 280, 300, [['cg-wall-fn-districts-req']]);
fn(
  'cg-wall-fn-districts-req',
  z,
  'GET /api/districts',
  400,
  280,
  `${API}return { method: 'GET', url: api + '/api/districts', headers: auth };`,
  [['cg-wall-http-districts']],
);
http('cg-wall-http-districts', z, '', 580, 280, [['cg-wall-fn-districts']]);
fn(
  'cg-wall-fn-districts',
  z,
  'keep district names',
  760,
  280,
  `if (msg.statusCode !== 200) { node.warn('districts: HTTP ' + msg.statusCode); return null; }
flow.set('districtNames', Object.fromEntries(msg.payload.districts.map((d) => [d.id, d.name])));
return { topic: 'redraw' };`,
  [['cg-wall-fn-view']],
);
// Text: only that something changed matters here, and a cleared topic's empty message is no JSON.
mqttIn('cg-wall-in-incidents', z, 'city/incidents/+', 150, 300, [['cg-wall-fn-incidents-req']]).datatype =
  'utf8';
inject('cg-wall-inj-incidents', z, 'at start, every minute', 160, 340, 60, [['cg-wall-fn-incidents-req']]);
fn(
  'cg-wall-fn-incidents-req',
  z,
  'GET /api/incidents?open=true',
  410,
  320,
  `${API}// One request at a time: a change while one is under way asks for one more once it is back.
if (flow.get('incidentsPending')) {
  flow.set('incidentsAgain', true);
  return null;
}
flow.set('incidentsPending', true);
return { method: 'GET', url: api + '/api/incidents?open=true&limit=5000', headers: auth };`,
  [['cg-wall-http-incidents']],
);
http('cg-wall-http-incidents', z, '', 620, 320, [['cg-wall-fn-incidents']]);
fn(
  'cg-wall-fn-incidents',
  z,
  'keep open incidents',
  800,
  320,
  `flow.set('incidentsPending', false);
const again = flow.get('incidentsAgain') ? { topic: 'again' } : null;
flow.set('incidentsAgain', false);
if (msg.statusCode !== 200) { node.warn('incidents: HTTP ' + msg.statusCode); return [null, again]; }
// An incident merged into a district incident is counted once, as that district incident.
const open = msg.payload.filter((i) => i.status !== 'resolved' && !i.mergedInto).map((i) => ({ id: i.id, district: i.district }));
flow.set('incidents', open);
return [{ topic: 'redraw' }, again];`,
  [['cg-wall-fn-view'], ['cg-wall-fn-incidents-req']],
  2,
);

fn(
  'cg-wall-fn-view',
  z,
  'wall view: city, then each district',
  600,
  420,
  `// The retained messages come in a burst at connect: draw at most every 500 ms, the whole view each time.
if (context.get('pending')) return null;
context.set('pending', true);
setTimeout(() => {
  context.set('pending', false);
  const all = flow.get('indicators') || {};
  const thresholds = flow.get('thresholds') || [];
  const city = flow.get('city') || {};
  const down = flow.get('down');
  const incidents = flow.get('incidents') || [];
  const names = flow.get('districtNames') || {};
  const nameOf = (scope) => names[scope] || scope;
  // As on the City page: alarm below 'below', warn inside the hysteresis band, ok from 'clearAt' up.
  const threshold = (id, scope) => thresholds.find((t) => t.indicator === id && t.scope === scope);
  const state = (v, t) => v === null ? 'nodata' : !t ? 'none' : v < t.below ? 'alarm' : v < t.clearAt ? 'warn' : 'ok';
  const tile = (p) => {
    const t = threshold(p.id, p.scope);
    const degraded = !!p.quality && p.quality.flag === 'degraded';
    return { id: p.id, name: p.name, value: p.value, unit: p.unit || '', state: state(p.value, t),
      below: t ? t.below : null, clearAt: t ? t.clearAt : null,
      quality: p.quality ? p.quality.flag : null, qualityReason: degraded ? p.quality.reason : null };
  };
  const byId = (a, b) => a.id.localeCompare(b.id, 'en', { numeric: true });
  const isHeadline = (id) => /^L\\d/.test(id) && !/\\.b\\d+$/.test(id);
  const values = Object.values(all);
  const latest = (list) => list.reduce((m, p) => (p.ts && (!m || p.ts > m) ? p.ts : m), null);
  // A district's counts come from GET /api/devices/map, exact; until they arrive, from the listed devices,
  // which stop at the topic's limit (then a floor). Its devices in maintenance are those listed.
  const counts = flow.get('districtCounts') || {};
  const downIn = (scope) => {
    if (!down) return { count: null, total: null, maintenance: 0, faults: 0, atLeast: false };
    if (scope === 'city') return { count: down.count, total: down.total, maintenance: down.maintenance || 0, faults: down.count - (down.maintenance || 0), atLeast: false };
    const here = (down.devices || []).filter((d) => d.district === scope);
    const maintenance = here.filter((d) => d.reason === 'maintenance').length;
    const c = counts[scope];
    if (c) return { count: c.down, total: c.count, maintenance, faults: Math.max(0, c.down - maintenance), atLeast: false };
    return { count: here.length, total: null, maintenance, faults: here.length - maintenance, atLeast: !!down.truncated };
  };
  const scopeView = (scope) => {
    const mine = values.filter((p) => p.scope === scope);
    return {
      scope,
      title: scope === 'city' ? city.name || 'City' : nameOf(scope),
      headline: mine.filter((p) => isHeadline(p.id)).map(tile).sort(byId),
      availability: mine.filter((p) => p.id.startsWith('availability.')).map(tile).sort(byId),
      down: downIn(scope),
      incidents: scope === 'city' ? incidents.length : incidents.filter((i) => i.district === scope).length,
      updated: latest(mine),
    };
  };
  const districts = [...new Set(values.map((p) => p.scope).filter((s) => s !== 'city'))].sort((a, b) =>
    nameOf(a).localeCompare(nameOf(b)),
  );
  const scopes = values.length ? ['city', ...districts].map(scopeView) : [];
  node.send({ topic: 'wall', payload: { timeZone: city.timeZone, rotateS: ${WALL_ROTATE_S}, updated: latest(values), scopes } });
}, 500);
return null;`,
  [['cg-wall-tpl']],
);
tpl('cg-wall-tpl', z, 'cg-grp-wall', 'video wall', 1, 12, T.WALL, 850, 420, [[]]);

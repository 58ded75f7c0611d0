// The City page (flows/src/city.mjs): the retained indicators, the headline gauges and the district table.
import { API, comment, fn, http, inject, mqttIn, tpl } from '../nodes.mjs';
import * as T from '../templates.mjs';
import { SCALE_MAX } from './scale.mjs';
import { z } from './tab.mjs';

comment(
  'cg-c-live',
  z,
  'Live values: the retained city/indicators/# topics',
  'The engine publishes each indicator and scope retained when it changes (at most once a second). This keeps the latest of each and redraws the headline cards and the district table at most twice a second.',
  190,
  80,
);
mqttIn('cg-in-ind', z, 'city/indicators/#', 150, 120, [['cg-fn-ind']]);
fn(
  'cg-fn-ind',
  z,
  'keep latest, redraw',
  390,
  120,
  `// Keep the latest reading of every indicator and scope, and redraw at most every 500 ms: the retained
// messages arrive in a burst at connect, and the screen need not repaint for each.
const p = msg.payload;
if (!p || typeof p !== 'object' || typeof p.id !== 'string') return null;
const all = flow.get('indicators') || {};
all[p.id + '|' + p.scope] = p;
flow.set('indicators', all);
// The newest reading's time: a burst of retained messages at connect comes in no order of time.
const last = flow.get('lastUpdate');
if (typeof p.ts === 'string' && (!last || Date.parse(p.ts) > Date.parse(last))) flow.set('lastUpdate', p.ts);
if (context.get('pending')) return null;
context.set('pending', true);
setTimeout(() => { context.set('pending', false); node.send({ topic: 'redraw' }); }, 500);
return null;`,
  [['cg-fn-view']],
);
inject('cg-inj-thr', z, 'thresholds at start, every 15 s', 190, 180, 15, [
  ['cg-fn-thr-req', 'cg-fn-city-req'],
]);
fn(
  'cg-fn-city-req',
  z,
  'GET /api/city',
  420,
  220,
  `${API}msg.method = 'GET';
msg.url = api + '/api/city';
msg.headers = auth;
return msg;`,
  [['cg-http-city']],
);
http('cg-http-city', z, '', 610, 220, [['cg-fn-city']]);
fn(
  'cg-fn-city',
  z,
  'keep the city; GET /api/indicators',
  800,
  220,
  `// Every page shows times in the city's zone, not the browser's: the field tab reads it from global context.
${API}if (msg.statusCode !== 200) { node.warn('city: HTTP ' + msg.statusCode); return null; }
global.set('city', msg.payload);
msg.method = 'GET';
msg.url = api + '/api/indicators';
msg.headers = auth;
delete msg.payload;
return msg;`,
  [['cg-http-why']],
);
http('cg-http-why', z, '', 1000, 220, [['cg-fn-why']]);
fn(
  'cg-fn-why',
  z,
  'keep why texts',
  1160,
  220,
  `// An indicator at 0 says why under its gauge (L1.2.2: how many routes have a bus in service).
if (msg.statusCode !== 200) { node.warn('indicators: HTTP ' + msg.statusCode); return null; }
const why = {};
for (const r of msg.payload) if (r.why) why[r.id + '|' + r.scope] = r.why;
flow.set('why', why);
return { topic: 'redraw' };`,
  [['cg-fn-view']],
);
fn(
  'cg-fn-thr-req',
  z,
  'GET /api/thresholds',
  420,
  180,
  `${API}msg.method = 'GET';
msg.url = api + '/api/thresholds';
msg.headers = auth;
return msg;`,
  [['cg-http-thr']],
);
http('cg-http-thr', z, '', 610, 180, [['cg-fn-thr']]);
fn(
  'cg-fn-thr',
  z,
  'keep thresholds',
  780,
  180,
  `if (msg.statusCode !== 200) { node.warn('thresholds: HTTP ' + msg.statusCode); return null; }
flow.set('thresholds', msg.payload);
return { topic: 'redraw' };`,
  [['cg-fn-view', 'cg-fn-trends']],
);
fn(
  'cg-fn-view',
  z,
  'headline + districts',
  640,
  120,
  `// Headline cards: the ISO indicators (not their b-parts) and device availability, city-wide, coloured
// by their threshold: alarm below 'below', warn inside the hysteresis band, ok above 'clearAt'.
const all = flow.get('indicators') || {};
const thresholds = flow.get('thresholds') || [];
const whys = flow.get('why') || {};
const timeZone = (global.get('city') || {}).timeZone;
const threshold = (id, scope) => thresholds.find((t) => t.indicator === id && t.scope === scope);
const state = (v, t) => v === null ? 'nodata' : !t ? 'none' : v < t.below ? 'alarm' : v < t.clearAt ? 'warn' : 'ok';
// Issue 14 item 3: a degraded value is greyed out with its reason (few of its devices heard lately).
const quality = (p) => ({ quality: p.quality ? p.quality.flag : null, qualityReason: p.quality && p.quality.flag === 'degraded' ? p.quality.reason : null });
// Every value carries its unit, as the retained topic does ('%' for the ISO/IEC 30146 shares).
const unit = (p) => (typeof p.unit === 'string' ? p.unit : '%');
${SCALE_MAX}const card = (p) => {
  const t = threshold(p.id, p.scope);
  // A why text is kept only while the value it explains is still 0 or empty.
  const why = p.value === null || p.value === 0 ? whys[p.id + '|' + p.scope] || null : null;
  const max = scaleMax(unit(p), [p.value, ...Object.values(p.means || {}), t ? t.below : null]);
  return { id: p.id, name: p.name, unit: unit(p), value: p.value, max, means: p.means, below: t ? t.below : null, severity: t ? t.severity : null, state: state(p.value, t), why, ...quality(p) };
};
const byId = (a, b) => a.id.localeCompare(b.id, 'en', { numeric: true });
const values = Object.values(all);
const city = values.filter((p) => p.scope === 'city');
const isHeadline = (id) => /^L\\d/.test(id) && !/\\.b\\d+$/.test(id);
const headline = city.filter((p) => isHeadline(p.id)).map(card).sort(byId);
const availability = city.filter((p) => p.id.startsWith('availability.')).map(card).sort(byId);
const columns = headline.map((c) => ({ id: c.id, name: c.name, unit: c.unit }));
const districts = [...new Set(values.map((p) => p.scope).filter((s) => s !== 'city'))].sort();
// A district is judged by its own threshold; one without is judged by the city's, and its cell says so.
const rows = districts.map((d) => {
  const cells = {};
  for (const c of columns) {
    const p = all[c.id + '|' + d];
    if (!p) continue;
    const own = threshold(c.id, d);
    const t = own || threshold(c.id, 'city');
    cells[c.id] = { value: p.value, unit: unit(p), state: state(p.value, t), below: t ? t.below : null, severity: t ? t.severity : null, against: own ? 'district' : t ? 'city' : null, ...quality(p) };
  }
  return { district: d, cells };
});
return [
  { topic: 'headline', payload: { ts: flow.get('lastUpdate'), timeZone, headline, availability } },
  { topic: 'districts', payload: { columns, rows } },
];`,
  [['cg-tpl-headline'], ['cg-tpl-districts']],
  2,
);
tpl('cg-tpl-headline', z, 'cg-grp-headline', 'headline gauges', 1, 12, T.HEADLINE, 900, 100, [
  ['cg-fn-explain-req'],
]);
tpl('cg-tpl-districts', z, 'cg-grp-districts', 'district table', 1, 6, T.DISTRICTS, 900, 140, [
  ['cg-fn-explain-req'],
]);

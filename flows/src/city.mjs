// The mayor's dashboard: live indicators, alerts with acknowledge, districts, devices down, 24-hour trends.
import { API, AS_PERSON, comment, fn, http, inject, mqttIn, tpl } from './nodes.mjs';
import * as T from './templates.mjs';

// ---- Mayor's dashboard -------------------------------------------------------------------------------
const z = 'cg-tab-city';
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
flow.set('lastUpdate', p.ts);
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
  [['cg-fn-view']],
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
const card = (p) => {
  const t = threshold(p.id, p.scope);
  // A why text is kept only while the value it explains is still 0 or empty.
  const why = p.value === null || p.value === 0 ? whys[p.id + '|' + p.scope] || null : null;
  return { id: p.id, name: p.name, value: p.value, means: p.means, below: t ? t.below : null, severity: t ? t.severity : null, state: state(p.value, t), why };
};
const byId = (a, b) => a.id.localeCompare(b.id, 'en', { numeric: true });
const values = Object.values(all);
const city = values.filter((p) => p.scope === 'city');
const isHeadline = (id) => /^L\\d/.test(id) && !/\\.b\\d+$/.test(id);
const headline = city.filter((p) => isHeadline(p.id)).map(card).sort(byId);
const availability = city.filter((p) => p.id.startsWith('availability.')).map(card).sort(byId);
const columns = headline.map((c) => ({ id: c.id, name: c.name }));
const districts = [...new Set(values.map((p) => p.scope).filter((s) => s !== 'city'))].sort();
const rows = districts.map((d) => {
  const cells = {};
  for (const c of columns) { const p = all[c.id + '|' + d]; if (p) cells[c.id] = { value: p.value, state: state(p.value, threshold(c.id, d)) }; }
  return { district: d, cells };
});
return [
  { topic: 'headline', payload: { ts: flow.get('lastUpdate'), timeZone, headline, availability } },
  { topic: 'districts', payload: { columns, rows } },
];`,
  [['cg-tpl-headline'], ['cg-tpl-districts']],
  2,
);
tpl('cg-tpl-headline', z, 'cg-grp-headline', 'headline gauges', 1, 12, T.HEADLINE, 900, 100, [[]]);
tpl('cg-tpl-districts', z, 'cg-grp-districts', 'district table', 1, 6, T.DISTRICTS, 900, 140, [[]]);

comment('cg-c-alerts', z, 'Alerts: the alert log, refreshed on every city/alerts event', '', 200, 260);
mqttIn('cg-in-alerts', z, 'city/alerts/+', 130, 300, [['cg-fn-alerts-req', 'cg-fn-thr-req']]);
inject('cg-inj-alerts', z, 'at start, every minute', 150, 340, 60, [['cg-fn-alerts-req']]);
fn(
  'cg-fn-alerts-req',
  z,
  'GET /api/alerts',
  380,
  320,
  `${API}msg.method = 'GET';
msg.url = api + '/api/alerts';
msg.headers = auth;
delete msg.payload;
return msg;`,
  [['cg-http-alerts']],
);
http('cg-http-alerts', z, '', 560, 320, [['cg-fn-alerts']]);
fn(
  'cg-fn-alerts',
  z,
  'open first, newest first',
  740,
  320,
  `if (msg.statusCode !== 200) { node.warn('alerts: HTTP ' + msg.statusCode); return null; }
const rank = (a) => (a.clearedAt ? 2 : a.acknowledgedAt ? 1 : 0);
const alerts = msg.payload.slice().sort((a, b) => rank(a) - rank(b) || b.raisedAt.localeCompare(a.raisedAt)).slice(0, 50);
return { topic: 'alerts', payload: { alerts, notice: flow.get('ackNotice'), timeZone: (global.get('city') || {}).timeZone } };`,
  [['cg-tpl-alerts']],
);
tpl('cg-tpl-alerts', z, 'cg-grp-alerts', 'alert list', 1, 12, T.ALERTS, 950, 320, [['cg-fn-ack']]);
fn(
  'cg-fn-ack',
  z,
  'POST ack',
  380,
  400,
  `// An acknowledgement is made by the person who clicked, whom the API takes from x-citygauge-person: it
// answers 403 to a role below operator and 409 to a second acknowledgement.
${API}if (msg.topic !== 'ack') return null;
const alertId = msg.payload && msg.payload.alertId;
if (typeof alertId !== 'string' || !alertId) return null;
${AS_PERSON}return {
  topic: 'ack',
  _client: msg._client,
  method: 'POST',
  url: api + '/api/alerts/' + encodeURIComponent(alertId) + '/ack',
  headers: { ...asPerson, 'content-type': 'application/json' },
  payload: {},
};`,
  [['cg-http-ack']],
);
http('cg-http-ack', z, '', 560, 400, [['cg-fn-ack-done']]);
fn(
  'cg-fn-ack-done',
  z,
  'notice, refresh',
  740,
  400,
  `const ok = msg.statusCode === 200;
flow.set('ackNotice', { ok, text: ok ? 'Acknowledged by ' + msg.payload.acknowledgedBy : 'Not acknowledged: ' + (msg.payload && msg.payload.message) });
return { topic: 'refresh' };`,
  [['cg-fn-alerts-req']],
);

comment(
  'cg-c-map',
  z,
  'Devices down: city/devices/down (retained) over every registered device',
  '',
  220,
  480,
);
inject('cg-inj-devs', z, 'at start, every 5 min', 150, 520, 300, [['cg-fn-devs-req']]);
fn(
  'cg-fn-devs-req',
  z,
  'GET /api/devices/positions',
  380,
  520,
  `${API}msg.method = 'GET';
msg.url = api + '/api/devices/positions?max=5000';
msg.headers = auth;
return msg;`,
  [['cg-http-devs']],
);
http('cg-http-devs', z, '', 560, 520, [['cg-fn-map']]);
mqttIn('cg-in-down', z, 'city/devices/down', 150, 580, [['cg-fn-map']]);
fn(
  'cg-fn-map',
  z,
  'map view',
  740,
  550,
  `// The map draws every registered device faintly and the ones down in red, so the shape of the city
// shows even when little is down.
if (msg.topic === 'city/devices/down') flow.set('down', msg.payload);
else if (msg.statusCode === 200) {
  flow.set('devices', msg.payload.devices.map(([id, lat, lon]) => ({ id, lat, lon })));
  flow.set('sampled', msg.payload.sampled ? msg.payload.placed : 0);
}
else { node.warn('devices: HTTP ' + msg.statusCode); return null; }
const down = flow.get('down') || {};
const all = flow.get('devices') || [];
return { topic: 'map', payload: { all, down: down.devices || [], count: down.count, total: down.total, timeZone: (global.get('city') || {}).timeZone,
  unplaced: (down.devices || []).filter((d) => d.lat === null || d.lon === null).length, sampled: flow.get('sampled') || 0 } };`,
  [['cg-tpl-map']],
);
tpl('cg-tpl-map', z, 'cg-grp-map', 'devices down map', 1, 6, T.MAP, 950, 550, [[]]);

comment(
  'cg-c-trends',
  z,
  'Trends: the last 24 hours of each headline indicator from the history API',
  '',
  250,
  640,
);
inject('cg-inj-trends', z, 'at start, every 5 min', 150, 680, 300, [['cg-fn-trends-req']]);
fn(
  'cg-fn-trends-req',
  z,
  'one GET per indicator',
  390,
  680,
  `${API}// The retained indicators arrive within a second of connecting; until they have, try again shortly.
const run = () => {
  const all = flow.get('indicators') || {};
  const ids = Object.values(all).filter((p) => p.scope === 'city' && /^L\\d/.test(p.id) && !/\\.b\\d+$/.test(p.id)).map((p) => p.id);
  if (!ids.length) { setTimeout(run, 3000); return; }
  const to = new Date();
  const from = new Date(to.getTime() - 24 * 3600 * 1000);
  flow.set('trendWindow', { from: from.toISOString(), to: to.toISOString() });
  for (const id of ids)
    node.send({ topic: id, method: 'GET', headers: auth, url: api + '/api/indicators/' + encodeURIComponent(id) + '/history?scope=city&every=5m&from=' + from.toISOString() + '&to=' + to.toISOString() });
};
run();
return null;`,
  [['cg-http-trends']],
);
http('cg-http-trends', z, '', 590, 680, [['cg-fn-trends']]);
fn(
  'cg-fn-trends',
  z,
  'trend view',
  760,
  680,
  `if (msg.statusCode !== 200) { node.warn('history ' + msg.topic + ': HTTP ' + msg.statusCode + ' ' + JSON.stringify(msg.payload)); return null; }
const trends = flow.get('trends') || {};
const all = flow.get('indicators') || {};
const p = all[msg.topic + '|city'];
trends[msg.topic] = { id: msg.topic, name: p ? p.name : msg.topic, points: msg.payload };
flow.set('trends', trends);
const series = Object.values(trends).sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
return { topic: 'trends', payload: { ...flow.get('trendWindow'), series, timeZone: (global.get('city') || {}).timeZone } };`,
  [['cg-tpl-trends']],
);
tpl('cg-tpl-trends', z, 'cg-grp-trends', '24-hour trends', 1, 12, T.TRENDS, 950, 680, [[]]);

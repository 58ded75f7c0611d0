// The City page (flows/src/city.mjs): the 24-hour trend charts.
import { API, comment, fn, http, inject, tpl } from '../nodes.mjs';
import * as T from '../templates.mjs';
import { SCALE_MAX } from './scale.mjs';
import { z } from './tab.mjs';

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
  // One retry waiting at a time, however many 5-minute ticks pass before the values come.
  if (!ids.length) {
    if (!context.get('retrying')) { context.set('retrying', true); setTimeout(() => { context.set('retrying', false); run(); }, 3000); }
    return;
  }
  const to = new Date();
  const from = new Date(to.getTime() - 24 * 3600 * 1000);
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
  `// One chart per headline indicator: its 24 hours of history, a value axis in its unit, hour ticks in the
// city's zone, its city threshold dashed at 'below', and the incidents open within the window whose devices
// feed it as bands.
// A history answer carries its indicator in msg.topic; 'redraw' (new thresholds or incidents) reuses them.
if (msg.topic !== 'redraw') {
  if (msg.statusCode !== 200) { node.warn('history ' + msg.topic + ': HTTP ' + msg.statusCode + ' ' + JSON.stringify(msg.payload)); return null; }
  const trends = flow.get('trends') || {};
  trends[msg.topic] = { id: msg.topic, points: msg.payload };
  flow.set('trends', trends);
}
// The window is the 24 hours to now at each drawing: an incident raised since the last history read shows.
const to = Date.now(), from = to - 24 * 3600 * 1000;
const win = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
const timeZone = (global.get('city') || {}).timeZone || 'UTC';
const all = flow.get('indicators') || {};
const thresholds = flow.get('thresholds') || [];
const x = (t) => Math.round(((t - from) / (to - from)) * 10000) / 10000;
// Whole hours in the city's zone, every third one labelled: a zone half an hour off UTC still ticks on its
// own hours, and a DST day has 23 or 25 of them.
const hourOf = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' });
const ticks = [];
for (let t = Math.ceil(from / 900000) * 900000; t <= to; t += 900000) {
  const [h, m] = hourOf.format(new Date(t)).split(':');
  if (m === '00' && Number(h) % 3 === 0) ticks.push({ x: x(t), label: h + ':00' });
}
const zoneName = (new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(to)).find((p) => p.type === 'timeZoneName') || {}).value || timeZone;
// Incidents open at any time in the window, clipped to it; merged ones are told by their district incident.
const incidents = (flow.get('trendIncidents') || [])
  .filter((i) => !i.mergedInto && Date.parse(i.raisedAt) < to && (!i.resolvedAt || Date.parse(i.resolvedAt) > from))
  .map((i) => {
    const start = Math.max(from, Date.parse(i.raisedAt));
    const end = i.resolvedAt ? Math.min(to, Date.parse(i.resolvedAt)) : to;
    const what = i.cause + ' ' + i.subject + (i.district ? ' (' + i.district + ')' : '');
    return { id: i.id, x1: x(start), x2: x(end), status: i.status, raisedAt: i.raisedAt, resolvedAt: i.resolvedAt, what, indicators: i.indicators };
  });
${SCALE_MAX}const trends = Object.values(flow.get('trends') || {});
if (!trends.length) return null;
const series = trends.map((s) => {
  const p = all[s.id + '|city'];
  const unit = p && typeof p.unit === 'string' ? p.unit : '%';
  const t = thresholds.find((t) => t.indicator === s.id && t.scope === 'city');
  const max = scaleMax(unit, [...s.points.map((q) => q.value), t ? t.below : null]);
  // Each chart marks the incidents whose devices feed it (an API without that list: every incident).
  const touching = incidents.filter((i) => !Array.isArray(i.indicators) || i.indicators.includes(s.id));
  const points = s.points.filter((q) => q.value !== null).map((q) => ({ x: x(Date.parse(q.ts)), value: q.value })).filter((q) => q.x >= 0);
  // The caption counts the points drawn, not those of the answer that slid out of the window or hold no value.
  return { id: s.id, name: p ? p.name : s.id, unit, max, below: t ? t.below : null, severity: t ? t.severity : null, incidents: touching, points, count: points.length };
}).sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
return { topic: 'trends', payload: { ...win, timeZone, zoneName, ticks, incidents, series } };`,
  [['cg-tpl-trends']],
);
fn(
  'cg-fn-trend-marks',
  z,
  'incidents for the trends',
  760,
  740,
  `// The incident list's answer, kept for the trend charts, which mark every incident open within their window.
if (msg.statusCode !== 200) return null;
flow.set('trendIncidents', msg.payload);
return { topic: 'redraw' };`,
  [['cg-fn-trends']],
);
tpl('cg-tpl-trends', z, 'cg-grp-trends', '24-hour trends', 1, 12, T.TRENDS, 950, 680, [[]]);

// The City page (flows/src/city.mjs): incidents, with acknowledge.
import { API, AS_PERSON, comment, fn, http, inject, mqttIn, tpl } from '../nodes.mjs';
import * as T from '../templates.mjs';
import { z } from './tab.mjs';

comment(
  'cg-c-incidents',
  z,
  'Incidents: GET /api/incidents on every city/incidents change and every minute; acknowledged in the name of the person who clicked',
  'One row per incident, open first. The browser reads an incident’s timeline itself (GET /api/incidents/{id}) when its row is opened.',
  300,
  900,
);
// Text: only that something changed matters here, and a cleared topic's empty message is no JSON.
mqttIn('cg-in-incidents', z, 'city/incidents/+', 140, 940, [['cg-fn-incidents-req']]).datatype = 'utf8';
inject('cg-inj-incidents', z, 'at start, every minute', 150, 980, 60, [['cg-fn-incidents-req']]);
fn(
  'cg-fn-incidents-req',
  z,
  'GET /api/incidents',
  380,
  960,
  `${API}// A power cut brings a burst of changes: one request at a time is enough, the last one reads them all.
// A change while one is under way asks for one more once it is back.
if (flow.get('incidentsPending')) {
  flow.set('incidentsAgain', true);
  return null;
}
flow.set('incidentsPending', true);
// The day's incidents for the list and the charts, and every one still open however many came since.
return { method: 'GET', url: api + '/api/incidents?limit=200&withOpen=true', headers: auth };`,
  [['cg-http-incidents']],
);
http('cg-http-incidents', z, '', 560, 960, [['cg-fn-incidents', 'cg-fn-trend-marks']]);
fn(
  'cg-fn-incidents',
  z,
  'open first, newest first',
  740,
  960,
  `flow.set('incidentsPending', false);
const again = flow.get('incidentsAgain') ? { topic: 'again' } : null;
flow.set('incidentsAgain', false);
if (msg.statusCode !== 200) { node.warn('incidents: HTTP ' + msg.statusCode); return [null, again]; }
const rank = { open: 0, recovering: 1, resolved: 2 };
// Incidents merged into a district incident are told by it; resolved ones stay for a day.
const dayAgo = Date.now() - 86400000;
const incidents = msg.payload
  .filter((i) => !i.mergedInto && (i.status !== 'resolved' || Date.parse(i.resolvedAt) > dayAgo))
  .sort((a, b) => rank[a.status] - rank[b.status] || b.raisedAt.localeCompare(a.raisedAt))
  .slice(0, 50);
return [{ topic: 'incidents', payload: { incidents, timeZone: (global.get('city') || {}).timeZone } }, again];`,
  [['cg-tpl-incidents'], ['cg-fn-incidents-req']],
  2,
);
tpl('cg-tpl-incidents', z, 'cg-grp-incidents', 'incident list', 1, 12, T.INCIDENTS, 950, 960, [
  ['cg-fn-incident-ack'],
]);
fn(
  'cg-fn-incident-ack',
  z,
  'POST ack',
  380,
  1040,
  `// Made by the person who clicked: the API answers 403 below operator and 409 to a second acknowledgement.
${API}if (msg.topic !== 'ack') return null;
const id = msg.payload && msg.payload.id;
if (typeof id !== 'string' || !id) return null;
${AS_PERSON}return {
  topic: 'ack',
  _client: msg._client,
  method: 'POST',
  url: api + '/api/incidents/' + encodeURIComponent(id) + '/ack',
  headers: { ...asPerson, 'content-type': 'application/json' },
  payload: {},
};`,
  [['cg-http-incident-ack']],
);
http('cg-http-incident-ack', z, '', 560, 1040, [['cg-fn-incident-ack-done']]);
fn(
  'cg-fn-incident-ack-done',
  z,
  'notice, refresh',
  740,
  1040,
  `// The notice to the person who clicked alone (their _client); the list, refreshed, to everyone.
const ok = msg.statusCode === 200;
const why = (msg.payload && msg.payload.message) || 'HTTP ' + msg.statusCode;
const notice = { topic: 'notice', _client: msg._client, payload: { ok, text: ok ? 'Acknowledged by ' + msg.payload.acknowledgedBy : 'Not acknowledged: ' + why } };
return [msg._client ? notice : null, { topic: 'refresh' }];`,
  [['cg-tpl-incidents'], ['cg-fn-incidents-req']],
  2,
);

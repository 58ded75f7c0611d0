// The City page (flows/src/city.mjs): the alert log, with acknowledge.
import { API, AS_PERSON, comment, fn, http, inject, mqttIn, tpl } from '../nodes.mjs';
import * as T from '../templates.mjs';
import { z } from './tab.mjs';

comment('cg-c-alerts', z, 'Alerts: the alert log, refreshed on every city/alerts event', '', 200, 260);
mqttIn('cg-in-alerts', z, 'city/alerts/+', 130, 300, [
  ['cg-fn-alerts-req', 'cg-fn-thr-req', 'cg-fn-budgets-req'],
]);
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
return { topic: 'alerts', payload: { alerts, timeZone: (global.get('city') || {}).timeZone } };`,
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
  `// The notice to the person who clicked alone (their _client); the list, refreshed, to everyone.
const ok = msg.statusCode === 200;
const why = (msg.payload && msg.payload.message) || 'HTTP ' + msg.statusCode;
const notice = { topic: 'notice', _client: msg._client, payload: { ok, text: ok ? 'Acknowledged by ' + msg.payload.acknowledgedBy : 'Not acknowledged: ' + why } };
return [msg._client ? notice : null, { topic: 'refresh' }];`,
  [['cg-tpl-alerts'], ['cg-fn-alerts-req']],
  2,
);

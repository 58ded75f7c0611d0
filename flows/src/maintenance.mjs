// The operators' maintenance page: plan a window (POST /api/maintenance), list them (GET), cancel a planned
// one or end an open one early (DELETE), each in the name of the operator on the page.
import { API, AS_PERSON, comment, fn, http, tpl } from './nodes.mjs';
import * as T from './templates.mjs';

// ---- Maintenance --------------------------------------------------------------------------------------
const m = 'cg-tab-maintenance';
comment(
  'cg-c-maintenance',
  m,
  'Maintenance windows: planned, listed and cancelled for the operator on the page, answered to their browser only',
  'Every request names the operator (x-citygauge-person): the API checks their role (writes are for operators) and records each change as theirs in the audit trail. The answer carries the asking browser’s socket id, so it goes to that browser only.',
  320,
  40,
);
tpl(
  'cg-tpl-maintenance',
  m,
  'cg-grp-maintenance',
  'maintenance windows',
  1,
  12,
  T.MAINTENANCE,
  170,
  100,
  [['cg-fn-maintenance-req']],
  { storeOutMessages: false, resendOnRefresh: false },
);
fn(
  'cg-fn-maintenance-req',
  m,
  'GET, POST or DELETE /api/maintenance',
  430,
  100,
  `${API}${AS_PERSON}const url = api + '/api/maintenance';
const json = { ...asPerson, 'content-type': 'application/json' };
if (msg.topic === 'plan')
  return { topic: 'plan', _client: msg._client, method: 'POST', url, headers: json, payload: msg.payload };
if (msg.topic === 'cancel' && msg.payload && typeof msg.payload.id === 'string')
  return { topic: 'cancel', _client: msg._client, method: 'DELETE', url: url + '/' + encodeURIComponent(msg.payload.id), headers: asPerson };
return { topic: 'load', _client: msg._client, method: 'GET', url, headers: asPerson };`,
  [['cg-http-maintenance']],
);
http('cg-http-maintenance', m, '', 650, 100, [['cg-fn-maintenance']]);
fn(
  'cg-fn-maintenance',
  m,
  'windows, or what was done',
  840,
  100,
  `const timeZone = (global.get('city') || {}).timeZone;
const why = 'HTTP ' + msg.statusCode + ': ' + ((msg.payload && msg.payload.message) || msg.payload);
if (msg.topic === 'load') {
  const ok = msg.statusCode === 200 && Array.isArray(msg.payload);
  return { topic: 'maintenance', _client: msg._client, payload: ok ? { windows: msg.payload, timeZone } : { notice: { ok: false, text: 'The windows did not load (' + why + ')' }, timeZone } };
}
const ok = msg.statusCode === 200 || msg.statusCode === 201;
const done = msg.topic === 'plan' ? 'Planned' : msg.payload && msg.payload.status === 'cancelled' ? 'Cancelled' : 'Ended';
const n = ok ? msg.payload.deviceCount : 0;
const text = ok ? done + ': ' + msg.payload.reason + ' (' + n + (n === 1 ? ' device' : ' devices') + ').' : 'Not done (' + why + ')';
// A change reloads the list in the browser that made it.
return { topic: 'maintenance', _client: msg._client, payload: { notice: { ok, text }, changed: ok, timeZone } };`,
  [['cg-tpl-maintenance']],
);

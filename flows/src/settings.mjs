// The admins' settings page: the alert thresholds, read from GET /api/thresholds and replaced whole with
// PUT /api/thresholds in the name of the admin who saves them.
import { API, AS_PERSON, comment, fn, http, tpl } from './nodes.mjs';
import * as T from './templates.mjs';

// ---- Settings -----------------------------------------------------------------------------------------
const s = 'cg-tab-settings';
comment(
  'cg-c-settings',
  s,
  'Thresholds: read and saved for the admin on the page, answered to their browser only',
  'Every request names the admin (x-citygauge-person): the API checks their role (PUT /api/thresholds is for admins) and records the change as theirs in the audit trail. The answer carries the asking browser’s socket id, so it goes to that browser only.',
  300,
  40,
);
tpl(
  'cg-tpl-thresholds',
  s,
  'cg-grp-thresholds',
  'thresholds editor',
  1,
  12,
  T.THRESHOLDS,
  170,
  100,
  [['cg-fn-thresholds-req']],
  { storeOutMessages: false, resendOnRefresh: false },
);
fn(
  'cg-fn-thresholds-req',
  s,
  'GET or PUT /api/thresholds',
  420,
  100,
  `${API}${AS_PERSON}const url = api + '/api/thresholds';
if (msg.topic === 'save')
  return { topic: 'save', _client: msg._client, method: 'PUT', url, headers: { ...asPerson, 'content-type': 'application/json' }, payload: msg.payload };
return { topic: 'load', _client: msg._client, method: 'GET', url, headers: asPerson };`,
  [['cg-http-thresholds']],
);
http('cg-http-thresholds', s, '', 620, 100, [['cg-fn-thresholds']]);
fn(
  'cg-fn-thresholds',
  s,
  'thresholds or reasons',
  800,
  100,
  `// A refused save sends no list, so the page keeps the admin's edits beside the API's reasons.
const ok = msg.statusCode === 200 && Array.isArray(msg.payload);
const why = 'HTTP ' + msg.statusCode + ': ' + ((msg.payload && msg.payload.message) || msg.payload);
const notice = msg.topic === 'save'
  ? { ok, text: ok ? 'Saved ' + msg.payload.length + (msg.payload.length === 1 ? ' threshold.' : ' thresholds.') : 'Not saved (' + why + ')' }
  : ok ? null : { ok, text: 'The thresholds did not load (' + why + ')' };
return { topic: 'thresholds', _client: msg._client, payload: { thresholds: ok ? msg.payload : undefined, notice } };`,
  [['cg-tpl-thresholds']],
);

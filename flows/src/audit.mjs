// The admins' audit page: the audit trail from GET /api/audit, filtered by actor and action.
import { API, AS_PERSON, comment, fn, http, tpl } from './nodes.mjs';
import * as T from './templates.mjs';

// ---- Audit --------------------------------------------------------------------------------------------
const a = 'cg-tab-audit';
comment(
  'cg-c-audit',
  a,
  'Audit trail: read for the admin looking at it, answered to their browser only',
  'The page asks every 10 s and on Refresh. The request names the admin (x-citygauge-person): the dashboard’s own account reads as a viewer, and the audit trail is for admins. The answer carries the asking browser’s socket id, so it goes to that browser only and is not kept for others.',
  280,
  40,
);
tpl('cg-tpl-audit', a, 'cg-grp-audit', 'audit trail', 1, 12, T.AUDIT, 170, 100, [['cg-fn-audit-req']], {
  storeOutMessages: false,
  resendOnRefresh: false,
});
fn(
  'cg-fn-audit-req',
  a,
  'GET /api/audit',
  400,
  100,
  `${API}${AS_PERSON}const f = msg.payload || {};
let url = api + '/api/audit?limit=100';
for (const k of ['actor', 'action']) if (typeof f[k] === 'string' && f[k]) url += '&' + k + '=' + encodeURIComponent(f[k]);
return { topic: 'audit', _client: msg._client, method: 'GET', url, headers: asPerson };`,
  [['cg-http-audit']],
);
http('cg-http-audit', a, '', 580, 100, [['cg-fn-audit']]);
fn(
  'cg-fn-audit',
  a,
  'entries, in the city’s time',
  770,
  100,
  `// Times on the page in the city's zone (kept by the dashboard tab from GET /api/city).
const timeZone = (global.get('city') || {}).timeZone;
const payload = msg.statusCode === 200 && msg.payload && Array.isArray(msg.payload.entries)
  ? { entries: msg.payload.entries, next: msg.payload.next, timeZone, fetchedAt: new Date().toISOString() }
  : { message: 'The audit trail did not load (HTTP ' + msg.statusCode + '): ' + ((msg.payload && msg.payload.message) || msg.payload), timeZone };
return { topic: 'audit', _client: msg._client, payload };`,
  [['cg-tpl-audit']],
);

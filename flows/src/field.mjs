// The field engineers' page: register a device, look one up, upload inventory files.
import { API, AS_PERSON, comment, fn, http, tpl } from './nodes.mjs';
import * as T from './templates.mjs';

// ---- Field engineers ----------------------------------------------------------------------------------
const f = 'cg-tab-field';
comment(
  'cg-c-field',
  f,
  'Field engineers: each form calls the HTTP API and answers only the browser that asked',
  'The dashboard scopes replies to ui-template widgets to the asking client (ui-base acceptsClientConfig), so a new device secret is shown once, to the person who registered it.',
  300,
  40,
);
tpl(
  'cg-tpl-register',
  f,
  'cg-grp-register',
  'register a device',
  1,
  6,
  T.REGISTER,
  170,
  100,
  [['cg-fn-register']],
  { storeOutMessages: false, resendOnRefresh: false },
);
fn(
  'cg-fn-register',
  f,
  'POST /api/devices',
  400,
  100,
  `// Registered in the name of the engineer who filled in the form; the answer goes to their browser only.
${API}${AS_PERSON}return {
  topic: 'register',
  _client: msg._client,
  method: 'POST',
  url: api + '/api/devices',
  headers: { ...asPerson, 'content-type': 'application/json' },
  payload: msg.payload,
  pageHost: msg.pageHost,
};`,
  [['cg-http-register']],
);
http('cg-http-register', f, '', 590, 100, [['cg-fn-registered']]);
fn(
  'cg-fn-registered',
  f,
  'secret, connection or reasons',
  770,
  100,
  `const ok = msg.statusCode === 201;
msg.topic = 'registered';
// The flows call the API on loopback, so its URL names 127.0.0.1: the engineer reached the city by the page's host.
const LOOPBACK = /^(127\\.|localhost$|\\[?::1\\]?$)/;
let connection = ok ? msg.payload.connection : undefined;
const parts = connection && /^([a-z]+:\\/\\/)(\\[[^\\]]*\\]|[^:/]+)(.*)$/.exec(connection.url);
const page = msg.pageHost && (msg.pageHost.includes(':') && msg.pageHost[0] !== '[' ? '[' + msg.pageHost + ']' : msg.pageHost);
if (parts && page && LOOPBACK.test(parts[2]) && !LOOPBACK.test(page)) connection = { ...connection, url: parts[1] + page + parts[3] };
msg.payload = ok ? { ok, id: msg.payload.id, secret: msg.payload.secret, connection } : { ok, status: msg.statusCode, message: msg.payload && msg.payload.message };
if (ok) node.log('device ' + msg.payload.id + ' registered from the dashboard');
return msg;`,
  [['cg-tpl-register']],
);
tpl('cg-tpl-lookup', f, 'cg-grp-lookup', 'look up a device', 1, 6, T.LOOKUP, 170, 180, [['cg-fn-lookup']], {
  storeOutMessages: false,
  resendOnRefresh: false,
});
fn(
  'cg-fn-lookup',
  f,
  'GET /api/devices/:id/status',
  420,
  180,
  `${API}msg.method = 'GET';
msg.url = api + '/api/devices/' + encodeURIComponent(msg.payload.id) + '/status';
msg.headers = auth;
return msg;`,
  [['cg-http-lookup']],
);
http('cg-http-lookup', f, '', 620, 180, [['cg-fn-looked']]);
fn(
  'cg-fn-looked',
  f,
  'status and messages',
  790,
  180,
  `// Say in words why a device is down: the API's reason, told apart by what the engine last heard.
msg.topic = 'device';
// Times on the page in the city's zone (kept by the dashboard tab from GET /api/city).
const timeZone = (global.get('city') || {}).timeZone;
if (msg.statusCode !== 200) {
  msg.payload = { message: (msg.payload && msg.payload.message) || 'HTTP ' + msg.statusCode };
  return msg;
}
const st = msg.payload.status;
if (st && st.reason) {
  const silent = st.staleAt && Date.parse(st.staleAt) <= Date.now();
  st.why = {
    offline: !st.lastSeen ? 'never heard since the engine started'
      : silent ? 'silent: nothing for 3 × its interval (' + st.expectedIntervalS + ' s)'
      : 'said offline (its status message or its Last Will)',
    'behind-offline-gateway': 'its gateway is offline',
    'video-lost': 'online, but its video is lost',
    'not-shared': 'online, not connected to the sharing platform',
    'not-hd': 'not an HD camera',
  }[st.reason] || st.reason;
}
msg.payload.timeZone = timeZone;
return msg;`,
  [['cg-tpl-lookup']],
);
tpl('cg-tpl-upload', f, 'cg-grp-upload', 'upload inventory', 1, 12, T.UPLOAD, 170, 260, [['cg-fn-upload']], {
  storeOutMessages: false,
  resendOnRefresh: false,
});
fn(
  'cg-fn-upload',
  f,
  'POST /api/inventory',
  400,
  260,
  `// The API takes the files as multipart form data, one part per file named as the file.
${API}${AS_PERSON}const files = (msg.payload && msg.payload.files) || [];
const parts = {};
for (const file of files) parts[file.name] = { value: Buffer.from(file.text, 'utf8'), options: { filename: file.name } };
return {
  topic: 'upload',
  _client: msg._client,
  method: 'POST',
  url: api + '/api/inventory' + (msg.payload && msg.payload.strict ? '?strict=true' : ''),
  headers: { ...asPerson, 'content-type': 'multipart/form-data' },
  payload: parts,
};`,
  [['cg-http-upload']],
);
http('cg-http-upload', f, '', 590, 260, [['cg-fn-uploaded']]);
fn(
  'cg-fn-uploaded',
  f,
  'counts and row errors',
  780,
  260,
  `// 422: nothing applied, with the same counts and row errors as a 200.
msg.topic = 'uploaded';
if (msg.statusCode !== 200 && msg.statusCode !== 422) msg.payload = { status: msg.statusCode, message: (msg.payload && msg.payload.message) || String(msg.payload) };
return msg;`,
  [['cg-tpl-upload']],
);

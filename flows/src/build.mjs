// Builds flows/citygauge.json, the flows `citygauge start` seeds Node-RED with (`npm run flows`). The
// widgets' Vue templates live in templates.mjs and the function nodes' code here, where they can be read
// and reviewed as code; test/red/flows.test.ts checks the JSON is current. Changed a flow in the editor
// instead? Export it over flows/citygauge.json and carry the change back here.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as T from './templates.mjs';

const nodes = [];
const add = (n) => {
  nodes.push(n);
  return n;
};
const fn = (id, z, name, x, y, func, wires, outputs = 1, extra = {}) =>
  add({
    id,
    type: 'function',
    z,
    name,
    func,
    outputs,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    x,
    y,
    wires,
    ...extra,
  });
const http = (id, z, name, x, y, wires) =>
  add({
    id,
    type: 'http request',
    z,
    name,
    method: 'use',
    ret: 'obj',
    paytoqs: 'ignore',
    url: '',
    tls: '',
    persist: false,
    proxy: '',
    insecureHTTPParser: false,
    authType: '',
    senderr: false,
    headers: [],
    x,
    y,
    wires,
  });
const inject = (id, z, name, x, y, repeat, wires, topic = '') =>
  add({
    id,
    type: 'inject',
    z,
    name,
    props: [{ p: 'topic', vt: 'str' }],
    repeat: String(repeat),
    crontab: '',
    once: true,
    onceDelay: '1',
    topic,
    x,
    y,
    wires,
  });
const mqttIn = (id, z, topic, x, y, wires) =>
  add({
    id,
    type: 'mqtt in',
    z,
    name: topic,
    topic,
    qos: '1',
    datatype: 'json',
    broker: 'cg-mqtt',
    nl: false,
    rap: true,
    rh: 0,
    inputs: 0,
    x,
    y,
    wires,
  });
const tpl = (id, z, group, name, order, width, format, x, y, wires, extra = {}) =>
  add({
    id,
    type: 'ui-template',
    z,
    group,
    page: '',
    ui: '',
    name,
    order,
    width: String(width),
    height: '0',
    head: '',
    format,
    storeOutMessages: true,
    passthru: false,
    resendOnRefresh: true,
    templateScope: 'local',
    className: '',
    x,
    y,
    wires,
    ...extra,
  });
const comment = (id, z, name, info, x, y) => add({ id, type: 'comment', z, name, info, x, y, wires: [] });
const group = (id, page, name, width, order) =>
  add({
    id,
    type: 'ui-group',
    name,
    page,
    width: String(width),
    height: '1',
    order,
    showTitle: true,
    className: '',
    visible: 'true',
    disabled: 'false',
    groupType: 'default',
  });
const page = (id, name, path, icon, order) =>
  add({
    id,
    type: 'ui-page',
    name,
    ui: 'cg-ui-base',
    path,
    icon,
    layout: 'grid',
    theme: 'cg-ui-theme',
    breakpoints: [
      { name: 'Default', px: 0, cols: 3 },
      { name: 'Tablet', px: 576, cols: 6 },
      { name: 'Small Desktop', px: 768, cols: 9 },
      { name: 'Desktop', px: 1024, cols: 12 },
    ],
    order,
    className: '',
    visible: 'true',
    disabled: 'false',
  });

// Shared lines for function nodes: the API's base URL and the account's bearer token come from the
// environment citygauge sets for the Node-RED it embeds (red/embedded-red.ts).
const API = `const api = env.get('CITYGAUGE_API_URL');\nconst auth = { authorization: 'Bearer ' + env.get('CITYGAUGE_RED_TOKEN') };\n`;

add({
  id: 'cg-tab-city',
  type: 'tab',
  label: "Mayor's dashboard",
  disabled: false,
  info: 'Live indicators from the retained city/indicators/# topics, alerts, devices down and 24-hour trends from the history API.',
});
add({
  id: 'cg-tab-routes',
  type: 'tab',
  label: 'Alert routes',
  disabled: false,
  info: 'Every alert event (raise, acknowledge, clear) from city/alerts/+ goes to the routes below. Log and MQTT are on; e-mail and webhook are configured but disabled: fill in your server and enable them.',
});
add({
  id: 'cg-tab-field',
  type: 'tab',
  label: 'Field engineers',
  disabled: false,
  info: 'Register devices, upload inventory files and look up a device, through the citygauge HTTP API.',
});

add({
  id: 'cg-mqtt',
  type: 'mqtt-broker',
  name: 'citygauge broker',
  // Node-RED's own environment substitution, not a JavaScript template.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Node-RED ${ENV} reference
  broker: '${CITYGAUGE_MQTT_HOST}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Node-RED ${ENV} reference
  port: '${CITYGAUGE_MQTT_PORT}',
  clientid: '',
  autoConnect: true,
  usetls: false,
  protocolVersion: '4',
  keepalive: '60',
  cleansession: true,
  autoUnsubscribe: true,
  birthTopic: '',
  birthQos: '0',
  birthPayload: '',
  birthMsg: {},
  closeTopic: '',
  closeQos: '0',
  closePayload: '',
  closeMsg: {},
  willTopic: '',
  willQos: '0',
  willPayload: '',
  willMsg: {},
  userProps: '',
  sessionExpiry: '',
});
add({
  id: 'cg-ui-base',
  type: 'ui-base',
  name: 'citygauge',
  path: '/dashboard',
  appIcon: '',
  includeClientData: true,
  acceptsClientConfig: ['ui-notification', 'ui-control', 'ui-template'],
  showPathInSidebar: false,
  headerContent: 'page',
  navigationStyle: 'icon',
  titleBarStyle: 'default',
  showReconnectNotification: true,
  notificationDisplayTime: 1,
  showDisconnectNotification: true,
  allowInstall: false,
});
add({
  id: 'cg-ui-theme',
  type: 'ui-theme',
  name: 'citygauge',
  colors: {
    surface: '#1f3a5f',
    primary: '#1f6feb',
    bgPage: '#eef1f5',
    groupBg: '#ffffff',
    groupOutline: '#d0d7de',
  },
  sizes: {
    density: 'default',
    pagePadding: '12px',
    groupGap: '12px',
    groupBorderRadius: '6px',
    widgetGap: '12px',
  },
});
page('cg-page-city', 'City', '/city', 'city', 1);
page('cg-page-field', 'Field engineers', '/field', 'tools', 2);
// The ISO/IEC 30146 scorecard is served by citygauge itself (GET /report), so the dashboard links to it.
add({
  id: 'cg-link-report',
  type: 'ui-link',
  name: 'Scorecard',
  ui: 'cg-ui-base',
  path: '/report',
  icon: 'chart-box',
  order: 3,
  className: '',
  linkType: 'url',
  visible: 'true',
  disabled: 'false',
});
group('cg-grp-headline', 'cg-page-city', 'Live indicators', 12, 1);
group('cg-grp-alerts', 'cg-page-city', 'Alerts', 12, 2);
group('cg-grp-districts', 'cg-page-city', 'Districts', 6, 3);
group('cg-grp-map', 'cg-page-city', 'Devices down', 6, 4);
group('cg-grp-trends', 'cg-page-city', 'Last 24 hours', 12, 5);
group('cg-grp-register', 'cg-page-field', 'Register a device', 6, 1);
group('cg-grp-lookup', 'cg-page-field', 'Look up a device', 6, 2);
group('cg-grp-upload', 'cg-page-field', 'Upload inventory', 12, 3);
add({
  id: 'cg-style',
  type: 'ui-template',
  z: 'cg-tab-city',
  group: '',
  page: '',
  ui: 'cg-ui-base',
  name: 'citygauge styles',
  order: 0,
  width: 0,
  height: 0,
  head: '',
  format: T.STYLE.replace(/<\/?style>/g, '').trim(),
  storeOutMessages: true,
  passthru: true,
  resendOnRefresh: true,
  templateScope: 'site:style',
  className: '',
  x: 140,
  y: 40,
  wires: [[]],
});

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
inject('cg-inj-thr', z, 'thresholds at start, every 15 s', 190, 180, 15, [['cg-fn-thr-req']]);
fn(
  'cg-fn-thr-req',
  z,
  'GET /api/thresholds',
  420,
  180,
  `${API}msg.method = 'GET';
msg.url = api + '/api/thresholds';
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
const threshold = (id, scope) => thresholds.find((t) => t.indicator === id && t.scope === scope);
const state = (v, t) => v === null ? 'nodata' : !t ? 'none' : v < t.below ? 'alarm' : v < t.clearAt ? 'warn' : 'ok';
const card = (p) => {
  const t = threshold(p.id, p.scope);
  return { id: p.id, name: p.name, value: p.value, means: p.means, below: t ? t.below : null, severity: t ? t.severity : null, state: state(p.value, t) };
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
  { topic: 'headline', payload: { ts: flow.get('lastUpdate'), headline, availability } },
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
return { topic: 'alerts', payload: { alerts, notice: flow.get('ackNotice') } };`,
  [['cg-tpl-alerts']],
);
tpl('cg-tpl-alerts', z, 'cg-grp-alerts', 'alert list', 1, 12, T.ALERTS, 950, 320, [['cg-fn-ack']]);
fn(
  'cg-fn-ack',
  z,
  'POST ack',
  380,
  400,
  `// An acknowledgement names the person who clicked; the API refuses a second one with 409.
${API}if (msg.topic !== 'ack') return null;
msg.method = 'POST';
msg.url = api + '/api/alerts/' + encodeURIComponent(msg.payload.alertId) + '/ack';
msg.headers = { ...auth, 'content-type': 'application/json' };
msg.payload = { by: msg.payload.by };
return msg;`,
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
return { topic: 'map', payload: { all, down: down.devices || [], count: down.count, total: down.total,
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
    node.send({ topic: id, method: 'GET', url: api + '/api/indicators/' + encodeURIComponent(id) + '/history?scope=city&every=5m&from=' + from.toISOString() + '&to=' + to.toISOString() });
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
return { topic: 'trends', payload: { ...flow.get('trendWindow'), series } };`,
  [['cg-tpl-trends']],
);
tpl('cg-tpl-trends', z, 'cg-grp-trends', '24-hour trends', 1, 12, T.TRENDS, 950, 680, [[]]);

// ---- Alert routes -------------------------------------------------------------------------------------
const r = 'cg-tab-routes';
comment(
  'cg-c-routes',
  r,
  'Every alert event goes to each route; enable e-mail and webhook once configured',
  'Log and MQTT are on. To e-mail the duty officers, set the SMTP server and account in the "e-mail duty officers" node and enable it; set CITYGAUGE_ALERT_WEBHOOK (or the URL in "webhook request") and enable the webhook nodes.',
  270,
  40,
);
mqttIn('cg-in-routes', r, 'city/alerts/+', 130, 120, [['cg-fn-route']]);
fn(
  'cg-fn-route',
  r,
  'describe the event',
  340,
  120,
  `// One readable line per event for every route; raise and clear go to people, acknowledgements only to the log.
const a = msg.payload;
if (!a || typeof a !== 'object') return null;
const what = a.event === 'raise' ? 'RAISED' : a.event === 'clear' ? 'cleared' : a.event === 'acknowledge' ? 'acknowledged' : a.event;
const text = a.message
  ? '[' + (a.severity || 'alert') + '] ' + a.id + ' ' + what + ': ' + a.message
  : '[' + a.severity + '] ' + a.indicator + ' (' + a.scope + ') ' + what + ': value ' + Number(a.value).toFixed(1) + ', alert below ' + a.below + (a.acknowledgedBy ? ', by ' + a.acknowledgedBy : '');
msg.alert = a;
msg.topic = text;
const toPeople = a.event !== 'acknowledge' ? msg : null;
return [msg, toPeople, toPeople, toPeople];`,
  [['cg-fn-log'], ['cg-fn-mqtt-route'], ['cg-fn-email'], ['cg-fn-webhook']],
  4,
);
fn(
  'cg-fn-log',
  r,
  'log route (on)',
  600,
  60,
  `node.warn(msg.topic);
return null;`,
  [[]],
);
fn(
  'cg-fn-mqtt-route',
  r,
  'MQTT route (on)',
  600,
  110,
  `// Pagers, SMS gateways and other systems subscribe here; city/alerts/+ is the engine's, so no loop.
const a = msg.alert;
msg.payload = { ...a, text: msg.topic };
msg.topic = 'city/alerts/notify/' + (a.severity || 'major') + '/' + (a.indicator || a.id);
return msg;`,
  [['cg-out-notify']],
);
add({
  id: 'cg-out-notify',
  type: 'mqtt out',
  z: r,
  name: 'city/alerts/notify/<severity>/<indicator>',
  topic: '',
  qos: '1',
  retain: 'false',
  respTopic: '',
  contentType: '',
  userProps: '',
  correl: '',
  expiry: '',
  broker: 'cg-mqtt',
  x: 880,
  y: 110,
  wires: [],
});
fn(
  'cg-fn-email',
  r,
  'e-mail text',
  600,
  170,
  `// Recipients and sender from the environment, so the same flows serve every city.
msg.to = env.get('CITYGAUGE_ALERT_EMAIL') || 'duty-officers@example.org';
msg.from = env.get('CITYGAUGE_ALERT_FROM') || 'citygauge@example.org';
msg.payload = msg.topic + '\\n\\nOpen the dashboard to acknowledge it.';
return msg;`,
  [['cg-email']],
);
add({
  id: 'cg-email',
  type: 'e-mail',
  z: r,
  d: true,
  server: 'smtp.example.org',
  port: '587',
  authtype: 'BASIC',
  saslformat: true,
  token: 'oauth2Response.access_token',
  secure: false,
  tls: true,
  // Empty: the recipients are msg.to (CITYGAUGE_ALERT_EMAIL); a name here would override them.
  name: '',
  dname: 'e-mail duty officers (off)',
  x: 860,
  y: 170,
  wires: [],
});
fn(
  'cg-fn-webhook',
  r,
  'webhook body',
  600,
  230,
  `msg.method = 'POST';
msg.url = env.get('CITYGAUGE_ALERT_WEBHOOK') || 'https://hooks.example.org/citygauge';
msg.headers = { 'content-type': 'application/json' };
msg.payload = { text: msg.topic, alert: msg.alert };
return msg;`,
  [['cg-http-webhook']],
  1,
  { d: true },
);
http('cg-http-webhook', r, 'webhook request (off)', 860, 230, [[]]);
nodes.find((n) => n.id === 'cg-http-webhook').d = true;

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
  `${API}msg.method = 'POST';
msg.url = api + '/api/devices';
msg.headers = { ...auth, 'content-type': 'application/json' };
return msg;`,
  [['cg-http-register']],
);
http('cg-http-register', f, '', 590, 100, [['cg-fn-registered']]);
fn(
  'cg-fn-registered',
  f,
  'secret or reasons',
  770,
  100,
  `const ok = msg.statusCode === 201;
msg.topic = 'registered';
msg.payload = ok ? { ok, id: msg.payload.id, secret: msg.payload.secret } : { ok, status: msg.statusCode, message: msg.payload && msg.payload.message };
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
${API}const files = msg.payload.files || [];
msg.method = 'POST';
msg.url = api + '/api/inventory' + (msg.payload.strict ? '?strict=true' : '');
msg.headers = { ...auth, 'content-type': 'multipart/form-data' };
msg.payload = {};
for (const file of files) msg.payload[file.name] = { value: Buffer.from(file.text, 'utf8'), options: { filename: file.name } };
return msg;`,
  [['cg-http-upload']],
);
http('cg-http-upload', f, '', 590, 260, [['cg-fn-uploaded']]);
fn(
  'cg-fn-uploaded',
  f,
  'counts and row errors',
  780,
  260,
  `msg.topic = 'uploaded';
if (msg.statusCode !== 200) msg.payload = { status: msg.statusCode, message: (msg.payload && msg.payload.message) || String(msg.payload) };
return msg;`,
  [['cg-tpl-upload']],
);

export const FLOWS_JSON = `${JSON.stringify(nodes, null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? fileURLToPath(new URL('../citygauge.json', import.meta.url));
  writeFileSync(out, FLOWS_JSON);
  console.log(`${out}: ${nodes.length} nodes`);
}

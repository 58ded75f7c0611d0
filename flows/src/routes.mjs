// Alert routes: every alert event to a log and to MQTT (on), to e-mail and a webhook (configured, off); one
// notification per root-cause incident (issue 14 item 1), not one per camera it darkened.
import { add, comment, fn, http, mqttIn } from './nodes.mjs';

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
const burn = a.kind === 'burn-rate' && a.detail
  ? Object.entries(a.detail.windows || {}).map(([w, v]) => (v === null ? '—' : Number(v).toFixed(1)) + 'x over ' + w).join(' and ')
  : '';
const text = a.message
  ? '[' + (a.severity || 'alert') + '] ' + a.id + ' ' + what + ': ' + a.message
  : burn
  ? '[' + a.severity + '] ' + a.indicator + ' (' + a.scope + ') error budget ' + a.detail.rule + ' ' + what + ': burning ' + burn + ' (objective ' + a.detail.target + ' % over ' + a.detail.window + ')' + (a.acknowledgedBy ? ', by ' + a.acknowledgedBy : '')
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
// When, on the city's clocks (GET /api/city, kept by the dashboard tab), not the server's.
const zone = (global.get('city') || {}).timeZone || 'UTC';
const p = {};
for (const x of new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' }).formatToParts(new Date(msg.alert.at || Date.now()))) p[x.type] = x.value;
const when = p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute + ':' + p.second + ' ' + p.timeZoneName + ' (' + zone + ')';
msg.payload = msg.topic + '\\nAt ' + when + '.\\n\\nOpen the dashboard to acknowledge it.';
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
// ---- Incidents on the same routes -----------------------------------------------------------------------
comment(
  'cg-c-incident-routes',
  r,
  'One e-mail per incident, when it is raised; its resolution to the log, MQTT and the webhook',
  'city/incidents/<id> carries each incident as it stands, with what happened since the engine’s last tick. A raise is held for CITYGAUGE_INCIDENT_WAIT_S (60 s, the district window): an incident merged into a district incident by then is never sent, so a power cut is one e-mail. Devices joining an incident, refailures and acknowledgements go to no one; a retained copy replayed when the flows connect is not sent again.',
  290,
  300,
);
// Text, not JSON: the engine clears a resolved incident's retained topic with an empty message, not news.
mqttIn('cg-in-incident-routes', r, 'city/incidents/+', 140, 360, [['cg-fn-incident-route']]).datatype =
  'utf8';
fn(
  'cg-fn-incident-route',
  r,
  'describe the incident',
  350,
  360,
  `let i;
try {
  i = JSON.parse(msg.payload);
} catch {
  return null; // an empty message: a resolved incident's retained topic cleared
}
if (!i || typeof i !== 'object' || !Array.isArray(i.events) || typeof i.id !== 'string') return null;
// Merged (a district incident took it over): remembered, so the held raise is dropped.
const merged = context.get('merged') || {};
if (i.mergedInto) {
  merged[i.id] = true;
  context.set('merged', merged);
  return null;
}
// A retained copy delivered as the flows (re)subscribe, or an old raise, is not news.
const raised = i.events.includes('raised') && !msg.retain && Date.now() - Date.parse(i.raisedAt) < 600000;
const resolved = i.events.includes('resolved');
if (!raised && !resolved) return null;
const n = (k, one, many) => k + ' ' + (k === 1 ? one : many);
const what =
  i.cause === 'gateway' ? 'gateway ' + i.subject + ' down' + (i.effects.length ? ', ' + n(i.effects.length, 'camera', 'cameras') + ' dark behind it' : '')
  : i.cause === 'district' ? 'district ' + i.subject + ': ' + n(i.devices.length, 'device', 'devices') + ' down together' + (i.effects.length ? ' (and ' + n(i.effects.length, 'camera', 'cameras') + ' behind their gateways)' : '')
  : i.subject + ' down';
const where = i.district && i.cause !== 'district' ? ' (' + i.district + ')' : '';
const severity = i.cause === 'district' ? 'critical' : 'major';
const send = (event, at) => {
  const m = { ...msg, alert: { id: i.id, event, severity, at, incident: i }, topic: '[' + severity + '] incident ' + i.id + ' ' + (event === 'raise' ? 'RAISED' : 'resolved') + ': ' + what + where };
  // One e-mail per incident: its resolution goes to the log, MQTT and the webhook.
  node.send([m, m, event === 'raise' ? m : null, m]);
};
if (resolved) {
  delete merged[i.id];
  context.set('merged', merged);
  send('clear', i.resolvedAt);
  return null;
}
// The raises held right now, in the node's status (and for a test to wait on, instead of a sleep).
const hold = (d) => {
  const n = (context.get('holding') || 0) + d;
  context.set('holding', n);
  node.status(n ? { fill: 'yellow', shape: 'ring', text: 'holding ' + n + (n === 1 ? ' raise' : ' raises') } : {});
};
const waitS = Number(env.get('CITYGAUGE_INCIDENT_WAIT_S') || 60);
hold(1);
setTimeout(() => {
  if (!(context.get('merged') || {})[i.id]) send('raise', i.raisedAt);
  hold(-1);
}, waitS * 1000);
return null;`,
  [['cg-fn-log'], ['cg-fn-mqtt-route'], ['cg-fn-email'], ['cg-fn-webhook']],
  4,
);
// Shipped off, like the e-mail route: enabled once CITYGAUGE_ALERT_WEBHOOK names a real endpoint.
http('cg-http-webhook', r, 'webhook request (off)', 860, 230, [[]]).d = true;

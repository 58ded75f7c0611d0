// Alert routes: every alert event to a log and to MQTT (on), to e-mail and a webhook (configured, off).
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
// Shipped off, like the e-mail route: enabled once CITYGAUGE_ALERT_WEBHOOK names a real endpoint.
http('cg-http-webhook', r, 'webhook request (off)', 860, 230, [[]]).d = true;

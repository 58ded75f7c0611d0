// The City page (flows/src/city.mjs): what is behind a gauge, the devices and assets behind its gap, on a click.
import { API, comment, fn, http, tpl } from '../nodes.mjs';
import * as T from '../templates.mjs';
import { z } from './tab.mjs';

comment(
  'cg-c-explain',
  z,
  'Explanations: a clicked gauge or district cell asks GET /api/indicators/{id}?scope= for the gap behind it',
  'The answer goes back to the browser that asked (msg._client), to the explanation panel: the devices and assets missing from the value, since when, and what a 0 means.',
  1250,
  40,
);
fn(
  'cg-fn-explain-req',
  z,
  'GET /api/indicators/{id}',
  1150,
  100,
  `${API}// A gauge, a district cell or a part in an open panel asks what is behind a value. It is a read: the
// dashboard's own token does, and the answer goes to the browser that asked only (msg._client).
if (msg.topic !== 'explain') return null;
const q = msg.payload || {};
const id = typeof q.id === 'string' ? q.id : '';
const scope = typeof q.scope === 'string' && q.scope ? q.scope : 'city';
if (!id) return null;
return {
  topic: 'explain',
  _client: msg._client,
  asked: { id, scope },
  method: 'GET',
  headers: auth,
  url: api + '/api/indicators/' + encodeURIComponent(id) + '?scope=' + encodeURIComponent(scope),
};`,
  [['cg-http-explain']],
);
http('cg-http-explain', z, '', 1350, 100, [['cg-fn-explain']]);
fn(
  'cg-fn-explain',
  z,
  'explanation',
  1520,
  100,
  `// The panel lists the first 50 devices and 50 assets of the gap (the API gives up to 1000) and says how
// many more; 'opened' tells the panel a new answer came, to open again after it was closed.
const asked = msg.asked || {};
const timeZone = (global.get('city') || {}).timeZone;
const answer = (payload) => ({ topic: 'explain', _client: msg._client, payload: { ...payload, timeZone, opened: Date.now() } });
if (msg.statusCode !== 200) {
  const why = msg.payload && typeof msg.payload === 'object' && msg.payload.message ? msg.payload.message : 'HTTP ' + msg.statusCode;
  return answer({ id: asked.id, scope: asked.scope, error: 'No explanation: ' + why });
}
const p = msg.payload;
const thresholds = flow.get('thresholds') || [];
const own = thresholds.find((t) => t.indicator === p.id && t.scope === p.scope);
const t = own || thresholds.find((t) => t.indicator === p.id && t.scope === 'city');
const MAX = 50;
const gap = p.gap || { devices: [], assets: [] };
// The API lists the first thousand and counts them all: "and N more" is exact however large the gap.
const total = (list, n) => (typeof n === 'number' ? n : list.length);
return answer({
  id: p.id, name: p.name, scope: p.scope, unit: p.unit, value: p.value, numerator: p.numerator, denominator: p.denominator, ts: p.ts,
  why: p.why || null, zero: p.zero || null,
  quality: p.quality || null, plannedGap: p.plannedGap || 0, maintenance: p.excluded ? p.excluded.maintenance : 0,
  threshold: t ? { below: t.below, severity: t.severity, against: own ? p.scope : 'city' } : null,
  devices: gap.devices.slice(0, MAX), moreDevices: Math.max(0, total(gap.devices, gap.devicesTotal) - MAX),
  assets: gap.assets.slice(0, MAX), moreAssets: Math.max(0, total(gap.assets, gap.assetsTotal) - MAX),
  parts: gap.parts || [],
});`,
  [['cg-tpl-explain']],
);
tpl('cg-tpl-explain', z, 'cg-grp-headline', 'gauge explanation', 2, 12, T.EXPLAIN, 1700, 100, [
  ['cg-fn-explain-req'],
]);

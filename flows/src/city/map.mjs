// The City page (flows/src/city.mjs): the map and the devices down.
import { API, comment, fn, http, inject, mqttIn, tpl } from '../nodes.mjs';
import * as T from '../templates.mjs';
import { z } from './tab.mjs';

comment(
  'cg-c-map',
  z,
  'Map: district outlines, device cells and the devices down (city/devices/down, retained)',
  'GET /api/districts gives the outlines; GET /api/devices/map gathers every device into cells, so a million devices reach the browser as a few hundred circles; the retained down list says how long each device has been down and why.',
  220,
  480,
);
inject('cg-inj-devs', z, 'at start, every 10 s', 150, 520, 10, [['cg-fn-devs-req']]);
fn(
  'cg-fn-devs-req',
  z,
  'GET /api/districts, /api/devices/map',
  380,
  520,
  `${API}// Outlines change only with the registry: every 30th tick (5 min) is often enough.
const n = (context.get('n') || 0) + 1;
context.set('n', n);
const get = (topic, path) => ({ topic, method: 'GET', url: api + path, headers: auth });
const out = [get('devices-map', '/api/devices/map?cells=24&downCap=500')];
if (n % 30 === 1) out.unshift(get('districts', '/api/districts'));
return [out];`,
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
  `// One complete view: the outlines with each district's devices and how many are down, the cells, and the
// down list with each device's cause and since when (the widget counts the minutes on).
if (msg.topic === 'city/devices/down') flow.set('down', msg.payload);
else if (msg.statusCode !== 200) { node.warn(msg.topic + ': HTTP ' + msg.statusCode); return null; }
else if (msg.topic === 'districts') flow.set('districts', msg.payload.districts);
else flow.set('devicesMap', msg.payload);
const down = flow.get('down') || {};
const cells = flow.get('devicesMap') || {};
const tally = new Map((cells.districts || []).map((d) => [d.id, d]));
const districts = (flow.get('districts') || []).map((d) => ({ ...d, count: (tally.get(d.id) || {}).count || 0, down: (tally.get(d.id) || {}).down || 0 }));
return { topic: 'map', payload: { districts, cells: cells.cells || [], mapDown: cells.down || [], bounds: cells.bounds || null,
  placed: cells.placed || 0, downPlaced: cells.downPlaced || 0,
  down: down.devices || [], count: down.count, total: down.total, neverHeard: down.neverHeard, truncated: !!down.truncated,
  timeZone: (global.get('city') || {}).timeZone } };`,
  [['cg-tpl-map']],
);
tpl('cg-tpl-map', z, 'cg-grp-map', 'devices down map', 1, 6, T.MAP, 950, 550, [[]]);

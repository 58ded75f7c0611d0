// The City page (flows/src/city.mjs): error budgets against their objectives.
import { API, comment, fn, http, inject, tpl } from '../nodes.mjs';
import * as T from '../templates.mjs';
import { z } from './tab.mjs';

comment(
  'cg-c-budgets',
  z,
  'Error budgets: GET /api/objectives every minute and on every alert',
  '',
  220,
  780,
);
inject('cg-inj-budgets', z, 'at start, every minute', 150, 820, 60, [['cg-fn-budgets-req']]);
fn(
  'cg-fn-budgets-req',
  z,
  'GET /api/objectives',
  380,
  820,
  `${API}msg.method = 'GET';
msg.url = api + '/api/objectives';
msg.headers = auth;
delete msg.payload;
return msg;`,
  [['cg-http-budgets']],
);
http('cg-http-budgets', z, '', 560, 820, [['cg-fn-budgets']]);
fn(
  'cg-fn-budgets',
  z,
  'objectives',
  740,
  820,
  `if (msg.statusCode !== 200) { node.warn('objectives: HTTP ' + msg.statusCode); return null; }
return { topic: 'budgets', payload: { objectives: msg.payload } };`,
  [['cg-tpl-budgets']],
);
tpl('cg-tpl-budgets', z, 'cg-grp-budgets', 'error budgets', 1, 12, T.BUDGETS, 950, 820, [[]]);

// Node constructors for the flows (function, http request, inject, mqtt in, ui-template …) with the
// defaults the editor would give them, and the list every flow module adds its nodes to, in order.
export const nodes = [];
export const add = (n) => {
  nodes.push(n);
  return n;
};
export const fn = (id, z, name, x, y, func, wires, outputs = 1, extra = {}) =>
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
export const http = (id, z, name, x, y, wires) =>
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
export const inject = (id, z, name, x, y, repeat, wires, topic = '') =>
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
export const mqttIn = (id, z, topic, x, y, wires) =>
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
export const tpl = (id, z, group, name, order, width, format, x, y, wires, extra = {}) =>
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
export const comment = (id, z, name, info, x, y) =>
  add({ id, type: 'comment', z, name, info, x, y, wires: [] });
export const group = (id, page, name, width, order) =>
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
export const page = (id, name, path, icon, order) =>
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
// environment citygauge sets for the Node-RED it embeds (red/embedded-red.ts). Every request carries the
// token, reads included; alone it reads as a viewer.
export const API = `const api = env.get('CITYGAUGE_API_URL');\nconst auth = { authorization: 'Bearer ' + env.get('CITYGAUGE_RED_TOKEN') };\n`;

// A write is made for the person signed in to the dashboard, whom the dashboard names on every message its
// widgets send (msg._client.user, red/dashboard-people.ts): the API then acts with their role and audits it
// as theirs. A message that names nobody did not come from a signed-in person's widget: it is not sent.
export const AS_PERSON = `const person = msg._client && msg._client.user;
if (!person || typeof person.name !== 'string' || !person.name) {
  node.warn('not sent to the API: the message names no signed-in person (only dashboard widgets make writes)');
  return null;
}
const asPerson = { ...auth, 'x-citygauge-person': person.name };
`;

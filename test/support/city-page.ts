// The City page's function nodes and widgets as Node-RED and the browser run them, for test/red: each
// function node over one flow context, each ui-template rendered by Vue from its template and script.
import { readFileSync } from 'node:fs';
import { createSSRApp } from 'vue';
import { renderToString } from 'vue/server-renderer';

export const nodes = JSON.parse(readFileSync('flows/citygauge.json', 'utf8')) as {
  id: string;
  type: string;
  func?: string;
  group?: string;
  format?: string;
  wires?: string[][];
}[];
export const byId = new Map(nodes.map((n) => [n.id, n]));
export const ENV: Record<string, string> = {
  CITYGAUGE_API_URL: 'http://api',
  CITYGAUGE_RED_TOKEN: 'red-token',
};

/** Runs function nodes over one flow context, with the city in `timeZone`. */
export function flowContext(data: Record<string, unknown> = {}, timeZone = 'Europe/Paris') {
  const flow = {
    get: (k: string) => data[k],
    set: (k: string, v: unknown) => {
      data[k] = v;
    },
  };
  const global = { get: (k: string) => (k === 'city' ? { timeZone } : undefined), set: () => {} };
  // biome-ignore lint/suspicious/noExplicitAny: the nodes' messages are asserted field by field
  return (id: string, msg: Record<string, unknown>): any => {
    const func = byId.get(id)?.func;
    if (!func) throw new Error(`no function node ${id}`);
    const node = { warn: () => {}, send: () => {} };
    const env = { get: (k: string) => ENV[k] };
    return new Function('msg', 'node', 'env', 'flow', 'global', 'context', func)(
      msg,
      node,
      env,
      flow,
      global,
      flow,
    );
  };
}

/** A widget as the browser draws it for `msg`: its template and `export default` rendered by Vue. */
export async function render(widget: string, msg: object): Promise<string> {
  const format = byId.get(widget)?.format ?? '';
  const template = /<template>([\s\S]*)<\/template>/.exec(format)?.[1];
  const script = /<script>\s*export default (\{[\s\S]*\})\s*<\/script>/.exec(format)?.[1];
  if (!template || !script)
    throw new Error(`${widget} is not a <template> and an \`export default {…}\` script`);
  const component = new Function(`return ${script}`)() as { data?: () => object };
  const data = () => ({ ...(component.data ? component.data() : {}), msg });
  return renderToString(createSSRApp({ ...component, template, data }));
}

export const value = (id: string, scope: string, v: number | null, unit = '%') => ({
  id,
  name: `${id} name`,
  scope,
  value: v,
  unit,
  means: { '1h': v },
});
export const threshold = (indicator: string, scope: string, below: number, clearAt: number) => ({
  indicator,
  scope,
  below,
  clearAt,
  forS: 0,
  severity: 'major',
});

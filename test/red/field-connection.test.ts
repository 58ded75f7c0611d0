// The field page shows a new device's connection details beside its one-time secret, as Node-RED runs its
// function nodes (no browser needed): the broker under the name the engineer's page was opened by, since
// the flows themselves reach the API on loopback.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSSRApp } from 'vue';
import { renderToString } from 'vue/server-renderer';

const nodes = JSON.parse(readFileSync('flows/citygauge.json', 'utf8')) as {
  id: string;
  func?: string;
  format?: string;
}[];
const byId = new Map(nodes.map((n) => [n.id, n]));

const run = (id: string, msg: Record<string, unknown>) => {
  const func = byId.get(id)?.func;
  if (!func) throw new Error(`no function node ${id}`);
  const node = { warn: () => {}, log: () => {}, send: () => {} };
  const store = { get: () => undefined, set: () => {} };
  const env = {
    get: (k: string) => ({ CITYGAUGE_API_URL: 'http://127.0.0.1:9', CITYGAUGE_RED_TOKEN: 't' })[k],
  };
  return new Function('msg', 'node', 'env', 'flow', 'global', 'context', func)(
    msg,
    node,
    env,
    store,
    store,
    store,
  );
};

/**
 * The register widget as the browser would draw it for a `registered` message: its template and its
 * `export default` component (a ui-template's script holds nothing else) rendered by Vue on the server.
 */
async function renderRegister(payload: Record<string, unknown>): Promise<string> {
  const format = nodes.find((n) => n.id === 'cg-tpl-register')?.format ?? '';
  const template = /<template>([\s\S]*)<\/template>/.exec(format)?.[1];
  const script = /<script>\s*export default (\{[\s\S]*\})\s*<\/script>/.exec(format)?.[1];
  if (!template || !script)
    throw new Error('cg-tpl-register is not a <template> and an `export default {…}` script');
  const component = new Function(`return ${script}`)() as { data: () => object };
  const msg = { topic: 'registered', payload };
  const app = createSSRApp({ ...component, template, data: () => ({ ...component.data(), msg }) });
  return renderToString(app);
}

const answer = (url: string) => ({
  statusCode: 201,
  topic: 'register',
  payload: {
    id: 'sen-9',
    secret: 'the-secret',
    connection: { url, username: 'sen-9', clientId: 'sen-9', topicPrefix: 'city/sensor/sen-9/' },
  },
});

describe('the field page after a registration', () => {
  it('carries the page host from the form to the answer', () => {
    const out = run('cg-fn-register', {
      topic: 'register',
      payload: { id: 'sen-9', kind: 'sensor' },
      pageHost: 'city.example.org',
      _client: { socketId: 's1', user: { name: 'ed', role: 'engineer' } },
    });
    expect(out).toMatchObject({ pageHost: 'city.example.org', payload: { id: 'sen-9', kind: 'sensor' } });
  });

  it('gives the secret with the broker URL, user name, client id and topic prefix', () => {
    const out = run('cg-fn-registered', { ...answer('mqtt://127.0.0.1:1883'), pageHost: 'city.example.org' });
    expect(out.payload).toEqual({
      ok: true,
      id: 'sen-9',
      secret: 'the-secret',
      connection: {
        url: 'mqtt://city.example.org:1883',
        username: 'sen-9',
        clientId: 'sen-9',
        topicPrefix: 'city/sensor/sen-9/',
      },
    });
  });

  it("keeps the API's broker host when it is a real name, or when the page is on this machine too", () => {
    const named = run('cg-fn-registered', {
      ...answer('mqtts://mqtt.city.example:8883'),
      pageHost: 'city.example',
    });
    expect(named.payload.connection.url).toBe('mqtts://mqtt.city.example:8883');
    const local = run('cg-fn-registered', { ...answer('mqtt://127.0.0.1:1883'), pageHost: 'localhost' });
    expect(local.payload.connection.url).toBe('mqtt://127.0.0.1:1883');
    const v6 = run('cg-fn-registered', { ...answer('mqtt://[::1]:1883'), pageHost: 'fd00::7' });
    expect(v6.payload.connection.url).toBe('mqtt://[fd00::7]:1883');
  });

  it('shows the reasons of a refusal, and no connection', () => {
    const out = run('cg-fn-registered', {
      statusCode: 409,
      payload: { error: 'conflict', message: "device 'sen-9' exists" },
    });
    expect(out.payload).toEqual({ ok: false, status: 409, message: "device 'sen-9' exists" });
  });

  it('has the page show the connection beside the secret, rendered by the Vue that Dashboard 2.0 runs', async () => {
    const shown = await renderRegister({
      ok: true,
      id: 'sen-9',
      secret: 'the-secret',
      connection: {
        url: 'mqtt://city.example.org:1883',
        username: 'sen-9',
        clientId: 'sen-9',
        topicPrefix: 'city/sensor/sen-9/',
      },
    });
    expect(shown).toMatch(/data-testid="secret">the-secret</);
    expect(shown).toMatch(/data-testid="connection-url">mqtt:\/\/city\.example\.org:1883</);
    expect(shown).toMatch(/data-testid="connection-username">sen-9</);
    expect(shown).toMatch(/data-testid="connection-client-id">sen-9</);
    expect(shown).toMatch(/data-testid="connection-topics">city\/sensor\/sen-9\/&lt;channel&gt;</);
    expect(shown).toContain('href="/asyncapi.json"');
    // An API that knows no broker: the secret alone.
    const bare = await renderRegister({ ok: true, id: 'sen-9', secret: 'the-secret' });
    expect(bare).toMatch(/data-testid="secret"/);
    expect(bare).not.toMatch(/data-testid="connection"/);
  });
});

// The OpenAPI document (GET /docs/json) as an integrator reads it: every request body with its fields, from
// the very schemas that check it, and one error body that every error answer refers to. A body a schema
// refuses is still answered in the words of the parser behind the route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FullApi, fullApi } from '../support/full-api.js';

interface Schema {
  $ref?: string;
  enum?: unknown[];
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
}
interface Operation {
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

let api: FullApi;
let doc: OpenApi;

beforeAll(async () => {
  api = await fullApi();
  const r = await api.app.inject({ url: '/docs/json' });
  expect(r.statusCode).toBe(200);
  doc = r.json();
});
afterAll(async () => {
  await api?.close();
});

const body = (method: string, path: string): Schema => {
  const schema = doc.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} has no JSON request body in the document`);
  return schema;
};
const fields = (s: Schema | undefined) => Object.keys(s?.properties ?? {});

describe('OpenAPI document', () => {
  it('shows the scorecard bodies with their fields: self-assessment, composite index, weights, bands', () => {
    const assessment = body('post', '/api/scorecard/self-assessments');
    expect(fields(assessment)).toEqual(['component', 'level', 'by', 'at', 'evidence', 'note']);
    expect(assessment.required).toEqual(['component', 'level', 'by', 'at']);
    expect(assessment.properties?.level).toMatchObject({ type: 'integer', minimum: 1, maximum: 5 });

    const composite = body('put', '/api/scorecard/composites/{id}');
    expect(fields(composite)).toEqual(expect.arrayContaining(['name', 'parts', 'target', 'period']));
    expect(composite.required).toEqual(['name', 'parts']);
    expect(fields(composite.properties?.parts.items)).toEqual(['ref', 'weight', 'description']);

    expect(body('put', '/api/scorecard/weights')).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'number', minimum: 0 },
    });
    expect(body('put', '/api/scorecard/maturity-bands')).toMatchObject({
      type: 'array',
      minItems: 4,
      maxItems: 4,
    });
  });

  it('shows thresholds and objectives as lists of items with their fields and defaults', () => {
    const threshold = body('put', '/api/thresholds');
    expect(threshold.type).toBe('array');
    expect(fields(threshold.items)).toEqual(['indicator', 'scope', 'below', 'clearAt', 'forS', 'severity']);
    expect(threshold.items?.required).toEqual(['indicator', 'below']);
    expect(threshold.items?.properties?.severity).toMatchObject({ default: 'major' });
    const objective = body('put', '/api/objectives');
    expect(fields(objective.items)).toEqual(['indicator', 'scope', 'target', 'window']);
    expect(objective.items?.properties?.window).toMatchObject({ default: '30d' });
  });

  it('leaves no request body as an object of anything', () => {
    const vague = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) => {
        const s = op.requestBody?.content['application/json']?.schema;
        const anything = (x: Schema | boolean | undefined): boolean =>
          x === undefined ||
          x === true ||
          (typeof x === 'object' &&
            (Object.keys(x).length === 0 ||
              (x.type === 'object' && !x.properties && anything(x.additionalProperties ?? true))));
        return s && (anything(s) || (s.type === 'array' && anything(s.items))) ? [`${method} ${path}`] : [];
      }),
    );
    expect(vague).toEqual([]);
  });

  it('has one error body, which error answers with fields of their own extend by reference', () => {
    const names = Object.keys(doc.components.schemas);
    expect(names.filter((n) => /^Error/.test(n))).toEqual(['Error']);
    // The codes a program may meet are the one list's, listed in the document.
    expect(doc.components.schemas.Error.properties?.error).toMatchObject({
      enum: expect.arrayContaining([
        'bad-request',
        'not-found',
        'conflict',
        'nothing-applied',
        'unavailable',
      ]),
    });
    const problems =
      doc.paths['/api/scorecard/self-assessments'].post.responses?.['400'].content?.['application/json']
        .schema;
    expect(problems?.allOf?.[0]).toEqual({ $ref: '#/components/schemas/Error' });
    expect(fields(problems?.allOf?.[1])).toEqual(['errors']);
    const nothing = doc.paths['/api/inventory'].post.responses?.['422'].content?.['application/json'].schema;
    expect(nothing?.allOf?.[0]).toEqual({ $ref: '#/components/schemas/Error' });
    expect(fields(nothing?.allOf?.[1])).toEqual(['applied', 'counts', 'errors']);
  });
});

describe('composite indices', () => {
  it('are defined and listed with their fields, in the document as in the answers', async () => {
    const listed =
      doc.paths['/api/scorecard/composites'].get.responses?.['200'].content?.['application/json'].schema
        ?.items;
    expect(fields(listed)).toEqual(expect.arrayContaining(['id', 'name', 'parts', 'target']));
    const headers = { authorization: `Bearer ${api.adminToken}` };
    const definition = { name: 'Mobility', parts: [{ ref: 'L2.1.1', weight: 2 }], target: { atLeast: 60 } };
    const put = await api.app.inject({
      method: 'PUT',
      url: '/api/scorecard/composites/mobility',
      headers,
      payload: definition,
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ id: 'mobility', ...definition });
    const all = (await api.app.inject({ url: '/api/scorecard/composites', headers })).json();
    expect(all.map((c: { id: string }) => c.id)).toEqual(
      expect.arrayContaining(['citizen-empowerment', 'mobility']),
    );
  });
});

describe('a body its schema refuses', () => {
  const send = async (method: 'PUT' | 'POST', url: string, payload: unknown) => {
    const r = await api.app.inject({
      method,
      url,
      payload: payload as object,
      headers: { authorization: `Bearer ${api.adminToken}` },
    });
    return { status: r.statusCode, body: r.json() };
  };

  it.each([
    [
      'a self-assessment at level 7',
      'POST',
      '/api/scorecard/self-assessments',
      { component: 'service-delivery', level: 7, by: 'P. Haddad', at: '2026-11-20T10:00:00Z' },
      [{ input: 'level', message: 'a level from 1 (lagging) to 5 (excelling)' }],
    ],
    [
      'a composite index whose parts all weigh 0',
      'PUT',
      '/api/scorecard/composites/mobility',
      { name: 'Mobility', parts: [{ ref: 'L2.1.1', weight: 0 }] },
      [{ input: 'parts', message: 'give at least one part a weight above 0' }],
    ],
    [
      'bands that do not rise',
      'PUT',
      '/api/scorecard/maturity-bands',
      [10, 30, 20, 90],
      [{ input: 'bands.2', message: 'cut points must rise: 20 does not come after 30' }],
    ],
  ] as const)(
    'is answered with the input and what to fix: %s',
    async (_what, method, url, payload, errors) => {
      const r = await send(method, url, payload);
      expect(r).toEqual({
        status: 400,
        body: {
          error: 'bad-request',
          message: errors.map((e) => `${e.input}: ${e.message}`).join('; '),
          errors,
        },
      });
    },
  );

  it('is answered item by item for thresholds and objectives, unknown references first', async () => {
    const t = { indicator: 'L2.2.1.b4', scope: 'centre', below: 90 };
    expect(
      await send('PUT', '/api/thresholds', [
        { ...t, clearAt: 80 },
        { ...t, indicator: 'L9' },
      ]),
    ).toEqual({
      status: 400,
      body: { error: 'bad-request', message: "1: no indicator 'L9'" },
    });
    expect((await send('PUT', '/api/thresholds', [t, { ...t, forS: -1 }])).body.message).toBe(
      '1: forS: must be >= 0',
    );
    expect(
      await send('PUT', '/api/objectives', [{ indicator: 'L2.2.1.b4', target: 100, window: '30 days' }]),
    ).toEqual({
      status: 400,
      body: {
        error: 'bad-request',
        message:
          '0: target: must be below 100 (a budget of 0 cannot be spent); window: must be a whole number with ms, s, m, h or d, e.g. "1h"',
      },
    });
    expect(api.registry.inventory.city.thresholds).toEqual([]);
  });
});

// One HTTP call against a test API: JSON in, the status, content type, raw text and parsed JSON body out,
// with the admin token unless `auth` is false.
import type { FastifyInstance, InjectOptions } from 'fastify';

export interface ApiAnswer {
  status: number;
  type: string | null;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: response shapes are asserted by the tests
  body: any;
}

export async function apiCall(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  auth = true,
): Promise<ApiAnswer> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(auth ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const type = res.headers.get('content-type');
  return { status: res.status, type, text, body: /json/.test(type ?? '') && text ? JSON.parse(text) : null };
}

/**
 * The same call without a socket, through fastify's inject: for tests of what the API answers, not of how
 * it listens (TLS, proxies, browsers and other processes keep a real socket).
 */
export async function injectCall(
  app: FastifyInstance,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  auth = true,
): Promise<ApiAnswer> {
  const res = await app.inject({
    method: method as InjectOptions['method'],
    url: path,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(auth ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  const type = res.headers['content-type'] === undefined ? null : String(res.headers['content-type']);
  const text = res.body;
  return {
    status: res.statusCode,
    type,
    text,
    body: /json/.test(type ?? '') && text ? JSON.parse(text) : null,
  };
}

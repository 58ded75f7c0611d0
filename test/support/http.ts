// One HTTP call against a test API: JSON in, the status, content type, raw text and parsed JSON body out,
// with the admin token unless `auth` is false.
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

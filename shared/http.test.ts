import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpError } from './errors.ts';
import {
  errorResponse,
  html,
  json,
  JSON_LIMIT_BYTES,
  noContent,
  rawHtml,
  readBody,
  readJson,
  seeOther,
} from './http.ts';

const URL_ = 'https://auth.example.com/api/auth/login';

function post(body: BodyInit | null, headers: Record<string, string> = { 'content-type': 'application/json' }): Request {
  return new Request(URL_, { method: 'POST', body, headers });
}

/** The HttpError code a promise rejects with, or 'resolved'. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    if (err instanceof HttpError) return err.code;
    throw err;
  }
}

/** A stream of `total` bytes in `chunk`-sized pieces, counting how many bytes were pulled from it. */
function countingStream(total: number, chunk: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller): void {
      if (sent >= total) return controller.close();
      const size = Math.min(chunk, total - sent);
      sent += size;
      controller.enqueue(new Uint8Array(size).fill(0x20));
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => sent };
}

function streamingPost(stream: ReadableStream<Uint8Array>, headers: Record<string, string>): Request {
  const init: RequestInit & { duplex: 'half' } = { method: 'POST', body: stream, headers, duplex: 'half' };
  return new Request(URL_, init);
}

describe('readJson', () => {
  it('returns a JSON object', async () => {
    expect(await readJson(post('{"email":"a@b.co","n":1}'))).toEqual({ email: 'a@b.co', n: 1 });
    expect(await readJson(post('{"a":1}', { 'content-type': 'Application/JSON; charset=utf-8' }))).toEqual({ a: 1 });
  });

  it('refuses malformed JSON with invalid_json', async () => {
    for (const body of ['{"email":', '{email: 1}', 'undefined', '{"a":1}x']) {
      expect(await codeOf(readJson(post(body)))).toBe('invalid_json');
    }
  });

  it('refuses a JSON body that is not an object with invalid_body', async () => {
    for (const body of ['[]', '"text"', '42', 'null', 'true']) {
      expect(await codeOf(readJson(post(body)))).toBe('invalid_body');
    }
  });

  it('refuses an empty body unless allowed, and then reads it as {}', async () => {
    expect(await codeOf(readJson(post('')))).toBe('invalid_json');
    expect(await readJson(post(''), { allowEmpty: true })).toEqual({});
    expect(await readJson(new Request(URL_, { method: 'POST' }), { allowEmpty: true })).toEqual({});
  });

  it('refuses other media types with 415, and a body with no type', async () => {
    expect(await codeOf(readJson(post('{"a":1}', { 'content-type': 'text/plain' })))).toBe('unsupported_media_type');
    expect(await codeOf(readJson(post('a=1', { 'content-type': 'application/x-www-form-urlencoded' })))).toBe('unsupported_media_type');
    expect(await codeOf(readJson(new Request(URL_, { method: 'POST', body: new Uint8Array(Buffer.from('{"a":1}')) })))).toBe('unsupported_media_type');
  });

  it('refuses bytes that are not UTF-8', async () => {
    expect(await codeOf(readJson(post(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))))).toBe('invalid_json');
  });

  it('keeps "__proto__" as plain data', async () => {
    const body = await readJson(post('{"__proto__":{"admin":true}}'));
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(Object.keys(body)).toEqual(['__proto__']);
  });

  it('accepts exactly the limit and refuses one byte more', async () => {
    const fill = (n: number): string => `{"a":"${'x'.repeat(n - 8)}"}`;
    expect(fill(JSON_LIMIT_BYTES)).toHaveLength(JSON_LIMIT_BYTES);
    expect(await codeOf(readJson(post(fill(JSON_LIMIT_BYTES))))).toBe('resolved');
    expect(await codeOf(readJson(post(fill(JSON_LIMIT_BYTES + 1))))).toBe('payload_too_large');
    expect(await codeOf(readJson(post('{"a":"xxxx"}'), { limit: 8 }))).toBe('payload_too_large');
  });

  it('refuses a 1 MB streamed body with 413 after reading little more than the limit', async () => {
    const { stream, pulled } = countingStream(1024 * 1024, 4096);
    const code = await codeOf(readJson(streamingPost(stream, { 'content-type': 'application/json' })));
    expect(code).toBe('payload_too_large');
    expect(pulled()).toBeGreaterThan(JSON_LIMIT_BYTES);
    expect(pulled()).toBeLessThanOrEqual(JSON_LIMIT_BYTES + 3 * 4096);
  });

  it('counts bytes even when Content-Length claims the body is small', async () => {
    const { stream, pulled } = countingStream(1024 * 1024, 4096);
    const req = streamingPost(stream, { 'content-type': 'application/json', 'content-length': '10' });
    expect(await codeOf(readJson(req))).toBe('payload_too_large');
    expect(pulled()).toBeLessThan(64 * 1024);
  });

  it('refuses at once when Content-Length is over the limit, without reading', async () => {
    const { stream, pulled } = countingStream(1024 * 1024, 4096);
    const req = streamingPost(stream, { 'content-type': 'application/json', 'content-length': String(1024 * 1024) });
    expect(await codeOf(readJson(req))).toBe('payload_too_large');
    expect(pulled()).toBe(0);
  });
});

describe('readBody', () => {
  const form = (text: string): Request => post(text, { 'content-type': 'application/x-www-form-urlencoded' });

  it('reads a form, first value winning', async () => {
    expect(await readBody(form('token=abc%2B%2F&name=J%C3%BC+M&token=evil'))).toEqual({
      kind: 'form',
      data: { token: 'abc+/', name: 'Jü M' },
    });
  });

  it('reads JSON as readJson does', async () => {
    expect(await readBody(post('{"token":"t"}'))).toEqual({ kind: 'json', data: { token: 't' } });
    expect(await codeOf(readBody(post('[1]')))).toBe('invalid_body');
    expect(await codeOf(readBody(post('x', { 'content-type': 'multipart/form-data; boundary=x' })))).toBe('unsupported_media_type');
  });

  it('limits forms too', async () => {
    expect(await codeOf(readBody(form(`token=${'x'.repeat(JSON_LIMIT_BYTES)}`)))).toBe('payload_too_large');
  });
});

describe('responses', () => {
  it('json() sets the type, no-store and extra headers, several Set-Cookie lines kept apart', async () => {
    const res = json(201, { ok: true }, { headers: { 'Set-Cookie': ['a=1; Path=/', 'b=2; Path=/api/auth'], 'Retry-After': '60' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/api/auth']);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(await res.json()).toEqual({ ok: true });
  });

  it('never lets one Set-Cookie replace another, whatever the spelling of the name', () => {
    const res = json(200, {}, { headers: { 'Set-Cookie': 'a=1', 'set-cookie': 'b=2', 'X-A': '1', 'x-a': '2' } });
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.get('x-a')).toBe('2');
  });

  it('noContent() and seeOther()', async () => {
    const none = noContent({ headers: { 'Set-Cookie': 'x=; Max-Age=0' } });
    expect([none.status, await none.text(), none.headers.getSetCookie()]).toEqual([204, '', ['x=; Max-Age=0']]);
    const moved = seeOther('https://auth.example.com/?verified=1');
    expect([moved.status, moved.headers.get('location')]).toEqual([303, 'https://auth.example.com/?verified=1']);
  });
});

describe('errorResponse', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('turns an HttpError into the envelope with its status and headers', async () => {
    const err = new HttpError('rate_limited', { message: 'Slow down.', headers: { 'Retry-After': '120', 'Set-Cookie': ['a=; Max-Age=0', 'b=; Max-Age=0'] } });
    const res = errorResponse(err);
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ error: { code: 'rate_limited', message: 'Slow down.' } });
    expect(res.headers.get('retry-after')).toBe('120');
    expect(res.headers.getSetCookie()).toEqual(['a=; Max-Age=0', 'b=; Max-Age=0']);
  });

  it('turns anything else into a generic 500, logging the real error', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const secret = new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
    const res = errorResponse(secret);
    const text = await res.text();
    expect(res.status).toBe(500);
    expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe('internal_error');
    expect(text).not.toMatch(/ECONNREFUSED|hunter2|at |\.ts/);
    expect(log).toHaveBeenCalledWith(expect.any(String), secret);
  });
});

describe('html pages', () => {
  it('escapes interpolated values but not SafeHtml', () => {
    const name = '<script>alert("x")</script> & \'q\'';
    expect(html`<p>${name}</p>`.value).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</p>');
    expect(html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.value).toBe('<ul><li>a&lt;</li><li>b</li></ul>');
    expect(html`<p>${rawHtml('<b>ok</b>')}${null}${undefined}${false}${0}</p>`.value).toBe('<p><b>ok</b>0</p>');
    expect(html`<input value="${'" onfocus="x'}">`.value).toBe('<input value="&quot; onfocus=&quot;x">');
  });
});

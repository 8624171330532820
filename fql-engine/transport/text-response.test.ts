// TextResponse must be indistinguishable from `new Response(text, init)` to anyone using it,
// whichever way they read it: each check runs on both and compares.
import { describe, expect, it } from 'vitest';
import { TextResponse } from './text-response.ts';

const TEXT = '{"resource":{"answer":42,"word":"grüße"}}';
const INIT = { status: 201, statusText: 'Created', headers: { 'content-type': 'application/json;charset=utf-8', 'x-txn-time': '7' } };

type Make = () => Response;
const makers: [string, Make][] = [
  ['Response', () => new Response(TEXT, INIT)],
  ['TextResponse', () => new TextResponse(TEXT, INIT)],
];

async function outcome(run: () => unknown): Promise<unknown> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

function headerList(res: Response): string[] {
  const list: string[] = [];
  res.headers.forEach((value, name) => list.push(`${name}: ${value}`));
  return list;
}

/** What each way of using a response gives, on a fresh one. */
const uses: Record<string, (res: Response) => Promise<unknown>> = {
  'status, ok and headers': async (res) => [res.status, res.ok, res.statusText, headerList(res), res instanceof Response],
  'text, then bodyUsed': async (res) => [await res.text(), res.bodyUsed],
  'a second read fails': async (res) => [await res.text(), await outcome(() => res.json())],
  json: async (res) => res.json() as Promise<unknown>,
  arrayBuffer: async (res) => new TextDecoder().decode(await res.arrayBuffer()),
  bytes: async (res) => [new TextDecoder().decode(await res.bytes()), res.bodyUsed],
  'blob and its type': async (res) => {
    const blob = await res.blob();
    return [blob.type, await blob.text()];
  },
  'the body stream': async (res) => [res.bodyUsed, await new Response(res.body).text(), res.bodyUsed],
  'the body stream after text': async (res) => [await res.text(), res.bodyUsed, await outcome(() => res.text())],
  'clone, then read both': async (res) => {
    const copy = res.clone();
    return [await res.text(), await copy.text(), copy.status];
  },
  'clone keeps headers set after the response was made': async (res) => {
    res.headers.set('x-added', '1');
    return [res.clone().headers.get('x-added'), await res.clone().text()];
  },
  'clone while a reader holds the stream fails': async (res) => {
    const reader = res.body?.getReader();
    return [reader !== undefined, await outcome(() => res.clone())];
  },
  'clone after a read fails': async (res) => [await res.text(), await outcome(() => res.clone())],
  'text after reading the stream fails': async (res) => [await new Response(res.body).text(), await outcome(() => res.text())],
};

describe('TextResponse behaves like new Response(text, init)', () => {
  for (const [name, use] of Object.entries(uses)) {
    it(name, async () => {
      const [real, lazy] = await Promise.all(makers.map(([, make]) => outcome(() => use(make()))));
      expect(lazy).toEqual(real);
      expect(JSON.stringify(real)).not.toContain('"error":"Error"');
    });
  }
});

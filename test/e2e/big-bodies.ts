/**
 * Issue 19, item 13: one request with a body over netlify dev's limit (6 MB) used to stop the
 * whole `npm run dev` ("Stream body too big", an unhandled rejection in netlify-cli). Now such a
 * request is answered 413, with or without a Content-Length, and the stack goes on serving.
 */

import { describe, expect, it } from 'vitest';
import type { DevStack } from '../support/dev-stack.ts';

const SEVEN_MB = 7 * 1024 * 1024;

/** The answer's status and error code, or the network error's name when the connection was cut first. */
async function outcome(send: () => Promise<Response>): Promise<string> {
  try {
    const res = await send();
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
    return `${res.status} ${body.error?.code ?? ''}`.trim();
  } catch (err) {
    return `network error: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function chunked(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) {
        controller.close();
        return;
      }
      const chunk = new Uint8Array(Math.min(256 * 1024, bytes - sent)).fill(0x20);
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

export function describeBigBodies(stack: () => DevStack): void {
  describe("a body over netlify dev's 6 MB limit does not stop the stack", () => {
    it('with Content-Length: 413 payload_too_large, then the stack still answers', async () => {
      const { siteUrl } = stack();
      const body = JSON.stringify({ email: 'big@example.com', password: 'x'.repeat(SEVEN_MB) });
      const answer = await outcome(() =>
        fetch(`${siteUrl}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json', origin: siteUrl }, body })
      );
      expect(answer).toBe('413 payload_too_large');
      const health = await fetch(`${siteUrl}/api/health`);
      expect(health.status).toBe(200);
      expect(stack().output()).not.toMatch(/terminated unexpectedly/);
    }, 60_000);

    it('streamed without a Content-Length: still refused, and the stack still answers', async () => {
      const { siteUrl } = stack();
      const init = { method: 'POST', headers: { 'content-type': 'application/json', origin: siteUrl }, body: chunked(SEVEN_MB), duplex: 'half' } as RequestInit;
      const answer = await outcome(() => fetch(`${siteUrl}/api/auth/login`, init));
      // The guard answers 413 the moment netlify dev gives up; a client still sending may see the cut first.
      expect(answer).toMatch(/^413 payload_too_large$|^network error/);
      const health = await fetch(`${siteUrl}/api/health`);
      expect(health.status).toBe(200);
      expect((await fetch(`${siteUrl}/api/auth/session`)).status).toBe(401);
      expect(stack().output()).not.toMatch(/terminated unexpectedly/);
    }, 60_000);
  });
}

/**
 * Reads the running mailbox over its HTTP API (`/api/messages?to=`), the way a test that sits
 * outside the stack must: the messages the functions sent through the real `postmark` client.
 */

import { messageLinks, type StoredMessage } from '../../netlify/mailbox/server.ts';

export { pageForm } from '../support/link-page.ts';

export async function messagesTo(mailboxUrl: string, email: string): Promise<StoredMessage[]> {
  const res = await fetch(`${mailboxUrl}/api/messages?to=${encodeURIComponent(email)}`);
  if (res.status !== 200) throw new Error(`the mailbox answered ${res.status}`);
  const body = (await res.json()) as { messages: StoredMessage[] };
  return body.messages;
}

/**
 * The newest message to `email` with a link to `path` on the site, and that link. Most endpoints
 * send before they answer; forgot and resend send after answering (Netlify's waitUntil, so their
 * timing says nothing), so the message may take a moment to arrive: it is waited for, briefly.
 */
export async function latestLink(mailboxUrl: string, email: string, path: string, waitMs = 10_000): Promise<{ message: StoredMessage; link: string }> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const messages = await messagesTo(mailboxUrl, email);
    for (const message of messages) {
      const link = messageLinks(message).find((l) => new URL(l).pathname === path);
      if (link !== undefined) return { message, link };
    }
    if (Date.now() > deadline) {
      throw new Error(`no email to ${email} has a link to ${path} (${messages.length} messages: ${messages.map((m) => m.subject).join('; ')})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

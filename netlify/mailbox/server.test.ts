import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Errors, ServerClient } from 'postmark';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messageLinks, startMailbox, type Mailbox, type StoredMessage } from './server.ts';

const FROM = 'Auth <auth@example.com>';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function clientFor(mailbox: Mailbox): ServerClient {
  return new ServerClient('any-server-token', { useHttps: false, requestHost: new URL(mailbox.url).host, timeout: 5 });
}

/** The Postmark error the real client throws for a send, or a failure when it does not throw. */
async function refusal(send: Promise<unknown>): Promise<{ statusCode: number; code: number; message: string; name: string }> {
  try {
    await send;
  } catch (err) {
    if (!(err instanceof Errors.PostmarkError)) throw err;
    return { statusCode: err.statusCode, code: err.code, message: err.message, name: err.name };
  }
  throw new Error('expected Postmark to refuse the message');
}

function recipients(count: number): string {
  return Array.from({ length: count }, (_, i) => `r${i}@example.com`).join(', ');
}

describe('mailbox speaking Postmark (memory)', () => {
  let mailbox: Mailbox;
  let client: ServerClient;

  beforeEach(async () => {
    mailbox = await startMailbox({});
    client = clientFor(mailbox);
  });
  afterEach(() => mailbox.close());

  it('accepts a single email with Postmark’s answer and keeps every field', async () => {
    const answer = await client.sendEmail({
      From: FROM,
      To: '"Doe, Jane" <Jane@Example.com>, bob@example.com',
      Cc: 'carol@example.com',
      Subject: 'Hello',
      TextBody: 'Go to https://site.test/a?b=1&c=2.',
      HtmlBody: '<p><a href="https://site.test/h?x=1&amp;y=2">go</a></p>',
      ReplyTo: 'reply@example.com',
      Tag: 'verify',
      Headers: [{ Name: 'X-Test', Value: 'yes' }],
      Metadata: { kind: 'test' },
      MessageStream: 'outbound',
    });
    expect(answer).toMatchObject({ To: '"Doe, Jane" <Jane@Example.com>, bob@example.com', ErrorCode: 0, Message: 'OK' });
    expect(answer.MessageID).toMatch(UUID);
    expect(Number.isNaN(Date.parse(answer.SubmittedAt))).toBe(false);

    const [stored] = await mailbox.messages();
    expect(stored).toMatchObject({
      id: answer.MessageID,
      from: { name: 'Auth', email: 'auth@example.com' },
      to: [
        { name: 'Doe, Jane', email: 'jane@example.com' },
        { name: null, email: 'bob@example.com' },
      ],
      cc: [{ name: null, email: 'carol@example.com' }],
      subject: 'Hello',
      replyTo: 'reply@example.com',
      tag: 'verify',
      headers: [{ name: 'X-Test', value: 'yes' }],
      metadata: { kind: 'test' },
      stream: 'outbound',
      template: null,
    });
    expect(messageLinks(stored)).toEqual(['https://site.test/a?b=1&c=2', 'https://site.test/h?x=1&y=2']);
  });

  it('answers a batch message by message, keeping only the accepted ones', async () => {
    const answers = await client.sendEmailBatch([
      { From: FROM, To: 'one@example.com', Subject: '1', TextBody: 'one' },
      { From: FROM, To: 'not-an-address', Subject: '2', TextBody: 'two' },
      { From: FROM, To: 'three@example.com', Subject: '3', HtmlBody: '<b>three</b>' },
    ]);
    expect(answers.map((a) => a.ErrorCode)).toEqual([0, 300, 0]);
    expect(answers[1].Message).toContain("'To'");
    expect(answers[0].MessageID).toMatch(UUID);
    expect((await mailbox.messages()).map((m) => m.subject)).toEqual(['3', '1']); // newest first
  });

  it('keeps what a template send asked for, and refuses one that names no template', async () => {
    const answer = await client.sendEmailWithTemplate({
      From: FROM,
      To: 'ada@example.com',
      TemplateAlias: 'welcome',
      TemplateModel: { name: 'Ada', link: 'https://site.test/welcome' },
    });
    expect(answer).toMatchObject({ To: 'ada@example.com', ErrorCode: 0, Message: 'OK' });
    const [stored] = await mailbox.messages();
    expect(stored.template).toEqual({ id: null, alias: 'welcome', model: { name: 'Ada', link: 'https://site.test/welcome' } });

    const missing = await refusal(client.sendEmailWithTemplate({ From: FROM, To: 'ada@example.com', TemplateModel: {} }));
    expect(missing).toMatchObject({ statusCode: 422, code: 1101 });
  });

  it('answers a batch of template sends', async () => {
    const answers = await client.sendEmailBatchWithTemplates([
      { From: FROM, To: 'a@example.com', TemplateId: 7, TemplateModel: {} },
      { From: FROM, To: 'b@example.com', TemplateModel: {} },
    ]);
    expect(answers.map((a) => a.ErrorCode)).toEqual([0, 1101]);
    expect((await mailbox.messages()).map((m) => m.template?.id)).toEqual([7]);
  });

  it.each([
    ['no recipient at all', 300, 'Zero recipients specified', { To: '' }],
    ['a To without @', 300, "Error parsing 'To': Illegal email address 'bob.example.com'. It must contain the '@' symbol.", { To: 'bob.example.com' }],
    ['a bad domain in Cc', 300, "Error parsing 'Cc': Illegal email domain 'exa mple.com' in address 'bob@exa mple.com'.", { Cc: 'bob@exa mple.com' }],
    ['no From', 300, "Invalid 'From' value.", { From: '' }],
    ['a malformed From', 300, "Invalid 'From' address: 'Auth <auth>'.", { From: 'Auth <auth>' }],
    ['neither body', 300, 'Provide either email TextBody or HtmlBody or both.', { TextBody: undefined, HtmlBody: undefined }],
    ['51 recipients over To, Cc and Bcc', 300, 'Maximum of 50 recipients allowed per email message', {
      To: recipients(20),
      Cc: recipients(20),
      Bcc: recipients(11),
    }],
  ])('refuses %s with 422 and ErrorCode %i', async (_name, code, message, fields) => {
    const sent = client.sendEmail({ From: FROM, To: 'ok@example.com', Subject: 's', TextBody: 't', ...fields });
    expect(await refusal(sent)).toEqual({ statusCode: 422, code, message, name: 'InvalidEmailRequestError' });
    expect(await mailbox.messages()).toEqual([]);
  });

  it('accepts exactly 50 recipients', async () => {
    await client.sendEmail({ From: FROM, To: recipients(25), Cc: recipients(25), Subject: 's', TextBody: 't' });
    expect((await mailbox.messages())[0].to).toHaveLength(25);
  });

  it('answers 401 with ErrorCode 10 without a server token', async () => {
    const res = await fetch(`${mailbox.url}/email`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ From: FROM, To: 'a@example.com', TextBody: 't' }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ ErrorCode: 10 });
    expect(await mailbox.messages()).toEqual([]);
  });

  it('refuses bodies Postmark cannot read: not JSON, wrong shape, too large', async () => {
    const post = (body: string, contentType = 'application/json'): Promise<Response> =>
      fetch(`${mailbox.url}/email`, { method: 'POST', headers: { 'Content-Type': contentType, 'X-Postmark-Server-Token': 't' }, body });
    const answers = await Promise.all([post('{not json'), post('[1]'), post('{}', 'text/plain'), post('x'.repeat(10 * 1024 * 1024 + 1))]);
    expect(answers.map((r) => r.status)).toEqual([422, 422, 422, 413]);
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { ErrorCode: number }[];
    expect(bodies.slice(0, 3).map((b) => b.ErrorCode)).toEqual([402, 403, 409]);
  });

  it('answers a simulated outage until it is cleared', async () => {
    mailbox.failWith({ status: 500, message: 'provider on fire' });
    expect(await refusal(client.sendEmail({ From: FROM, To: 'a@example.com', Subject: 's', TextBody: 't' }))).toMatchObject({
      statusCode: 500,
      name: 'InternalServerError',
    });
    mailbox.failWith(null);
    await client.sendEmail({ From: FROM, To: 'a@example.com', Subject: 's', TextBody: 't' });
    expect(await mailbox.messages()).toHaveLength(1);
  });

  it('serves messages as JSON, filtered by recipient, and empties on DELETE', async () => {
    await client.sendEmail({ From: FROM, To: 'ada@example.com', Subject: 'for Ada', TextBody: 't' });
    await client.sendEmail({ From: FROM, To: 'bob@example.com', Bcc: 'ADA@example.com', Subject: 'Bcc Ada', TextBody: 't' });
    await client.sendEmail({ From: FROM, To: 'bob@example.com', Subject: 'for Bob', TextBody: 't' });
    const list = async (query: string): Promise<string[]> => {
      const res = await fetch(`${mailbox.url}/api/messages${query}`);
      return ((await res.json()) as { messages: StoredMessage[] }).messages.map((m) => m.subject);
    };
    expect(await list('?to=Ada@example.com')).toEqual(['Bcc Ada', 'for Ada']);
    expect(await list('')).toEqual(['for Bob', 'Bcc Ada', 'for Ada']);
    const one = (await mailbox.messages())[0];
    expect(await (await fetch(`${mailbox.url}/api/messages/${one.id}`)).json()).toEqual(one);
    expect((await fetch(`${mailbox.url}/api/messages`, { method: 'DELETE' })).status).toBe(204);
    expect(await list('')).toEqual([]);
  });
});

describe('mailbox web page', () => {
  let mailbox: Mailbox;
  let client: ServerClient;

  beforeEach(async () => {
    mailbox = await startMailbox({});
    client = clientFor(mailbox);
  });
  afterEach(() => mailbox.close());

  const hostile = '<script>alert(1)</script>"\'&';

  it('lists messages newest first, escaping what senders wrote', async () => {
    await client.sendEmail({ From: FROM, To: 'first@example.com', Subject: 'first', TextBody: 't' });
    await client.sendEmail({
      From: `"${hostile.replace(/["\\]/g, '\\$&')}" <x@example.com>`,
      To: `"<img src=x onerror=alert(2)>" <evil@example.com>`,
      Subject: hostile,
      TextBody: 't',
    });
    const res = await fetch(`${mailbox.url}/`);
    const html = await res.text();
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
    expect(html.indexOf('&lt;script&gt;')).toBeLessThan(html.indexOf('>first<'));
  });

  it('shows a message with clickable links, its text escaped and its HTML sandboxed', async () => {
    const { MessageID } = await client.sendEmail({
      From: FROM,
      To: 'ada@example.com',
      Subject: hostile,
      TextBody: `Click https://site.test/verify?token=a%2Bb&x=1. Or javascript:alert(3) ${hostile}`,
      HtmlBody: '<p>Hi</p><script>alert(4)</script>',
    });
    const page = await (await fetch(`${mailbox.url}/messages/${MessageID}`)).text();
    expect(page).toContain('<a href="https://site.test/verify?token=a%2Bb&amp;x=1">');
    expect(page).not.toMatch(/href="javascript:/);
    expect(page).not.toContain('<script>');
    expect(page).toMatch(/<iframe [^>]*sandbox="[^"]*"[^>]*src="\/messages\/[0-9a-f-]+\/html"/);
    expect(page).not.toMatch(/sandbox="[^"]*allow-scripts/);

    const framed = await fetch(`${mailbox.url}/messages/${MessageID}/html`);
    expect(framed.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox /);
    expect(await framed.text()).toContain('<p>Hi</p>');
  });

  it('answers 404 for an unknown message and 405 for a wrong method', async () => {
    expect((await fetch(`${mailbox.url}/messages/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    expect((await fetch(`${mailbox.url}/api/messages/nope`)).status).toBe(404);
    expect((await fetch(`${mailbox.url}/`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${mailbox.url}/email`)).status).toBe(405);
  });
});

describe('mailbox kept in a directory', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailbox-test-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps messages across a restart, one JSON file each, and clear() removes them', async () => {
    const first = await startMailbox({ dir });
    const { MessageID } = await clientFor(first).sendEmail({ From: FROM, To: 'ada@example.com', Subject: 'before', TextBody: 't' });
    await first.close();

    expect(await readdir(dir)).toEqual([`${MessageID}.json`]);
    expect(JSON.parse(await readFile(join(dir, `${MessageID}.json`), 'utf8'))).toMatchObject({ id: MessageID, subject: 'before' });

    const second = await startMailbox({ dir });
    try {
      await clientFor(second).sendEmail({ From: FROM, To: 'ada@example.com', Subject: 'after', TextBody: 't' });
      const messages = await second.messages();
      expect(messages.map((m) => m.subject)).toEqual(['after', 'before']);
      expect(messages[0].sequence).toBeGreaterThan(messages[1].sequence);
      await second.clear();
      expect(await second.messages()).toEqual([]);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('starts despite a file that is not a message', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, '00000000-0000-4000-8000-000000000000.json'), '{half');
    const mailbox = await startMailbox({ dir });
    try {
      expect(await mailbox.messages()).toEqual([]);
    } finally {
      await mailbox.close();
    }
  });
});

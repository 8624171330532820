/**
 * Sends the auth API's emails through the real `postmark` ServerClient: to Postmark in
 * production, and to the local mailbox (netlify/mailbox) in development and tests, the same
 * client pointed at POSTMARK_API_URL. One code path, so what works locally works deployed.
 *
 * Whatever goes wrong (Postmark refuses, answers 5xx, or cannot be reached), the caller gets
 * HttpError('email_failed') with a fixed message; the provider's own words go to the server log
 * only, because they can name addresses and account details a client must not see.
 */

import { Errors, Models, ServerClient } from 'postmark';
import type { Config } from './config.ts';
import { renderEmail, type OutgoingEmail } from './email-templates.ts';
import { HttpError } from './errors.ts';

export type { EmailKind, OutgoingEmail } from './email-templates.ts';

// A function's whole run lasts seconds; the client's own default is to wait 180 s.
const SEND_TIMEOUT_SECONDS = 10;

export interface PostmarkClientOptions {
  readonly useHttps: boolean;
  /** host[:port], plus any path prefix: the client's base URL is `scheme://requestHost`. */
  readonly requestHost: string;
  readonly timeout: number;
}

export function postmarkClientOptions(apiUrl: string): PostmarkClientOptions {
  const url = new URL(apiUrl);
  const path = url.pathname.replace(/\/+$/, '');
  return { useHttps: url.protocol === 'https:', requestHost: `${url.host}${path}`, timeout: SEND_TIMEOUT_SECONDS };
}

// One client per configuration: config() is read once per process, so this is one per process.
const clients = new WeakMap<Config, ServerClient>();

function clientFor(config: Config): ServerClient {
  let client = clients.get(config);
  if (!client) {
    client = new ServerClient(config.postmarkServerToken, postmarkClientOptions(config.postmarkApiUrl));
    clients.set(config, client);
  }
  return client;
}

/** Renders and sends one email; throws HttpError('email_failed') when it does not go out. */
export async function sendEmail(config: Config, email: OutgoingEmail): Promise<void> {
  const rendered = renderEmail(config, email);
  try {
    const response = await clientFor(config).sendEmail({
      From: config.emailFrom,
      To: email.to,
      Subject: rendered.subject,
      HtmlBody: rendered.html,
      TextBody: rendered.text,
      Tag: email.kind,
      MessageStream: 'outbound',
      // Tracking would send the token links through Postmark's redirector, and record them there.
      TrackLinks: Models.LinkTrackingOptions.None,
      TrackOpens: false,
    });
    if (response.ErrorCode !== 0) throw new Error(`answered ErrorCode ${String(response.ErrorCode)}: ${String(response.Message)}`);
  } catch (err) {
    console.error(`email: a '${email.kind}' email was not sent: ${describe(err)}`);
    throw new HttpError('email_failed');
  }
}

/**
 * The local mailbox's address when this is development and email goes to one on this machine
 * (netlify/mailbox): what the demo shows a person who just signed up. Null in production.
 */
export function localMailbox(config: Config): string | null {
  if (config.production) return null;
  const host = new URL(config.postmarkApiUrl).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.') ? config.postmarkApiUrl : null;
}

/** `sendEmail` bound to a configuration: the shape AuthContext.sendEmail expects. */
export function emailSender(config: Config): (email: OutgoingEmail) => Promise<void> {
  return (email) => sendEmail(config, email);
}

function describe(err: unknown): string {
  if (err instanceof Errors.PostmarkError) return `${err.name} (HTTP ${err.statusCode}, ErrorCode ${err.code}): ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

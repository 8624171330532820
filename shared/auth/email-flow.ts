/**
 * The common end of every operation that may email someone: the query decided (inside its
 * transaction, under the address's rate limit) whether to send; this sends, and if sending
 * fails, forgets the recorded email so that trying again is not held back by a message that
 * never left. Nothing else is undone: an account created before the failure stays.
 */

import { HttpError } from '../errors.ts';
import { forgetEmailEvent, type EmailDecision, type EmailTokenInput } from '../fql/accounts.ts';
import { emailIpKey, withHourlyAllowance, type EmailLimits } from '../fql/rate-limits.ts';
import { runQuery, type Expr } from '../fql/run-query.ts';
import { sha256 } from '../tokens.ts';
import { normalizeEmail } from '../validation.ts';
import type { AuthContext, EmailKind } from './context.ts';

export async function deliver(ctx: AuthContext, decision: EmailDecision, to: string, token: string): Promise<void> {
  if (decision.status === 'rate_limited') throw rateLimited(decision.retryAfter, decision.limit ?? 'emails');
  if (decision.status !== 'send') return;
  const kind = decision.kind as EmailKind;
  try {
    await ctx.sendEmail({ kind, to, token: kind === 'already_registered' || kind === 'invitation_only' ? undefined : token });
  } catch (err) {
    await runQuery(ctx.db, forgetEmailEvent(decision.event)).catch((cleanup: unknown) => console.error('auth: could not forget an unsent email', cleanup));
    throw err instanceof HttpError ? err : new HttpError('email_failed');
  }
}

/** What a query needs to mint one emailed link for an address, under its email limits. */
export interface LinkRequest {
  readonly email: string;
  readonly token: EmailTokenInput;
  readonly limits: EmailLimits;
}

/**
 * For the endpoints that answer the same whether or not the address has an account (forgot,
 * resend), under the per-IP limit they share with register: mints a fresh link secret, lets `query` decide (inside its transaction) whether to
 * store its hash and send it, and sends it after answering where the platform allows. Waiting
 * for the provider only when there is an account would say, by the time taken, that there is
 * one; so would an email_failed that only an account can cause. A failed send is logged, and its
 * email event forgotten so that asking again is not held back.
 */
export async function emailLink(
  ctx: AuthContext,
  request: { email: unknown; ip: string },
  ttlSeconds: number,
  query: (input: LinkRequest) => Expr,
): Promise<void> {
  const email = normalizeEmail(request.email);
  const token = ctx.randomToken();
  const limits = { perHour: ctx.config.emailsPerAddressPerHour, minIntervalSeconds: ctx.config.emailMinIntervalSeconds };
  const decide = query({ email, token: { hash: sha256(token), ttlSeconds }, limits });
  const decision = await runQuery<EmailDecision>(ctx.db, withHourlyAllowance(emailIpKey(request.ip), ctx.config.emailsPerIpPerHour, decide));
  if (decision.status === 'rate_limited') throw rateLimited(decision.retryAfter, decision.limit ?? 'emails');
  if (decision.status !== 'send') return;
  const send = (): Promise<void> =>
    deliver(ctx, decision, email, token).catch((err: unknown) => console.error(`auth: a ${decision.kind} email was not sent`, err));
  if (!ctx.afterAnswer) return send();
  // Not even started before the answer: building and sending the message is work that only an
  // account causes, so it must not delay the answer (issue 19, item 9).
  ctx.afterAnswer(new Promise<void>((resolve) => setImmediate(resolve)).then(send));
}

/** What a 429 counted: each says so, so that a person knows what to wait for. */
export type RateLimit = 'attempts' | 'emails' | 'ip';

const RATE_LIMIT_MESSAGES: Readonly<Record<RateLimit, string>> = {
  attempts: 'Too many failed attempts.',
  emails: 'Too many emails to this address.',
  ip: 'Too many link requests from your network.',
};

export function rateLimited(retryAfterSeconds: number, limit: RateLimit): HttpError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new HttpError('rate_limited', {
    message: `${RATE_LIMIT_MESSAGES[limit]} Try again in ${waitInWords(seconds)}.`,
    headers: { 'Retry-After': String(seconds) },
  });
}

/** "1 minute", "53 minutes", "40 seconds": what a person waits, rounded up to minutes past one. */
export function waitInWords(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

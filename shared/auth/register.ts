/**
 * POST /api/auth/register: a new address gets an unverified account and a verification
 * email; an address that already has an account gets a "you already have an account" email
 * instead. The client sees the same answer either way, so it learns nothing about who is
 * registered.
 */

import { HttpError } from '../errors.ts';
import { registerQuery, type EmailDecision } from '../fql/accounts.ts';
import { emailIpKey, withHourlyAllowance } from '../fql/rate-limits.ts';
import { runQuery } from '../fql/run-query.ts';
import { sha256 } from '../tokens.ts';
import { addressWords, assertStrongPassword } from '../password-strength.ts';
import { checkPassword, normalizeEmail } from '../validation.ts';
import { auditScope, type AuthContext } from './context.ts';
import { deliver } from './email-flow.ts';

export interface RegisterInput {
  readonly email: unknown;
  readonly password: unknown;
  /** The client's IP address: registrations from one are limited per hour, like every call that emails. */
  readonly ip: string;
  /** The browser's signup cookie (see signup-binding.ts): a new account keeps its hash. */
  readonly binding: string;
}

/**
 * With REGISTRATION=invite every address is refused alike, before anything is read: an invitee
 * creates the account from the invitation's link, which proves the address. Accepting invited
 * addresses here would let anyone who knows one register it first (with a password of their own,
 * spending the invitation), and a different answer for them would tell who is invited.
 */
export async function register(ctx: AuthContext, input: RegisterInput): Promise<void> {
  if (ctx.config.registration === 'invite') throw new HttpError('invitation_required');
  const email = normalizeEmail(input.email);
  const password = checkPassword(input.password, ctx.config);
  await assertStrongPassword(password, addressWords(email));
  const token = ctx.randomToken();
  const decide = registerQuery({
    email,
    password,
    bindingHash: sha256(input.binding),
    token: { hash: sha256(token), ttlSeconds: ctx.config.verifyTokenTtlSeconds },
    limits: { perHour: ctx.config.emailsPerAddressPerHour, minIntervalSeconds: ctx.config.emailMinIntervalSeconds },
    audit: auditScope(ctx),
  });
  const query = withHourlyAllowance(emailIpKey(input.ip), ctx.config.emailsPerIpPerHour, decide);
  await deliver(ctx, await runRegistration(ctx, query), email, token);
}

/** A concurrent registration of the same address may win the race; then this one is an "already registered". */
async function runRegistration(ctx: AuthContext, query: Parameters<typeof runQuery>[1]): Promise<EmailDecision> {
  try {
    return await runQuery<EmailDecision>(ctx.db, query, { onNotUnique: 'account_exists' });
  } catch (err) {
    if (!(err instanceof HttpError) || err.code !== 'account_exists') throw err;
    return runQuery<EmailDecision>(ctx.db, query);
  }
}

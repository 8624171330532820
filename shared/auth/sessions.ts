/**
 * Sessions: logging in, refreshing (verify and rotate in one transaction), logging out,
 * listing and revoking. These decide; the endpoint signs the JWTs and writes the cookies.
 */

import { HttpError } from '../errors.ts';
import { runQuery } from '../fql/run-query.ts';
import { isoMillis } from '../fql/times.ts';
import {
  listSessionsQuery,
  loginQuery,
  logoutQuery,
  refreshQuery,
  revokeSessionQuery,
  type ListedSession,
  type LoginResult,
  type NewRefreshToken,
  type RefreshResult,
  type User,
} from '../fql/sessions.ts';
import { sha256 } from '../tokens.ts';
import { describeUserAgent } from '../user-agent.ts';
import { normalizeEmail, passwordCandidates } from '../validation.ts';
import { auditScope, type AuthContext } from './context.ts';
import { rateLimited } from './email-flow.ts';
import { deviceNotice, noticeToken, sendNotice } from './notices.ts';
import { withConfiguredAdmin } from './roles.ts';

/** A session as the endpoint needs it to sign fresh tokens. */
export interface Established {
  readonly user: User;
  readonly sessionId: string;
  /** The new refresh token's id: it goes into the JWT, only its hash into the database. */
  readonly refreshJti: string;
}

/** A refresh token about to be stored: its id goes into the JWT, only hashes into the database. */
export interface IssuedRefreshToken {
  readonly jti: string;
  readonly stored: NewRefreshToken;
}

/** A new refresh token: the first of a session (no parent), or the one a refresh rotates to. */
export function issueRefreshToken(ctx: AuthContext, parentJti: string | null = null): IssuedRefreshToken {
  const jti = ctx.randomToken();
  const parentHash = parentJti === null ? null : sha256(parentJti);
  return { jti, stored: { jtiHash: sha256(jti), parentHash, ttlSeconds: ctx.config.refreshTokenTtlSeconds } };
}

export interface SessionClaims {
  readonly accountId: string;
  readonly sessionId: string;
}

function badCredentials(): HttpError {
  return new HttpError('invalid_credentials');
}

/** Never says which part was wrong; "not verified" only after a correct password. */
export async function login(ctx: AuthContext, body: Readonly<Record<string, unknown>>, userAgent: string, ip: string): Promise<Established> {
  let email: string;
  try {
    email = normalizeEmail(body.email);
  } catch {
    throw badCredentials();
  }
  const password = typeof body.password === 'string' ? body.password : '';
  if (password.length === 0 || Buffer.byteLength(password) > ctx.config.passwordMaxBytes) throw badCredentials();
  const refresh = issueRefreshToken(ctx);
  const device = deviceNotice(ctx, userAgent);
  const result = await runQuery<LoginResult>(
    ctx.db,
    loginQuery({
      email,
      ip,
      passwords: passwordCandidates(password),
      userAgent,
      refresh: refresh.stored,
      limits: {
        perAddressAndIp: ctx.config.loginMaxFailures,
        perAddress: ctx.config.loginMaxFailuresPerAccount,
        perIp: ctx.config.loginMaxFailuresPerIp,
        windowSeconds: ctx.config.loginFailureWindowSeconds,
      },
      device: device.check,
      audit: auditScope(ctx),
    }),
  );
  if (result.status === 'rate_limited') throw rateLimited(result.retryAfter, 'attempts');
  if (result.status === 'invalid') throw badCredentials();
  if (result.status === 'unverified') throw new HttpError('email_not_verified');
  // Only after a correct password, like email_not_verified: it says nothing to a guesser.
  if (result.status === 'disabled') throw new HttpError('account_disabled');
  await sendNotice(ctx, result.notice, device.token, device.device);
  return withConfiguredAdmin(ctx, { user: result.user, sessionId: result.sessionId, refreshJti: refresh.jti });
}

/** Rotates the refresh token; a reuse after the grace period ends the whole session. */
export async function refreshSession(ctx: AuthContext, claims: SessionClaims & { readonly jti: string }, userAgent: string): Promise<Established> {
  const next = issueRefreshToken(ctx, claims.jti);
  const notice = noticeToken(ctx);
  const result = await runQuery<RefreshResult>(
    ctx.db,
    refreshQuery({
      jtiHash: sha256(claims.jti),
      sessionId: claims.sessionId,
      accountId: claims.accountId,
      next: next.stored,
      graceSeconds: ctx.config.refreshGraceSeconds,
      userAgent,
      notice: notice.stored,
      audit: auditScope(ctx),
    }),
  );
  if (result.status === 'reuse') {
    await sendNotice(ctx, result.notice, notice);
    throw new HttpError('token_reuse');
  }
  if (result.status !== 'ok' || result.sessionId !== claims.sessionId || result.user.id !== claims.accountId) {
    throw new HttpError('invalid_session');
  }
  return withConfiguredAdmin(ctx, { user: result.user, sessionId: result.sessionId, refreshJti: next.jti });
}

export async function logout(ctx: AuthContext, claims: SessionClaims, all: boolean): Promise<void> {
  await runQuery(ctx.db, logoutQuery({ ...claims, all, audit: auditScope(ctx) }));
}

export interface SessionSummary {
  readonly id: string;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  readonly userAgent: string;
  /** The User-Agent as a person says it: "Chrome on Linux". */
  readonly device: string;
  readonly current: boolean;
}

export async function listSessions(ctx: AuthContext, claims: SessionClaims): Promise<SessionSummary[]> {
  const listed = await runQuery<ListedSession[]>(ctx.db, listSessionsQuery(claims.accountId, claims.sessionId));
  return listed.map((s) => ({
    id: s.id,
    createdAt: isoMillis(s.created_at),
    lastUsedAt: isoMillis(s.last_used_at),
    userAgent: s.user_agent,
    device: describeUserAgent(s.user_agent),
    current: s.id === claims.sessionId,
  }));
}

export async function revokeSession(ctx: AuthContext, claims: SessionClaims, sessionId: string): Promise<void> {
  await runQuery(ctx.db, revokeSessionQuery({ accountId: claims.accountId, sessionId, callerSessionId: claims.sessionId, audit: auditScope(ctx) }));
}

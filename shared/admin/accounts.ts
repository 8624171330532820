/**
 * What an admin may do to accounts (the /api/admin/* endpoints): each is one query of
 * shared/fql/admin.ts, which checks the admin in the database and writes the audit entry in the
 * same transaction. Emails (a verification or reset link) are sent after their link is stored.
 */

import type faunadb from 'faunadb';
import { activityEntryOf, type ActivityEntry, type AuditDoc } from '../audit/read.ts';
import type { AuthContext } from '../auth/context.ts';
import { checkMetadata } from '../auth/metadata.ts';
import { checkRoleName } from '../auth/roles.ts';
import { HttpError } from '../errors.ts';
import {
  accountDetailQuery,
  adminEmailLinkQuery,
  deleteAccountQuery,
  revokeAccountSessionsQuery,
  searchAccountsQuery,
  setDisabledQuery,
  adminSetAppMetadataQuery,
  adminSetRolesQuery,
  type AdminCaller,
  type AdminEmailResult,
} from '../fql/admin.ts';
import { runQuery } from '../fql/run-query.ts';
import { isoMillis } from '../fql/times.ts';
import type { FreshUser, Metadata } from '../fql/users.ts';
import { sha256 } from '../tokens.ts';
import { normalizeEmail } from '../validation.ts';
import { decodeCursor, encodeCursor, type CursorValue } from './cursor.ts';

export interface AccountSummary {
  readonly id: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly disabled: boolean;
  readonly createdAt: string | null;
}

export interface AccountPage {
  readonly accounts: readonly AccountSummary[];
  /** Pass as `cursor` for the next page; null on the last one. */
  readonly next: string | null;
}

const PAGE_DEFAULT = 25;
const PAGE_MAX = 100;

function invalidQuery(message: string): HttpError {
  return new HttpError('invalid_query', { message });
}

function flag(params: URLSearchParams, name: string): boolean | null {
  const raw = params.get(name);
  if (raw === null || raw === '') return null;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw invalidQuery(`'${name}' is true or false.`);
}

function pageSize(params: URLSearchParams): number {
  const raw = params.get('limit');
  if (raw === null || raw === '') return PAGE_DEFAULT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > PAGE_MAX) throw invalidQuery(`'limit' is a whole number from 1 to ${PAGE_MAX}.`);
  return n;
}

type IndexRow = [faunadb.values.FaunaTime | null, faunadb.values.Ref, string, boolean | null, boolean | null];

/** Accounts by address prefix (lower-cased; empty: all), newest first, `verified` and `disabled` filters, a cursor. */
export async function searchAccounts(ctx: AuthContext, admin: AdminCaller, params: URLSearchParams): Promise<AccountPage> {
  const prefix = (params.get('q') ?? '').trim().toLowerCase();
  if (prefix.length > 254) throw invalidQuery("'q' is at most 254 characters.");
  const cursor = params.get('cursor');
  const page = await runQuery<{ data: IndexRow[]; after?: CursorValue[] }>(
    ctx.db,
    searchAccountsQuery(admin, {
      prefix,
      verified: flag(params, 'verified'),
      disabled: flag(params, 'disabled'),
      size: pageSize(params),
      after: cursor === null || cursor === '' ? null : decodeCursor(cursor),
    }),
  );
  return {
    accounts: page.data.map(([at, ref, email, verified, disabled]) => ({
      id: ref.id,
      email,
      emailVerified: verified === true,
      disabled: disabled === true,
      createdAt: at === null ? null : at.date.toISOString(),
    })),
    next: page.after === undefined ? null : encodeCursor(page.after),
  };
}

export interface SessionSummary {
  readonly id: string;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  readonly userAgent: string;
}

export interface AccountDetail {
  readonly account: FreshUser & { readonly disabled: boolean; readonly createdAt: string | null };
  readonly sessions: readonly SessionSummary[];
  readonly activity: readonly ActivityEntry[];
}

interface SessionDoc {
  readonly ref: faunadb.values.Ref;
  readonly data: { readonly created_at: faunadb.values.FaunaTime; readonly last_used_at: faunadb.values.FaunaTime; readonly user_agent: string };
}

interface DetailRow {
  readonly account: FreshUser & { readonly disabled: boolean; readonly createdAt: faunadb.values.FaunaTime | null };
  readonly sessions: readonly SessionDoc[];
  readonly activity: readonly AuditDoc[];
}

/** How many audit entries an account's page shows. */
const DETAIL_ACTIVITY = 50;

export async function accountDetail(ctx: AuthContext, admin: AdminCaller, id: string): Promise<AccountDetail> {
  const row = await runQuery<DetailRow>(ctx.db, accountDetailQuery(admin, id, DETAIL_ACTIVITY));
  return {
    account: { ...row.account, createdAt: row.account.createdAt?.date.toISOString() ?? null },
    sessions: row.sessions.map((s) => ({
      id: s.ref.id,
      createdAt: isoMillis(s.data.created_at),
      lastUsedAt: isoMillis(s.data.last_used_at),
      userAgent: s.data.user_agent,
    })),
    activity: row.activity.map(activityEntryOf),
  };
}

export async function setDisabled(ctx: AuthContext, admin: AdminCaller, id: string, disabled: boolean): Promise<void> {
  await runQuery(ctx.db, setDisabledQuery(admin, id, disabled));
}

/** One session (its id), or every session (null). */
export async function revokeSessions(ctx: AuthContext, admin: AdminCaller, id: string, sessionId: string | null): Promise<void> {
  await runQuery(ctx.db, revokeAccountSessionsQuery(admin, id, sessionId));
}

/** A new verification link (409 already_verified) or reset link, mailed to the account's address. */
export async function sendLink(ctx: AuthContext, admin: AdminCaller, id: string, kind: 'verify' | 'reset'): Promise<void> {
  const token = ctx.randomToken();
  const ttlSeconds = kind === 'verify' ? ctx.config.verifyTokenTtlSeconds : ctx.config.resetTokenTtlSeconds;
  const result = await runQuery<AdminEmailResult>(ctx.db, adminEmailLinkQuery(admin, id, kind, { hash: sha256(token), ttlSeconds }));
  if (result.status === 'already_verified') throw new HttpError('already_verified');
  await ctx.sendEmail({ kind, to: result.email, token });
}

const ROLES_MAX = 32;

/** Replaces the roles whole; an admin cannot take the admin role from their own account. */
export async function setRoles(ctx: AuthContext, admin: AdminCaller, id: string, body: Readonly<Record<string, unknown>>): Promise<FreshUser> {
  const roles = body.roles;
  if (!Array.isArray(roles) || roles.length > ROLES_MAX)
    throw new HttpError('invalid_body', { message: `'roles' is an array of at most ${ROLES_MAX} role names.` });
  const checked = roles.map(checkRoleName);
  if (id === admin.accountId && !checked.includes(admin.role)) throw new HttpError('own_account');
  return runQuery<FreshUser>(ctx.db, adminSetRolesQuery(admin, id, checked));
}

export async function setAppMetadata(ctx: AuthContext, admin: AdminCaller, id: string, body: Readonly<Record<string, unknown>>): Promise<FreshUser> {
  const metadata: Metadata = checkMetadata(body.appMetadata, 'appMetadata');
  return runQuery<FreshUser>(ctx.db, adminSetAppMetadataQuery(admin, id, metadata));
}

/** Deletes the account and everything it owns; `email` must be its address, typed again. */
export async function deleteAccount(ctx: AuthContext, admin: AdminCaller, id: string, body: Readonly<Record<string, unknown>>): Promise<void> {
  let email: string;
  try {
    email = normalizeEmail(body.email);
  } catch {
    throw new HttpError('confirmation_mismatch');
  }
  await runQuery(ctx.db, deleteAccountQuery(admin, id, email));
}

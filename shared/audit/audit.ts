/**
 * The audit log: one document per security event of an account (collection `audit_events`),
 * written by the query of the action itself, so that the entry and the action commit together or
 * not at all. Every query that acts composes `auditEntry(...)` into its own FQL; nothing here runs
 * a query of its own.
 *
 * An entry: `at`, `account` (the account it is about, or null: a failed login for an address
 * with no account, an admin's search), `actor` ('self', 'admin' or 'system') and, for an admin,
 * `actor_account`, `event`, `ip`, `user_agent`, `session` (the session it came from, when there
 * is one) and `detail` (a small object). It expires AUDIT_RETENTION_DAYS after it was written (its
 * document ttl).
 */

import faunadb from 'faunadb';
import type { Expr } from '../fql/run-query.ts';

const q = faunadb.query;

/** The closed set of events (docs/API.md, "Audit log"). */
export const AUDIT_EVENTS = [
  'register',
  'verify',
  'login',
  'login_failed',
  'logout',
  'refresh_reuse',
  'password_change',
  'password_reset',
  'magic_link_login',
  'session_revoked',
  'role_change',
  'app_metadata_change',
  'account_disabled',
  'account_enabled',
  'account_deleted',
  'verification_sent',
  'password_reset_sent',
  'admin_search',
  'admin_view',
  'invitation_sent',
  'invitation_revoked',
  'invitations_listed',
  'invitation_accepted',
  'secure_account',
] as const;

export type AuditEventName = (typeof AUDIT_EVENTS)[number];

/** Who made the request: its IP address (Netlify's context.ip) and User-Agent (cut to 512 characters). */
export interface Requester {
  readonly ip: string;
  readonly userAgent: string;
}

export const UNKNOWN_REQUESTER: Requester = { ip: 'unknown', userAgent: 'unknown' };

/** What every entry of one request shares: who asked, and how long entries are kept. */
export interface AuditScope {
  readonly requester: Requester;
  readonly retentionDays: number;
}

export type Actor = { readonly kind: 'self' } | { readonly kind: 'system' } | { readonly kind: 'admin'; readonly account: Expr };

export const SELF: Actor = { kind: 'self' };
export const SYSTEM: Actor = { kind: 'system' };

export function adminActor(account: Expr): Actor {
  return { kind: 'admin', account };
}

export interface AuditEntry {
  /** The account the event is about (a Ref, or an expression that is one or null). */
  readonly account: Expr | null;
  readonly actor: Actor;
  readonly event: AuditEventName;
  /** The session the event came from, or that it started (a Ref). */
  readonly session?: Expr | null;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** The Create of one entry, to compose into the action's own query. */
export function auditEntry(scope: AuditScope, entry: AuditEntry): Expr {
  return q.Create(q.Collection('audit_events'), {
    data: {
      at: q.Now(),
      account: entry.account,
      actor: entry.actor.kind,
      actor_account: entry.actor.kind === 'admin' ? entry.actor.account : null,
      event: entry.event,
      ip: scope.requester.ip,
      user_agent: scope.requester.userAgent,
      session: entry.session ?? null,
      detail: entry.detail === undefined ? {} : q.Object(entry.detail),
    },
    ttl: q.TimeAdd(q.Now(), scope.retentionDays * 86_400, 'seconds'),
  });
}

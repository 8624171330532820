/**
 * The auth database's schema, as data: what apply.ts makes the database look like. Names and
 * shapes are described in docs/ARCHITECTURE.md ("Data model"); the FQL in shared/fql relies
 * on them.
 *
 * Index terms, values, source and `unique` cannot be changed once an index exists (an FQL v4
 * server refuses such an Update, and the entries would be wrong anyway), so editing them here
 * means a manual migration: apply.ts refuses to go on and says which index and what differs.
 * Everything else (ttl_days, data, a function's body) is updated in place.
 *
 * No user-defined functions: every operation is composed in shared/fql from FQL fragments and
 * sent as one query, which is already one transaction. A UDF would put a second copy of that
 * logic in the database, to be kept in step with the code at every deploy, for no gain in
 * atomicity. The `functions` list is still part of the shape, and apply.ts manages it.
 */

import type faunadb from 'faunadb';
import { OWNED_COLLECTIONS, withOwnedData } from './owned-data.ts';

/** A document field as an index reads it: ['data', 'email'], or ['ref']. */
export interface IndexField {
  readonly field: readonly string[];
  /** Only meaningful in `values`: sort this value descending. */
  readonly reverse?: boolean;
}

/** Plain data kept on a schema object (its `data` field). */
export type SchemaData = Readonly<Record<string, string | number | boolean | null>>;

export interface CollectionSpec {
  readonly name: string;
  /** Documents are removed this many days after their last write. */
  readonly ttl_days?: number;
  /**
   * Days a replaced version of a document is kept (FQL history). 0 unless said: the app reads no
   * history, and an old version of an account or a token (a password hash, a spent token) must
   * not outlive its replacement.
   */
  readonly history_days?: number;
  readonly data?: SchemaData;
}

export interface IndexSpec {
  readonly name: string;
  /** The collection(s) it reads, by name; 'tokens' is the built-in Tokens(). */
  readonly source: string | readonly string[];
  readonly terms?: readonly IndexField[];
  readonly values?: readonly IndexField[];
  readonly unique?: boolean;
  readonly data?: SchemaData;
}

export interface FunctionSpec {
  readonly name: string;
  /** `q.Query(q.Lambda(...))`, with no free variables (they would be captured at creation). */
  readonly body: faunadb.Expr;
  /** 'server' to run with more privileges than its caller; omitted: the caller's own. */
  readonly role?: 'admin' | 'server';
  readonly data?: SchemaData;
}

/**
 * A role: who is a member, and what members may do (FQL's CreateRole parameters, written with
 * the driver: `q.Collection(...)`, `q.Query(q.Lambda(...))`). Only an admin key may create one.
 */
export interface RoleSpec {
  readonly name: string;
  readonly membership: readonly object[];
  readonly privileges: readonly object[];
}

export interface SchemaSpec {
  readonly collections: readonly CollectionSpec[];
  readonly indexes: readonly IndexSpec[];
  readonly functions: readonly FunctionSpec[];
  /** Optional: a schema without roles can be applied with a server key. */
  readonly roles?: readonly RoleSpec[];
}

const byData = (name: string): IndexField => ({ field: ['data', name] });

export const AUTH_SCHEMA: SchemaSpec = {
  collections: [
    // Passwords are the engine's credentials on these documents, never a field.
    { name: 'accounts' },
    { name: 'sessions' },
    // Each document carries its own ttl (its expires_at), so no collection-wide one.
    { name: 'refresh_tokens' },
    // Every emailed token lives at most a day; a week leaves room for raising the TTL settings.
    { name: 'email_tokens', ttl_days: 7 },
    // The longest rate window is an hour: a day of events is plenty.
    { name: 'rate_events', ttl_days: 1 },
    { name: 'anomalies' },
    // Each entry carries its own ttl (AUDIT_RETENTION_DAYS from when it was written: shared/audit).
    { name: 'audit_events' },
    // Admins' invitations (shared/fql/invitations.ts); each carries its own ttl, a while past its expiry.
    { name: 'invitations' },
  ],
  indexes: [
    // Unique: two concurrent sign-ups with one email cannot both commit.
    { name: 'accounts_by_email', source: 'accounts', terms: [byData('email')], unique: true },
    { name: 'sessions_by_account', source: 'sessions', terms: [byData('account')] },
    { name: 'refresh_tokens_by_hash', source: 'refresh_tokens', terms: [byData('jti_hash')], unique: true },
    { name: 'refresh_tokens_by_session', source: 'refresh_tokens', terms: [byData('session')] },
    // Deleting an account deletes its refresh tokens, also those of sessions that ended before
    // (an ended session is deleted; its tokens only expire).
    { name: 'refresh_tokens_by_account', source: 'refresh_tokens', terms: [byData('account')] },
    { name: 'email_tokens_by_hash', source: 'email_tokens', terms: [byData('token_hash')], unique: true },
    // The engine tokens a session's site functions act through (shared/user/db.ts): ending the
    // session deletes them. 'tokens' is the engine's own Tokens() collection.
    { name: 'tokens_by_session', source: 'tokens', terms: [byData('session')] },
    // A new password spends every outstanding reset and magic login link of its account.
    { name: 'email_tokens_by_account', source: 'email_tokens', terms: [byData('account')] },
    // Newest first, so a rate check reads only as many events as its limit.
    {
      name: 'rate_events_by_key',
      source: 'rate_events',
      terms: [byData('key')],
      values: [{ field: ['data', 'at'], reverse: true }, { field: ['ref'] }],
    },
    // The admin search (shared/fql/admin.ts): one entry per prefix of the address (data.email_prefixes,
    // '' included), newest account first, carrying what a list shows, so a page reads no document.
    {
      name: 'accounts_by_email_prefix',
      source: 'accounts',
      terms: [byData('email_prefixes')],
      values: [{ field: ['data', 'created_at'], reverse: true }, { field: ['ref'] }, byData('email'), byData('email_verified'), byData('disabled')],
    },
    // What deleting an account must find besides its sessions and links.
    { name: 'anomalies_by_account', source: 'anomalies', terms: [byData('account')] },
    { name: 'email_tokens_by_email', source: 'email_tokens', terms: [byData('email')] },
    // Rate-limit keys in order, so that every key of an address (one per IP address, too) is one Range.
    { name: 'rate_events_by_key_order', source: 'rate_events', values: [byData('key'), { field: ['ref'] }] },
    // An account's security activity, newest first; and the entries an admin wrote (their actor).
    {
      name: 'audit_events_by_account',
      source: 'audit_events',
      terms: [byData('account')],
      // The ref too: entries of one transaction share their time, and the later write is newer.
      values: [{ field: ['data', 'at'], reverse: true }, { field: ['ref'], reverse: true }],
    },
    { name: 'audit_events_by_actor', source: 'audit_events', terms: [byData('actor_account')] },
    { name: 'invitations_by_hash', source: 'invitations', terms: [byData('token_hash')], unique: true },
    // An address's invitations: the live one lets it sign up, a new one replaces the old.
    { name: 'invitations_by_email', source: 'invitations', terms: [byData('email')] },
    // The invitations an admin sent: deleting the admin's account clears their sender.
    { name: 'invitations_by_inviter', source: 'invitations', terms: [byData('invited_by')] },
  ],
  functions: [],
};

/** What `npm run schema` applies: the auth schema, and the owner-only collections of the site's own data. */
export const APP_SCHEMA: SchemaSpec = withOwnedData(AUTH_SCHEMA, OWNED_COLLECTIONS);

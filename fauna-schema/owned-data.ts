/**
 * Per-user data that the database itself guards: the FQL role template.
 *
 * A collection named in OWNED_COLLECTIONS holds documents that belong to one account, named by
 * their `data.owner` (a Ref to accounts). A site function reaches them through `db(req)`
 * (shared/user/db.ts), a client that acts as the logged-in user with an engine token, and the
 * engine's `owner` role decides what that token may do, document by document:
 *
 *   read, delete   documents whose owner is the caller (CurrentIdentity())
 *   create         only with `owner` set to the caller
 *   write          only documents the caller owns, and the owner cannot be changed
 *   <name>_by_owner  (terms: data.owner; values: ts newest first, ref) only with the caller as term
 *
 * Anything else (another collection, another index, someone else's document) is answered
 * `permission denied` by the engine, whatever the function asked: a bug in a function cannot
 * show one user another's data. To protect a new collection, add its name here and run
 * `npm run schema`: the collection, its index and the role's privileges follow from the name.
 */

import faunadb from 'faunadb';
import { OWNED_COLLECTIONS, ownerIndexName } from '../shared/fql/owner-index.ts';
import type { CollectionSpec, IndexSpec, RoleSpec, SchemaSpec } from './schema.ts';

const q = faunadb.query;

/** The collections whose documents only their owner may touch: add yours in shared/fql/owner-index.ts. */
export { OWNED_COLLECTIONS };

/** The role every account's engine token is a member of. */
export const OWNER_ROLE = 'owner';

const ownerOf = (doc: faunadb.Expr): faunadb.Expr => q.Select(['data', 'owner'], doc, null);
const isCaller = (owner: faunadb.Expr): faunadb.Expr => q.Equals(owner, q.CurrentIdentity());

function privilegesFor(collection: string): object[] {
  return [
    {
      resource: q.Collection(collection),
      actions: {
        read: q.Query(q.Lambda('ref', isCaller(ownerOf(q.Get(q.Var('ref')))))),
        create: q.Query(q.Lambda('values', isCaller(ownerOf(q.Var('values'))))),
        write: q.Query(q.Lambda(['before', 'after'], q.And(isCaller(ownerOf(q.Var('before'))), isCaller(ownerOf(q.Var('after')))))),
        delete: q.Query(q.Lambda('ref', isCaller(ownerOf(q.Get(q.Var('ref')))))),
      },
    },
    {
      resource: q.Index(ownerIndexName(collection)),
      actions: { read: q.Query(q.Lambda('terms', isCaller(q.Select(0, q.Var('terms'), null)))) },
    },
  ];
}

/** The collections, indexes and role that make `collections` owner-only. */
export function ownedDataSchema(collections: readonly string[]): Required<Pick<SchemaSpec, 'collections' | 'indexes' | 'roles'>> {
  const collectionSpecs: CollectionSpec[] = collections.map((name) => ({ name }));
  const indexSpecs: IndexSpec[] = collections.map((name) => ({
    name: ownerIndexName(name),
    source: name,
    terms: [{ field: ['data', 'owner'] }],
    values: [{ field: ['ts'], reverse: true }, { field: ['ref'] }],
  }));
  const role: RoleSpec = {
    name: OWNER_ROLE,
    // Every account; the token itself is only ever made for a live session (shared/fql/users.ts).
    membership: [{ resource: q.Collection('accounts') }],
    privileges: collections.flatMap(privilegesFor),
  };
  return { collections: collectionSpecs, indexes: indexSpecs, roles: [role] };
}

/** A schema with `collections` made owner-only on top of it. */
export function withOwnedData(base: SchemaSpec, collections: readonly string[]): SchemaSpec {
  const owned = ownedDataSchema(collections);
  return {
    collections: [...base.collections, ...owned.collections],
    indexes: [...base.indexes, ...owned.indexes],
    functions: base.functions,
    roles: [...(base.roles ?? []), ...owned.roles],
  };
}

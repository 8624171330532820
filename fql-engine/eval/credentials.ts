/**
 * The Credentials() collection, as reads see it. A password is kept with its document (a bcrypt
 * hash in the document's engine-only meta, with the id of its credentials), not as a document
 * of its own: listing Credentials() walks the database's documents for those that have one,
 * and Get of a credentials ref finds its document the same way. Writes go through the
 * document's `credentials` field only (known difference 5).
 */

import type { DbId, StoredDoc } from '../storage/types.ts';
import { isPlainJsonObject } from '../wire.ts';
import { Ref, makeObject, type ObjectValue } from '../values.ts';
import { collectionRefFor, resolveDb } from './catalog.ts';
import type { QueryContext } from './context.ts';
import { metaString, orderKeyFor } from './schema-cache.ts';

export interface CredentialsDoc {
  readonly ref: Ref;
  readonly ts: number;
  /** The document the password belongs to. */
  readonly instance: Ref;
}

/** The id of a document's credentials: kept with them, or (for ones set before ids were kept) the document's own. */
function credentialsIdOf(doc: StoredDoc): string | null {
  const meta = isPlainJsonObject(doc.body) && isPlainJsonObject(doc.body.meta) ? doc.body.meta : null;
  if (meta === null || typeof meta.credentials !== 'string') return null;
  return typeof meta.credentialsId === 'string' ? meta.credentialsId : doc.id;
}

/** Every credentials of a database (`scope` as the caller names it), in id order. */
export async function listCredentials(ctx: QueryContext, scope: Ref | undefined): Promise<CredentialsDoc[]> {
  const db: DbId = await resolveDb(ctx, scope);
  const found: CredentialsDoc[] = [];
  for (const coll of await ctx.schema.list(db, 'collections', ctx.nowMicros)) {
    const iid = metaString(coll.meta, 'iid');
    for (const doc of await ctx.tx.scanDocs(db, iid, { now: ctx.nowMicros })) {
      const id = credentialsIdOf(doc);
      if (id === null) continue;
      const instance = new Ref(doc.id, await collectionRefFor(ctx, db, scope, iid));
      found.push({ ref: new Ref(id, Ref.native('credentials', scope)), ts: doc.ts, instance });
    }
  }
  return found.sort((a, b) => (orderKeyFor(a.ref.id) < orderKeyFor(b.ref.id) ? -1 : 1));
}

/** Get of a credentials ref: `{ref, ts, instance}` (the hash is never shown), or null. */
export async function readCredentials(ctx: QueryContext, ref: Ref): Promise<ObjectValue | null> {
  await ctx.access.check(ctx, 'read', Ref.native('credentials'), [ref]);
  const found = (await listCredentials(ctx, ref.collection?.database)).find((c) => c.ref.id === ref.id);
  return found === undefined ? null : makeObject([['ref', ref], ['ts', found.ts], ['instance', found.instance]]);
}

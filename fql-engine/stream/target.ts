/**
 * What a stream watches, from the value its expression evaluated to, as Fauna allowed: a
 * document (its ref, or the document itself as Get gives it), a Match of an index, or the
 * Documents of a collection. Anything else is refused as Fauna refused it.
 */

import { FaunaError } from '../errors.ts';
import { collectionOf, indexOf } from '../eval/catalog.ts';
import type { QueryContext } from '../eval/context.ts';
import { docTarget } from '../eval/documents.ts';
import { encodeKey } from '../ordering.ts';
import { Ref, SetValue, isObject, typeName, type Value } from '../values.ts';
import type { Change } from './change.ts';

export type StreamTarget =
  | { readonly kind: 'document'; readonly db: string; readonly coll: string; readonly id: string }
  | { readonly kind: 'match'; readonly db: string; readonly index: string; readonly terms: string }
  | { readonly kind: 'documents'; readonly db: string; readonly coll: string };

export async function streamTarget(ctx: QueryContext, value: Value): Promise<StreamTarget> {
  const ref = value instanceof Ref ? value : isObject(value) && value.ref instanceof Ref && 'ts' in value ? value.ref : null;
  if (ref !== null && isDocumentRef(ref)) {
    const target = await docTarget(ctx, ref);
    return { kind: 'document', db: target.db, coll: target.coll.iid, id: target.id };
  }
  if (value instanceof SetValue && value.spec.type === 'match') {
    const { db, def } = await indexOf(ctx, value.spec.index);
    await ctx.access.check(ctx, 'read', value.spec.index, [[...value.spec.terms]]);
    return { kind: 'match', db, index: def.iid, terms: Buffer.from(encodeKey(value.spec.terms)).toString('hex') };
  }
  if (value instanceof SetValue && value.spec.type === 'documents') {
    const { db, info } = await collectionOf(ctx, value.spec.collection);
    await ctx.access.check(ctx, 'read', info.ref, [], { perDocumentLater: true });
    return { kind: 'documents', db, coll: info.iid };
  }
  if (value instanceof SetValue) {
    throw new FaunaError('invalid argument', `Only a Match of an index or the Documents of a collection can be streamed, not a ${value.spec.type} set.`);
  }
  throw new FaunaError('invalid argument', `Expected a Document Ref or Version, or a Set Ref, got ${streamTypeName(value)}.`);
}

/** Whether a committed change concerns the target. */
export function concerns(target: StreamTarget, change: Change): boolean {
  if (change.db !== target.db) return false;
  switch (target.kind) {
    case 'document':
      return change.kind === 'doc' && change.coll === target.coll && change.id === target.id;
    case 'match':
      return change.kind === 'set' && change.index === target.index && change.terms === target.terms;
    case 'documents':
      return change.kind === 'doc' && change.coll === target.coll && change.action !== 'update';
  }
}

function isDocumentRef(ref: Ref): boolean {
  const coll = ref.collection;
  return coll !== undefined && (!coll.isNative() || coll.id === 'tokens');
}

const SCHEMA_REF_NAMES: Readonly<Record<string, string>> = {
  collections: 'Collection Ref',
  indexes: 'Index Ref',
  databases: 'Database Ref',
  functions: 'Function Ref',
  roles: 'Role Ref',
  keys: 'Key Ref',
};

/** Fauna's name for what was given, in the words of its error: "Collection Ref", "Object"… */
function streamTypeName(value: Value): string {
  if (value instanceof Ref) return (value.collection?.isNative() ? SCHEMA_REF_NAMES[value.collection.id] : undefined) ?? 'Ref';
  return typeName(value);
}

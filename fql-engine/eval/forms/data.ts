/** Reads and writes: Get, Exists, Create, Update, Replace, Delete, the Create* schema functions, and Call. */

import { FaunaError, typeError } from '../../errors.ts';
import { QueryValue, Ref, SetValue, isObject, makeObject, typeName, valueEquals, type Value } from '../../values.ts';
import { issueToken } from './identity.ts';
import { isSchemaKind, schemaRecord } from '../catalog.ts';
import type { Caller, QueryContext } from '../context.ts';
import type { SchemaKind } from '../schema-cache.ts';
import { createDoc, deleteDoc, docTarget, readDoc, updateDoc } from '../documents.ts';
import { effect, type Args, type Frame, type Spec } from '../spec.ts';
import {
  createCollection,
  createDatabase,
  createFunction,
  createIndex,
  createKey,
  createRole,
  deleteSchema,
  readSchema,
  updateSchema,
} from '../schema-objects.ts';
import { createAccessProvider } from '../access-providers.ts';
import { moveDatabase } from '../move-database.ts';
import { firstEntry } from '../sets.ts';
import { listCredentials, readCredentials } from '../credentials.ts';

function isSchemaRef(ref: Ref): boolean {
  return ref.collection !== undefined && ref.collection.isNative() && isSchemaKind(ref.collection.id);
}

function refArg(args: Args, key: string): Ref {
  const v = args[key];
  if (!(v instanceof Ref)) throw typeError('Ref', v, [key]);
  return v;
}

/** Get and Exists read "at" something: a ref, or the first entry of a set. */
async function readAt(ctx: QueryContext, target: Value, key: string): Promise<Value | null> {
  const ref = await refAt(ctx, target, key);
  return ref === null ? null : readRef(ctx, ref, key);
}

/** The ref a Get or Exists reads: the one given, or the first of a set (null when it is empty). */
async function refAt(ctx: QueryContext, target: Value, key: string): Promise<Ref | null> {
  if (target instanceof SetValue) return (await firstEntry(ctx, target))?.ref ?? null;
  if (!(target instanceof Ref)) throw typeError('Ref or Set', target, [key]);
  return target;
}

async function readRef(ctx: QueryContext, target: Ref, key: string): Promise<Value | null> {
  if (target.isNative()) throw new FaunaError('invalid argument', 'A document or schema ref is expected.', [key]);
  if (target.id === 'self' && target.collection?.isNative()) return readSelf(ctx, target.collection.id, key);
  if (isSchemaRef(target)) return readSchema(ctx, target);
  if (target.collection?.isNative() && target.collection.id === 'credentials') return readCredentials(ctx, target);
  if (target.collection?.isNative() && target.collection.id !== 'tokens') {
    throw new FaunaError('invalid ref', `${target.collection.id} documents are not supported yet.`, [key]);
  }
  return readDoc(ctx, await docTarget(ctx, target));
}

/**
 * `Ref("tokens/self")` and `Ref("credentials/self")`: the caller's own token and its identity's
 * credentials, which a token may always read (neither shows a secret or a hash).
 */
async function readSelf(ctx: QueryContext, kind: string, key: string): Promise<Value | null> {
  const { token, identity } = ctx.caller;
  const own = ctx.as({ ...ctx.caller, role: 'server', roles: undefined });
  if (kind === 'tokens' && token !== undefined) return readAt(own, token, key);
  if (kind === 'credentials' && identity !== undefined) {
    const mine = (await listCredentials(own, undefined)).find((c) => valueEquals(c.instance, identity));
    return mine === undefined ? null : readCredentials(own, mine.ref);
  }
  throw new FaunaError('invalid ref', `There is no ${kind}/self: the query was not made with a token.`, [key]);
}

function rejectTs(args: Args): void {
  if ('ts' in args) throw new FaunaError('invalid argument', 'Reading at a past time is not supported by this engine (no history is kept).', ['ts']);
}

const get = effect({
  key: 'get',
  name: 'Get',
  optional: ['ts'],
  run: async (args, f) => {
    rejectTs(args);
    const found = await readAt(f.ctx, args.get, 'get');
    if (found === null) {
      const what = args.get instanceof SetValue ? 'Set not found.' : 'Document not found.';
      throw new FaunaError('instance not found', what, ['get']);
    }
    return found;
  },
});

const exists = effect({
  key: 'exists',
  name: 'Exists',
  optional: ['ts'],
  run: async (args, f) => {
    rejectTs(args);
    // Reading the set is checked as any read (an index the caller may not read is refused)...
    const ref = await refAt(f.ctx, args.exists, 'exists');
    if (ref === null) return false;
    try {
      return (await readRef(f.ctx, ref, 'exists')) !== null;
    } catch (err) {
      // ...but a document the caller may not read does not exist for it (Fauna: canRead && exists),
      // and a ref into a collection (or database) that does not exist does not exist either.
      if (err instanceof FaunaError && (err.code === 'invalid ref' || err.code === 'permission denied')) return false;
      throw err;
    }
  },
});

/**
 * Create in a built-in schema collection is that collection's Create function, as in Fauna
 * (`CreateCollection` is `Create(Ref("collections"), …)`): older programs write
 * `Create(Ref("classes"), {name})` and `Create(Ref("indexes"), {...})`.
 */
const SCHEMA_CREATORS: Readonly<Record<SchemaKind, (ctx: QueryContext, params: Value) => Promise<Value>>> = {
  collections: createCollection,
  indexes: createIndex,
  functions: createFunction,
  databases: createDatabase,
  keys: (ctx, params) => createKey(ctx, params),
  roles: createRole,
  access_providers: createAccessProvider,
};

/** Create's target: a ref, or a collection's name (Fauna resolves a string to the collection). */
function createTarget(v: Value): Ref {
  return typeof v === 'string' ? new Ref(v, Ref.native('collections')) : refArg({ create: v }, 'create');
}

const create = effect({
  key: 'create',
  name: 'Create',
  optional: ['params'],
  run: async (args, f) => {
    const target = createTarget(args.create);
    const params = args.params ?? null;
    if (target.collection?.id === 'collections' && target.collection.isNative()) return createDoc(f.ctx, target, undefined, params);
    if (target.collection && !target.collection.isNative()) return createDoc(f.ctx, target.collection, target.id, params);
    if (target.isNative() && target.id === 'tokens') return issueToken(f.ctx, target, isObject(params) ? params : {});
    if (target.isNative() && isSchemaKind(target.id)) return SCHEMA_CREATORS[target.id](f.ctx, params ?? makeObject([]));
    // A key's id may be chosen, as a document's may: `Create(Ref("keys/123"), {database, role})`.
    if (target.collection?.isNative() && target.collection.id === 'keys') return createKey(f.ctx, params ?? makeObject([]), target.id);
    throw new FaunaError('invalid argument', 'Create expects a collection ref or a document ref.', ['create']);
  },
});

function writeSpec(key: 'update' | 'replace', name: string): Spec {
  return effect({
    key,
    name,
    params: ['params'],
    run: async (args, f) => {
      const target = refArg(args, key);
      if (isSchemaRef(target)) return updateSchema(f.ctx, target, args.params, key);
      return updateDoc(f.ctx, target, args.params, key);
    },
  });
}

const del = effect({
  key: 'delete',
  name: 'Delete',
  run: async (args, f) => {
    const target = refArg(args, 'delete');
    if (isSchemaRef(target)) return deleteSchema(f.ctx, target);
    return deleteDoc(f.ctx, target);
  },
});

function createSchema(key: string, name: string, fn: (ctx: QueryContext, params: Value) => Promise<Value>): Spec {
  return effect({ key, name, run: (args, f) => fn(f.ctx, args[key]) });
}

/** Call(fn, args): a stored function's Query(Lambda) applied to the arguments, in its own scope. */
const call = effect({
  key: 'call',
  name: 'Call',
  params: ['arguments'],
  run: async (args, f) => {
    const fnRef = typeof args.call === 'string' ? new Ref(args.call, Ref.native('functions')) : args.call;
    if (!(fnRef instanceof Ref) || fnRef.collection?.id !== 'functions') {
      throw typeError('Function Ref', args.call, ['call']);
    }
    const { record } = await schemaRecord(f.ctx, fnRef);
    if (!record) throw new FaunaError('invalid ref', `Ref refers to undefined function '${fnRef.id}'`, ['call']);
    const body = record.public.body;
    if (!(body instanceof QueryValue)) throw new FaunaError('invalid argument', 'Function body is not a lambda.', ['call']);
    // The predicate takes the arguments the way the function's own Lambda does.
    const callArgs = Array.isArray(args.arguments) ? (args.arguments as readonly Value[]) : [args.arguments];
    await f.ctx.access.check(f.ctx, 'call', new Ref(fnRef.id, Ref.native('functions')), callArgs);
    return callBody(f, body, args.arguments, callerFor(f.ctx.caller, record.public.role));
  },
});

/** A function with a role runs with that role's privileges (the identity stays the caller's). */
function callerFor(caller: Caller, role: Value | undefined): Caller {
  if (role === 'admin' || role === 'server') return { ...caller, role, roles: undefined };
  if (role instanceof Ref && role.collection?.id === 'roles') return { ...caller, role: 'roles', roles: [role.id] };
  return caller;
}

/** Errors inside a function reach the caller as Fauna's `call error`, with the real error as its cause. */
async function callBody(f: Frame, body: QueryValue, argument: Value, caller: Caller): Promise<Value> {
  try {
    if (caller === f.ctx.caller) return await f.applyValue(body, argument, 'call');
    return await f.applyValueIn(f.ctx.as(caller), body, argument, 'call');
  } catch (err) {
    if (!(err instanceof FaunaError)) throw err;
    throw new FaunaError('call error', 'Calling the function resulted in an error.', [], [err.toDetail()]);
  }
}

export const dataFunctions: readonly Spec[] = [
  get,
  exists,
  create,
  writeSpec('update', 'Update'),
  writeSpec('replace', 'Replace'),
  del,
  call,
  createSchema('create_collection', 'CreateCollection', createCollection),
  createSchema('create_class', 'CreateClass', createCollection),
  createSchema('create_index', 'CreateIndex', createIndex),
  createSchema('create_function', 'CreateFunction', createFunction),
  createSchema('create_database', 'CreateDatabase', createDatabase),
  createSchema('create_key', 'CreateKey', createKey),
  createSchema('create_role', 'CreateRole', createRole),
  createSchema('create_access_provider', 'CreateAccessProvider', createAccessProvider),
  effect({ key: 'move_database', name: 'MoveDatabase', params: ['to'], run: (args, f) => moveDatabase(f.ctx, args.move_database, args.to) }),
];

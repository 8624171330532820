/**
 * Identity: Identify, Login and tokens, Logout, and the current identity and token.
 * A token is a document of the built-in Tokens() collection whose secret is shown once and
 * stored as a SHA-256; querying with that secret acts as the token's `instance`.
 */

import { FaunaError, typeError } from '../../errors.ts';
import { secretDoc } from '../../auth.ts';
import { hashSecret, makeSecret, parseSecret, secretMatches } from '../../keys.ts';
import { Ref, SetValue, isObject, makeObject, typeName, valueEquals, type ObjectValue, type Value } from '../../values.ts';
import { decodeValue, isPlainJsonObject } from '../../wire.ts';
import { resolveDb } from '../catalog.ts';
import type { QueryContext } from '../context.ts';
import { createDoc, deleteDoc, docTarget, readDoc, readMeta } from '../documents.ts';
import { refuseWriteInSnapshot } from '../history.ts';
import { readSchema } from '../schema-objects.ts';
import { effect, type Spec } from '../spec.ts';
import { newId } from '../ids.ts';
import { firstEntry } from '../sets.ts';

/** The document a Login or Identify names: a ref, or the first document of a set. */
async function identityRef(ctx: QueryContext, target: Value, key: string): Promise<Ref | null> {
  if (target instanceof SetValue) return (await firstEntry(ctx, target))?.ref ?? null;
  if (target instanceof Ref && target.collection && !target.collection.isNative()) return target;
  throw typeError('Document Ref or Set', target, [key]);
}

async function checkPassword(ctx: QueryContext, ref: Ref | null, password: Value): Promise<boolean> {
  if (typeof password !== 'string') throw typeError('String', password, ['password']);
  const found = ref ? await readMeta(ctx, ref) : null;
  const stored = found?.meta.credentials;
  if (typeof stored !== 'string') return ctx.passwords.decoy(password);
  return ctx.passwords.matches(password, stored);
}

const identify = effect({
  key: 'identify',
  name: 'Identify',
  params: ['password'],
  run: async (args, f) => checkPassword(f.ctx, await identityRef(f.ctx, args.identify, 'identify'), args.password),
});

/** Creates a token for an identity and answers it with its secret: the only time the secret is shown. */
export async function issueToken(ctx: QueryContext, tokens: Ref, fields: ObjectValue): Promise<ObjectValue> {
  const db = await resolveDb(ctx, tokens.database);
  const id = newId();
  const secret = makeSecret({ db, kind: 'tokens', id });
  const created = await createDoc(ctx, tokens, id, fields, { secretHash: hashSecret(secret) });
  return makeObject([...Object.entries(created), ['secret', secret]]);
}

const login = effect({
  key: 'login',
  name: 'Login',
  params: ['params'],
  run: async (args, f) => {
    const params = args.params;
    if (!isObject(params)) throw typeError('Object', params, ['params']);
    const { password, ...rest } = params;
    const ref = await identityRef(f.ctx, args.login, 'login');
    if (!ref || !(await checkPassword(f.ctx, ref, password ?? null))) {
      throw new FaunaError('authentication failed', 'The document was not found or provided password was incorrect.');
    }
    return issueToken(f.ctx, Ref.native('tokens'), makeObject([['instance', ref], ...Object.entries(rest)]));
  },
});

const logout = effect({
  key: 'logout',
  name: 'Logout',
  run: async (args, f) => {
    const ctx = f.ctx;
    refuseWriteInSnapshot(ctx);
    const token = ctx.caller.token;
    if (typeof args.logout !== 'boolean') throw typeError('Boolean', args.logout, ['logout']);
    // A provider's JWT, a key or the admin secret has no token document to end: Fauna answered
    // false (AuthFunctions.scala's LogoutFunction).
    if (ctx.caller.claims !== undefined || !token || !ctx.caller.identity) return false;
    // Through deleteDoc, so that streams hear of each token deleted.
    const drop = (id: string): Promise<unknown> => deleteDoc(ctx, new Ref(id, Ref.native('tokens')), { unchecked: true });
    if (!args.logout) return drop(token.id).then(() => true);
    for (const doc of await ctx.tx.scanDocs(ctx.db, 'tokens', { now: ctx.nowMicros })) {
      const pub = isPlainJsonObject(doc.body) ? doc.body.public : undefined;
      const instance = isPlainJsonObject(pub) ? decodeValue(pub.instance ?? null) : null;
      if (valueEquals(instance, ctx.caller.identity)) await drop(doc.id);
    }
    return true;
  },
});

/** The ref of the key or token a secret belongs to, when it lives in the caller's database. */
async function refOfSecret(ctx: QueryContext, secret: string): Promise<Ref | null> {
  const location = parseSecret(secret);
  const found = location === null ? null : await secretDoc(ctx.tx, location, ctx.nowMicros);
  if (location === null || found === null || found.db !== ctx.db) return null;
  const doc = found.doc;
  const meta = isPlainJsonObject(doc.body) && isPlainJsonObject(doc.body.meta) ? doc.body.meta : null;
  if (meta === null || typeof meta.secretHash !== 'string' || !secretMatches(secret, meta.secretHash)) return null;
  return new Ref(location.id, Ref.native(location.kind));
}

/** KeyFromSecret(secret): the key (or token) with that secret, as Get shows it. */
const keyFromSecret = effect({
  key: 'key_from_secret',
  name: 'KeyFromSecret',
  run: async (args, f) => {
    const secret = args.key_from_secret;
    if (typeof secret !== 'string') throw new FaunaError('invalid argument', `String expected, ${typeName(secret)} provided.`, ['key_from_secret']);
    const ref = await refOfSecret(f.ctx, secret);
    const found = ref === null ? null : ref.collection?.id === 'keys' ? await readSchema(f.ctx, ref) : await readDoc(f.ctx, await docTarget(f.ctx, ref));
    if (found === null) throw new FaunaError('instance not found', 'No key or token of this database has this secret.', ['key_from_secret']);
    return found;
  },
});

type Missing = { readonly code: 'missing identity' | 'invalid token'; readonly description: string } | null;

function current(key: string, name: string, pick: (ctx: QueryContext) => Value | undefined, missing: Missing): Spec {
  return effect({
    key,
    name,
    run: async (_args, f) => {
      const v = pick(f.ctx);
      if (missing === null) return v !== undefined;
      if (v === undefined) throw new FaunaError(missing.code, missing.description);
      return v;
    },
  });
}

const NO_IDENTITY: Missing = { code: 'missing identity', description: 'The current identity is not defined: the query was not made with a token secret.' };
const NO_TOKEN: Missing = {
  code: 'invalid token',
  description: 'There is no current token: the query was made with the admin secret, or with a key made in another database.',
};

/** A token's document; for a provider's JWT, its `sub` claim (Fauna's), when it has one. */
function identityOf(ctx: QueryContext): Value | undefined {
  const sub = ctx.caller.claims?.sub;
  return ctx.caller.identity ?? (sub === null ? undefined : sub);
}

/** The token or key used; for a provider's JWT, its claims (Fauna answered the JWT's payload). */
const tokenOf = (ctx: QueryContext): Value | undefined => ctx.caller.token ?? ctx.caller.key ?? ctx.caller.claims;

export const identityFunctions: readonly Spec[] = [
  keyFromSecret,
  identify,
  login,
  logout,
  current('current_identity', 'CurrentIdentity', identityOf, NO_IDENTITY),
  current('identity', 'Identity', identityOf, NO_IDENTITY),
  current('has_current_identity', 'HasCurrentIdentity', identityOf, null),
  current('has_identity', 'HasIdentity', identityOf, null),
  current('current_token', 'CurrentToken', tokenOf, NO_TOKEN),
  current('has_current_token', 'HasCurrentToken', tokenOf, null),
];

/** History: At, Events, Insert and Remove (see ../history.ts for how versions are kept). */

import { FaunaError, typeError } from '../../errors.ts';
import type { StoredDoc, StoredVersion } from '../../storage/types.ts';
import { Ref, SetValue, isObject, makeObject, type Json, type Value } from '../../values.ts';
import { encodeValue } from '../../wire.ts';
import type { QueryContext } from '../context.ts';
import { decodeState, docTarget, reindex, type DocTarget } from '../documents.ts';
import { asStoredDoc, currentAsVersion, dataOf, documentEvent, keepFor, refuseWriteInSnapshot, relink, timeArg, type EventAction } from '../history.ts';
import { effect, lazy, type Args, type Spec } from '../spec.ts';

/** At(ts, expr): expr reads everything as it was at ts. */
const at = lazy({
  key: 'at',
  name: 'At',
  params: ['expr'],
  run: async (raw, f) => {
    const ts = timeArg(await f.eval(raw.at, 'at'), 'at');
    return f.evalIn(f.ctx.at(ts), raw.expr, 'expr');
  },
});

/** Events(ref or set): the history of a document (create, update, delete) or of a set (add, remove). */
const events = effect({
  key: 'events',
  name: 'Events',
  run: async (args) => new SetValue({ type: 'events', of: eventsOf(args.events, 'events') }),
});

/** What Events reads: a document ref, or a set. */
export function eventsOf(v: Value, key: string): Ref | SetValue {
  if (v instanceof SetValue) return v;
  if (v instanceof Ref && !v.isNative()) return v;
  throw typeError('Ref or Set', v, [key]);
}

const ACTIONS: readonly EventAction[] = ['create', 'update', 'delete'];

function actionArg(args: Args): EventAction {
  const action = args.action;
  const found = ACTIONS.find((a) => a === action);
  if (found === undefined) throw new FaunaError('invalid argument', "Action must be one of 'create', 'update' or 'delete'.", ['action']);
  return found;
}

async function historyTarget(ctx: QueryContext, args: Args, key: string): Promise<DocTarget> {
  refuseWriteInSnapshot(ctx);
  const ref = args[key];
  if (!(ref instanceof Ref)) throw typeError('Ref', ref, [key]);
  return docTarget(ctx, ref);
}

/** The body of an inserted version: its data (and ttl), with the document's engine-only fields kept. */
function insertedBody(params: Value, current: StoredDoc | null): Json {
  if (params !== null && !isObject(params)) throw typeError('Object', params, ['params']);
  const fields = Object.entries(params ?? {}).filter(([k, v]) => (k === 'data' || k === 'ttl') && v !== null);
  const meta = current !== null && isObject(current.body) ? (current.body as { readonly meta?: Json }).meta : undefined;
  return { public: encodeValue(makeObject(fields)), meta: meta ?? {} };
}

/**
 * Insert(ref, ts, action, params): adds (or replaces) the event at ts. An event no older than the
 * document's current version becomes the document; an older one joins its past.
 */
const insert = effect({
  key: 'insert',
  name: 'Insert',
  params: ['ts', 'action', 'params'],
  run: async (args, f) => {
    const { ctx } = f;
    const target = await historyTarget(ctx, args, 'insert');
    const ts = timeArg(args.ts, 'ts');
    const action = actionArg(args);
    await ctx.access.check(ctx, 'history_write', target.coll.ref, [target.ref]);
    const current = await ctx.tx.getDoc(target.db, target.coll.iid, target.id, ctx.nowMicros);
    const body = action === 'delete' ? null : insertedBody(args.params, current);
    const version: StoredVersion = { coll: target.coll.iid, id: target.id, ts, deleted: body === null, body, validUntil: null, keepFor: keepFor(target.coll) };
    const newer = await ctx.tx.scanVersions(target.db, target.coll.iid, target.id, { gte: ts + 1, limit: 1, now: 0 });
    if (current === null ? newer.length === 0 : ts >= current.ts) {
      // The current version, when this one replaces it, joins the past.
      if (current !== null && ts > current.ts) await ctx.tx.putVersion(target.db, { ...currentAsVersion(current), keepFor: keepFor(target.coll) });
      if (body === null) await ctx.tx.putVersion(target.db, version);
      await becomeCurrent(ctx, target, current, asStoredDoc(version));
    } else {
      await ctx.tx.putVersion(target.db, version);
    }
    await relink(ctx, target);
    return documentEvent(target.ref, ts, action, body === null ? null : dataOf(body));
  },
});

/**
 * Remove(ref, ts, action): drops the event at ts. When it was the current version, the one
 * before it becomes the document; when it was the deletion that ended the document, the version
 * before it comes back.
 */
const remove = effect({
  key: 'remove',
  name: 'Remove',
  params: ['ts', 'action'],
  run: async (args, f) => {
    const { ctx } = f;
    const target = await historyTarget(ctx, args, 'remove');
    const ts = timeArg(args.ts, 'ts');
    actionArg(args);
    await ctx.access.check(ctx, 'history_write', target.coll.ref, [target.ref]);
    const current = await ctx.tx.getDoc(target.db, target.coll.iid, target.id, ctx.nowMicros);
    const removed = await ctx.tx.removeVersion(target.db, target.coll.iid, target.id, ts);
    const [newest] = await ctx.tx.scanVersions(target.db, target.coll.iid, target.id, { reverse: true, limit: 1, now: 0 });
    const currentGone = current !== null && current.ts === ts;
    const deletionGone = current === null && removed && newest !== undefined && newest.ts < ts;
    if (currentGone || deletionGone) {
      const back = newest === undefined ? null : asStoredDoc(newest);
      if (back !== null) await ctx.tx.removeVersion(target.db, target.coll.iid, target.id, back.ts);
      await becomeCurrent(ctx, target, current, back);
    }
    await relink(ctx, target);
    return null;
  },
});

/** Makes `doc` the document's current row (null: the document is gone), its index entries following. */
async function becomeCurrent(ctx: QueryContext, target: DocTarget, current: StoredDoc | null, doc: StoredDoc | null): Promise<void> {
  if (doc === null) {
    if (current !== null) await ctx.tx.deleteDoc(target.db, target.coll.iid, target.id);
    return;
  }
  const row = { ...doc, expiresAt: current?.expiresAt ?? null };
  await ctx.tx.putDoc(target.db, row);
  await reindex(ctx, target, current === null ? null : decodeState(current), decodeState(row));
}

export const historyFunctions: readonly Spec[] = [at, events, insert, remove];

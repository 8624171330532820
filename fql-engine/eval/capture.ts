/**
 * Closure capture for Lambda and Query: every free variable of the lambda that the current
 * environment binds is replaced by a literal of its value. The result is plain wire JSON, so
 * it can be stored in a function's body and run later with no environment at all.
 */

import { encodeValue, isPlainJsonObject } from '../wire.ts';
import { Special, isObject, setOwnField, type Json, type Value, isArray } from '../values.ts';
import type { Env } from './env.ts';

/** The FQL version a Query value is written in: Fauna tags every @query with it. */
export const API_VERSION = '4';

export function captureLambda(lambda: { readonly lambda: Json; readonly expr: Json }, env: Env): Json {
  const shadowed = new Set(paramNames(lambda.lambda));
  return { api_version: API_VERSION, lambda: lambda.lambda, expr: substitute(lambda.expr, env, shadowed) };
}

/** A lambda literal: `{lambda, expr}`, optionally tagged with `api_version`. */
export function isLambdaLiteral(j: Json): j is { readonly lambda: Json; readonly expr: Json } {
  if (!isPlainJsonObject(j) || !('lambda' in j) || !('expr' in j)) return false;
  return Object.keys(j).every((k) => k === 'lambda' || k === 'expr' || k === 'api_version');
}

function paramNames(params: Json): string[] {
  if (typeof params === 'string') return [params];
  return Array.isArray(params) ? params.filter((p): p is string => typeof p === 'string') : [];
}

function substitute(expr: Json, env: Env, shadowed: ReadonlySet<string>): Json {
  if (expr === null || typeof expr !== 'object') return expr;
  if (isArray(expr)) return expr.map((e) => substitute(e, env, shadowed));
  const obj = expr;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0].startsWith('@')) return obj;
  if (keys.length === 1 && keys[0] === 'var' && typeof obj.var === 'string') {
    const name = obj.var;
    return !shadowed.has(name) && env.has(name) ? literal(env.lookup(name) as Value) : obj;
  }
  if (isLambdaLiteral(obj)) {
    const inner = new Set([...shadowed, ...paramNames(obj.lambda)]);
    return { ...obj, expr: substitute(obj.expr, env, inner) };
  }
  if ('let' in obj && 'in' in obj && keys.length === 2) return substituteLet(obj.let, obj.in, env, shadowed);
  const out: Record<string, Json> = {};
  for (const k of keys) out[k] = substitute(obj[k], env, shadowed);
  return out;
}

/** Let binds in order: each binding shadows the names after it, and the body. */
function substituteLet(bindings: Json, body: Json, env: Env, shadowed: ReadonlySet<string>): Json {
  const inner = new Set(shadowed);
  const list = isArray(bindings) ? bindings : [bindings];
  const newBindings = list.map((b) => {
    if (!isPlainJsonObject(b)) return b;
    const out: Record<string, Json> = {};
    for (const k of Object.keys(b)) {
      out[k] = substitute(b[k], env, inner);
      inner.add(k);
    }
    return out;
  });
  return { let: Array.isArray(bindings) ? normalBindings(newBindings) : newBindings[0], in: substitute(body, env, inner) };
}

/**
 * Fauna answers a Query with each Let's bindings as one object, whatever form they were sent in.
 * The array form stays where one object could not keep the bindings in order: a name bound
 * twice, or a name like "1" that a JS object would move to the front.
 */
function normalBindings(list: readonly Json[]): Json {
  const names: string[] = [];
  for (const b of list) {
    if (!isPlainJsonObject(b)) return list;
    names.push(...Object.keys(b));
  }
  if (new Set(names).size !== names.length || names.some((n) => /^(0|[1-9]\d*)$/.test(n))) return list;
  const merged: Record<string, Json> = {};
  for (const b of list as readonly { readonly [k: string]: Json }[]) for (const k of Object.keys(b)) setOwnField(merged, k, b[k]);
  return merged;
}

/** An expression that evaluates to `v`. */
export function literal(v: Value): Json {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(literal);
  if (v instanceof Special) return encodeValue(v);
  if (isObject(v)) {
    const fields: Record<string, Json> = {};
    for (const k of Object.keys(v)) fields[k] = literal(v[k]);
    return { object: fields };
  }
  return encodeValue(v);
}

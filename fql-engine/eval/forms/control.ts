/**
 * The special forms: they decide themselves which arguments to evaluate (Let binds in
 * order, If evaluates one branch, And/Or stop early, Lambda and Query evaluate nothing).
 */

import { FaunaError, typeError } from '../../errors.ts';
import { isPlainJsonObject } from '../../wire.ts';
import { QueryValue, type Json, type Value, isArray } from '../../values.ts';
import { lazy, type Frame, type RawArgs, type Spec } from '../spec.ts';
import { captureLambda, isLambdaLiteral } from '../capture.ts';

/** Let's bindings: `[{name: expr}, ...]` from drivers >= 2.x, or one object from older ones. */
function bindingList(raw: Json): (readonly [string, Json])[] {
  if (isArray(raw)) {
    return raw.flatMap((b) => {
      if (!isPlainJsonObject(b)) throw new FaunaError('invalid expression', 'Let bindings must be objects.', ['let']);
      return Object.keys(b).map((k) => [k, b[k]] as const);
    });
  }
  if (isPlainJsonObject(raw)) return Object.keys(raw).map((k) => [k, raw[k]] as const);
  throw new FaunaError('invalid expression', 'Let bindings must be an object or an array.', ['let']);
}

async function runLet(raw: RawArgs, f: Frame): Promise<Value> {
  let env = f.env;
  for (const [name, expr] of bindingList(raw.let)) {
    const value = await f.eval(expr, 'let', env);
    env = env.with(name, value);
  }
  return f.eval(raw.in, 'in', env);
}

// Var and Lambda answer at once (not async): they are most of a lambda body's nodes.
function runVar(raw: RawArgs, f: Frame): Value {
  const name = raw.var;
  if (typeof name !== 'string') throw new FaunaError('invalid argument', 'String expected.', ['var']);
  if (!f.env.has(name)) throw new FaunaError('unbound variable', `Variable '${name}' is not defined.`, []);
  return f.env.lookup(name) as Value;
}

async function runIf(raw: RawArgs, f: Frame): Promise<Value> {
  const cond = await f.eval(raw.if, 'if');
  if (typeof cond !== 'boolean') {
    throw typeError('Boolean', cond, ['if']);
  }
  return cond ? f.eval(raw.then, 'then') : f.eval(raw.else, 'else');
}

async function runDo(raw: RawArgs, f: Frame): Promise<Value> {
  const exprs = isArray(raw.do) ? raw.do : [raw.do];
  let last: Value = null;
  for (let i = 0; i < exprs.length; i++) last = await f.eval(exprs[i], isArray(raw.do) ? ['do', i] : 'do');
  return last;
}

/** And/Or: each argument must be a boolean, and evaluation stops at the first that decides. */
function shortCircuit(key: 'and' | 'or', name: string): Spec {
  const decisive = key === 'or';
  return lazy({
    key,
    name,
    run: async (raw, f) => {
      const exprs = Array.isArray(raw[key]) ? (raw[key] as readonly Json[]) : [raw[key]];
      for (let i = 0; i < exprs.length; i++) {
        const v = await f.eval(exprs[i], Array.isArray(raw[key]) ? [key, i] : key);
        if (typeof v !== 'boolean') {
          throw typeError('Boolean', v, [key, i]);
        }
        if (v === decisive) return decisive;
      }
      return !decisive;
    },
  });
}

/** Lambda and Query both make a self-contained QueryValue: free variables are captured now. */
function runLambda(raw: RawArgs, f: Frame): Value {
  return new QueryValue(captureLambda({ lambda: raw.lambda, expr: raw.expr }, f.env));
}

async function runQuery(raw: RawArgs, f: Frame): Promise<Value> {
  const body = raw.query;
  if (isLambdaLiteral(body)) return new QueryValue(captureLambda(body, f.env));
  const v = await f.eval(body, 'query');
  if (v instanceof QueryValue) return v;
  throw typeError('Lambda', v, ['query']);
}

async function runAbort(raw: RawArgs, f: Frame): Promise<Value> {
  const msg = await f.eval(raw.abort, 'abort');
  if (typeof msg !== 'string') throw typeError('String', msg, ['abort']);
  throw new FaunaError('transaction aborted', msg, []);
}

export const controlForms: readonly Spec[] = [
  lazy({ key: 'let', name: 'Let', params: ['in'], run: runLet }),
  lazy({ key: 'var', name: 'Var', run: runVar }),
  lazy({ key: 'if', name: 'If', params: ['then', 'else'], run: runIf }),
  lazy({ key: 'do', name: 'Do', run: runDo }),
  lazy({ key: 'lambda', name: 'Lambda', params: ['expr'], optional: ['api_version'], run: runLambda }),
  lazy({ key: 'query', name: 'Query', run: runQuery }),
  lazy({ key: 'abort', name: 'Abort', run: runAbort }),
  shortCircuit('and', 'And'),
  shortCircuit('or', 'Or'),
];

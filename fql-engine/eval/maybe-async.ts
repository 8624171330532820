/**
 * Evaluation that waits only where something is awaited. Most of a query's nodes (literals,
 * Var, Select, object literals, arithmetic) need no storage and could answer at once, but an
 * async function answers with a promise and a microtask even then: that was most of the
 * evaluator's cost per node (issue 15). A step here answers a value when it has one, a promise
 * only when it must wait, and these helpers keep the order of steps as `await` would.
 *
 * A Value is never a promise, so `instanceof Promise` tells the two apart. Every promise the
 * engine makes is a native one (async functions, storage's drivers awaited in async functions).
 */

export type MaybeAsync<T> = T | Promise<T>;

/** `step` applied to each item in order, the next starting only when the one before has answered. */
export function inOrder<T, R>(items: readonly T[], step: (item: T, index: number) => MaybeAsync<R>): MaybeAsync<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i++) {
    const r = step(items[i], i);
    if (r instanceof Promise) return finishInOrder(items, step, out, i, r);
    out.push(r);
  }
  return out;
}

/** The rest of inOrder, from the first step that had to wait. */
async function finishInOrder<T, R>(
  items: readonly T[],
  step: (item: T, index: number) => MaybeAsync<R>,
  out: R[],
  waiting: number,
  pending: Promise<R>,
): Promise<R[]> {
  out.push(await pending);
  for (let i = waiting + 1; i < items.length; i++) out.push(await step(items[i], i));
  return out;
}

/** `next` of the value, now if there is one, or once the promise answers. */
export function andThen<T, R>(value: MaybeAsync<T>, next: (v: T) => MaybeAsync<R>): MaybeAsync<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** A value or a promise as a promise, a synchronous throw as a rejection: for callers that expect a promise. */
export async function settled<T>(run: () => MaybeAsync<T>): Promise<T> {
  return run();
}

/**
 * Sessions: conformance cases where more than one secret takes part (issue 3). A token's secret
 * only exists once a Login or a Create(Tokens()) has answered, so a session case is a list of
 * steps, each run by a named caller, whose results later steps may use.
 *
 * Same principles as harness.ts: cases are data, run through the unmodified driver, errors are
 * compared by CODE (and driver exception class), and nothing passes by returning nothing — a
 * session must assert at least one step, and an asserted step declares exactly one of `expect`
 * and `expectError`. A step that asserts nothing must succeed.
 *
 * The engine here runs on a clock the test owns, so a step can move time forward (`advanceMs`)
 * past a token's or a document's ttl without waiting.
 */

import faunadb from 'faunadb';
import { afterAll } from 'vitest';
import type { FaunaCode } from '../../errors.ts';
import {
  BackendRig,
  assertOutcome,
  createCaseDatabase,
  declareBackends,
  declareGroups,
  fqlText,
  runAll,
  scopedSecret,
  type BackendName,
  type Connection,
  type ExprArg,
  type Step,
  type TransportName,
} from './harness.ts';

/** Results kept by earlier steps, by the name their step gave (`save`). */
export type Saved = Readonly<Record<string, unknown>>;

/** A value, or one computed from the results kept so far (a token's ref, say). */
export type FromSaved<T> = T | ((saved: Saved) => T);

export interface SessionStep {
  /**
   * Who runs the step: 'admin' (default) or 'server' for the case database's scoped secrets,
   * or the name of a kept result that holds a `secret` (a Login, a Create(Tokens()), a CreateKey),
   * or `name.field` for a secret kept in a field of a result (see secretOf).
   */
  readonly as?: string;
  readonly query: FromSaved<ExprArg | null>;
  /** Keeps the step's result under this name. */
  readonly save?: string;
  /** Moves the engine's clock forward by this many milliseconds before the step runs. */
  readonly advanceMs?: number;
  readonly expect?: FromSaved<unknown>;
  readonly expectError?: FaunaCode;
}

export interface SessionCase {
  readonly name: string;
  /** Queries run in order as the case database's admin; each must succeed. */
  readonly setup?: readonly Step[];
  readonly steps: readonly SessionStep[];
  readonly only?: boolean;
}

export interface SessionGroup {
  readonly topic: string;
  readonly cases: readonly SessionCase[];
}

/** What is wrong with a session's declaration, or null. */
export function sessionProblem(c: SessionCase): string | null {
  if (c.steps.length === 0) return `session '${c.name}' has no steps`;
  const asserted = c.steps.filter((s) => s.expect !== undefined || s.expectError !== undefined);
  if (asserted.length === 0) return `session '${c.name}' asserts nothing: at least one step needs expect or expectError`;
  const both = c.steps.findIndex((s) => s.expect !== undefined && s.expectError !== undefined);
  if (both >= 0) return `session '${c.name}', step ${both + 1}: declare one of expect and expectError, not both`;
  return null;
}

/** A clock the test moves: real time plus whatever the steps have added. */
export class TestClock {
  private offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;

  advance(ms: number): void {
    if (ms < 0) throw new Error('time only moves forward');
    this.offsetMs += ms;
  }
}

function resolve<T>(value: FromSaved<T>, saved: Saved): T {
  return typeof value === 'function' ? (value as (s: Saved) => T)(saved) : value;
}

/**
 * The secret a caller names: a kept string, a kept result's `secret`, or with `name.field`
 * the string (or the `secret`) under that field of a kept result (`pair.refresh`).
 */
function secretOf(caller: string, saved: Saved, db: string): string {
  if (caller === 'admin') return scopedSecret(db);
  if (caller === 'server') return scopedSecret(db, 'server');
  const [name, field] = caller.split('.', 2);
  const kept = field === undefined ? saved[name] : fieldOf(saved[name], field);
  const secret = typeof kept === 'string' ? kept : fieldOf(kept, 'secret');
  if (typeof secret !== 'string') throw new Error(`no secret kept under '${caller}' (was a step saved under that name?)`);
  return secret;
}

function fieldOf(value: unknown, field: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
}

async function runStep(
  conn: Connection,
  clock: TestClock,
  step: SessionStep,
  at: { db: string; saved: Record<string, unknown>; label: string },
): Promise<void> {
  if (step.advanceMs !== undefined) clock.advance(step.advanceMs);
  const query = resolve(step.query, at.saved);
  const caller = step.as ?? 'admin';
  const outcome = await conn.attempt(query, secretOf(caller, at.saved, at.db));
  const label = `${at.label} [as ${caller}]\n  query: ${fqlText(query)}`;
  if (step.expect !== undefined || step.expectError !== undefined) {
    const expected = step.expect === undefined ? {} : { expect: resolve(step.expect, at.saved) };
    assertOutcome({ name: at.label, query, ...expected, ...(step.expectError ? { expectError: step.expectError } : {}) }, outcome, label);
  } else if (outcome.kind === 'error') {
    throw new Error(`${label}\n  failed with '${outcome.code}': ${outcome.description}`);
  }
  if (step.save !== undefined && outcome.kind === 'value') at.saved[step.save] = outcome.value;
}

/** Runs one session in a fresh database of the connection's engine. */
export async function runSession(c: SessionCase, conn: Connection, clock: TestClock): Promise<void> {
  const problem = sessionProblem(c);
  if (problem !== null) throw new Error(problem);
  const db = await createCaseDatabase(conn);
  await runAll(conn, db, c.setup ?? []);
  const saved: Record<string, unknown> = {};
  for (const [i, step] of c.steps.entries()) {
    await runStep(conn, clock, step, { db, saved, label: `${c.name} — step ${i + 1}` });
  }
}

// ---------------------------------------------------------------------------------------
// The matrix, with a clock per backend

export interface SessionRow {
  readonly backend: BackendName;
  readonly transport: TransportName;
  readonly pushdown?: boolean;
  readonly groups: readonly SessionGroup[];
}

/** Declares the suites: one engine (and one clock) per backend, one describe per row. */
export function runSessionMatrix(rows: readonly SessionRow[]): void {
  declareBackends('identity sessions', rows, (backend, url, mine) => {
    const clock = new TestClock();
    const rig = new BackendRig(backend, url, { clock: clock.now });
    afterAll(() => rig.close());
    for (const row of mine) declareRow(rig, clock, row);
  });
}

function declareRow(rig: BackendRig, clock: TestClock, row: SessionRow): void {
  const title = `${row.transport}${row.pushdown ?? true ? '' : ', pushdown OFF'}`;
  declareGroups(title, rig, row, (c, conn) => runSession(c, conn, clock));
}

/** The driver's own Ref value for a kept result's `ref` (for expectations built from kept results). */
export function keptRef(saved: Saved, name: string): faunadb.values.Ref {
  const kept = saved[name];
  const ref = typeof kept === 'object' && kept !== null ? (kept as { ref?: unknown }).ref : undefined;
  if (!(ref instanceof faunadb.values.Ref)) throw new Error(`the result kept under '${name}' has no ref`);
  return ref;
}

/**
 * The demo's notes, as FQL run through db(req): every query acts as the user, and none of them
 * says whose notes to touch. CurrentIdentity() names the owner on create and is the only term
 * the owner index accepts; reading, changing or deleting a note by id is left to the engine's
 * `owner` role (fauna-schema/owned-data.ts), which refuses anyone else's.
 */

import faunadb from 'faunadb';
import { ownerIndexName } from './owner-index.ts';
import type { Expr } from './run-query.ts';

const q = faunadb.query;

const NOTES = 'notes';

export interface NoteDoc {
  readonly ref: faunadb.values.Ref;
  readonly ts: number;
  readonly data: { readonly text: string; readonly created_at: faunadb.values.FaunaTime; readonly updated_at: faunadb.values.FaunaTime };
}

function noteRef(id: string): Expr {
  return q.Ref(q.Collection(NOTES), id);
}

/** The caller's notes, most recently changed first. */
export function listNotesQuery(size: number): Expr {
  return q.Select(
    'data',
    q.Map(q.Paginate(q.Match(q.Index(ownerIndexName(NOTES)), q.CurrentIdentity()), { size }), q.Lambda(['ts', 'ref'], q.Get(q.Var('ref')))),
  );
}

export function createNoteQuery(text: string): Expr {
  return q.Create(q.Collection(NOTES), { data: { owner: q.CurrentIdentity(), text, created_at: q.Now(), updated_at: q.Now() } });
}

export function getNoteQuery(id: string): Expr {
  return q.Get(noteRef(id));
}

export function updateNoteQuery(id: string, text: string): Expr {
  return q.Update(noteRef(id), { data: { text, updated_at: q.Now() } });
}

export function deleteNoteQuery(id: string): Expr {
  return q.Do(q.Delete(noteRef(id)), true);
}

/**
 * The demo's notes (functions/notes.ts): list, create, read, edit and delete one's own notes
 * through db(req). Nothing here checks who owns a note: the engine does, and its refusal
 * (403 forbidden from userQuery) is answered like a missing note, so that nobody learns which
 * ids exist.
 */

import type faunadb from 'faunadb';
import { HttpError } from '../errors.ts';
import { createNoteQuery, deleteNoteQuery, getNoteQuery, listNotesQuery, updateNoteQuery, type NoteDoc } from '../fql/notes.ts';
import type { Expr } from '../fql/run-query.ts';
import { userQuery } from '../user/db.ts';

export const NOTE_MAX_CHARS = 10_000;
/** A list answers the newest this many; the demo keeps no more. */
export const NOTES_PAGE_SIZE = 100;

export interface Note {
  readonly id: string;
  readonly text: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

function noteOf(doc: NoteDoc): Note {
  return { id: doc.ref.id, text: doc.data.text, createdAt: doc.data.created_at.date.toISOString(), updatedAt: doc.data.updated_at.date.toISOString() };
}

export function checkText(body: Readonly<Record<string, unknown>>): string {
  const text = body.text;
  if (typeof text !== 'string' || text.trim() === '') throw new HttpError('invalid_body', { message: "'text' must be a non-empty string." });
  if (text.length > NOTE_MAX_CHARS) throw new HttpError('invalid_body', { message: `'text' must be at most ${NOTE_MAX_CHARS} characters.` });
  return text;
}

/** An id that is not a document id is a note that does not exist. */
export function checkNoteId(id: string | undefined): string {
  if (id === undefined || !/^[1-9][0-9]{0,18}$/.test(id)) throw new HttpError('not_found', { message: 'There is no such note.' });
  return id;
}

export async function listNotes(client: faunadb.Client): Promise<Note[]> {
  return (await userQuery<NoteDoc[]>(client, listNotesQuery(NOTES_PAGE_SIZE))).map(noteOf);
}

export async function createNote(client: faunadb.Client, body: Readonly<Record<string, unknown>>): Promise<Note> {
  return noteOf(await userQuery<NoteDoc>(client, createNoteQuery(checkText(body))));
}

/** A query on one note: the engine's refusal reads as "no such note". */
async function onNote<T>(client: faunadb.Client, expr: Expr): Promise<T> {
  try {
    return await userQuery<T>(client, expr);
  } catch (err) {
    if (err instanceof HttpError && (err.code === 'forbidden' || err.code === 'not_found'))
      throw new HttpError('not_found', { message: 'There is no such note.' });
    throw err;
  }
}

export async function getNote(client: faunadb.Client, id: string): Promise<Note> {
  return noteOf(await onNote<NoteDoc>(client, getNoteQuery(checkNoteId(id))));
}

export async function updateNote(client: faunadb.Client, id: string, body: Readonly<Record<string, unknown>>): Promise<Note> {
  const text = checkText(body);
  return noteOf(await onNote<NoteDoc>(client, updateNoteQuery(checkNoteId(id), text)));
}

export async function deleteNote(client: faunadb.Client, id: string): Promise<void> {
  await onNote(client, deleteNoteQuery(checkNoteId(id)));
}

/**
 * /api/notes and /api/notes/:id — the demo's notes, each user's own, through db(req): the
 * database acts as the user and refuses anyone else's note (403 forbidden), whatever this asks.
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { endpoint, json, noContent, readJson } from '../shared/http.ts';
import { HttpError } from '../shared/errors.ts';
import { createNote, deleteNote, getNote, listNotes, updateNote } from '../shared/notes/notes.ts';
import { db } from '../shared/user/index.ts';

function collectionOnly(id: string | undefined): void {
  if (id !== undefined) throw new HttpError('method_not_allowed', 'Use GET, PATCH or DELETE on a note.', { Allow: 'GET, PATCH, DELETE' });
}

function noteOnly(id: string | undefined): string {
  if (id === undefined) throw new HttpError('method_not_allowed', 'Use GET or POST on /api/notes.', { Allow: 'GET, POST' });
  return id;
}

export default endpoint({
  GET: async (req, context) => {
    const id = context.params.id;
    if (id === undefined) return json(200, { notes: await listNotes(db(req)) });
    return json(200, { note: await getNote(db(req), id) });
  },
  POST: async (req, context) => {
    collectionOnly(context.params.id);
    return json(201, { note: await createNote(db(req), await readJson(req)) });
  },
  PATCH: async (req, context) => json(200, { note: await updateNote(db(req), noteOnly(context.params.id), await readJson(req)) }),
  DELETE: async (req, context) => {
    await deleteNote(db(req), noteOnly(context.params.id));
    return noContent();
  },
});

export const config: FunctionConfig = { path: ['/api/notes', '/api/notes/:id'] };

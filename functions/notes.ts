/**
 * /api/notes and /api/notes/:id — the demo's notes, each user's own, through db(req): the
 * database acts as the user and refuses anyone else's note, whatever this asks (answered 404,
 * as a note that does not exist: whose ids exist is nobody else's business).
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { endpoint } from '../shared/endpoint.ts';
import { json, noContent, readJson } from '../shared/http.ts';
import { HttpError } from '../shared/errors.ts';
import { createNote, deleteNote, getNote, listNotes, updateNote } from '../shared/notes/notes.ts';
import { db } from '../shared/user/index.ts';

/**
 * What follows /api/notes/ in the path (undefined for the list itself), checked as an id later.
 * Read from the path: netlify dev fills in no `context.params` for a function with several paths.
 */
function noteIdOf(req: Request): string | undefined {
  const rest = new URL(req.url).pathname.replace(/^\/api\/notes\/?/, '');
  return rest === '' ? undefined : rest;
}

function collectionOnly(id: string | undefined): void {
  if (id !== undefined) throw new HttpError('method_not_allowed', { message: 'Use GET, PATCH or DELETE on a note.', headers: { Allow: 'GET, PATCH, DELETE' } });
}

function noteOnly(id: string | undefined): string {
  if (id === undefined) throw new HttpError('method_not_allowed', { message: 'Use GET or POST on /api/notes.', headers: { Allow: 'GET, POST' } });
  return id;
}

export default endpoint({
  GET: async (req, ctx) => {
    const id = noteIdOf(req);
    if (id === undefined) return json(200, { notes: await listNotes(db(req, ctx)) });
    return json(200, { note: await getNote(db(req, ctx), id) });
  },
  POST: async (req, ctx) => {
    collectionOnly(noteIdOf(req));
    return json(201, { note: await createNote(db(req, ctx), await readJson(req)) });
  },
  PATCH: async (req, ctx) => json(200, { note: await updateNote(db(req, ctx), noteOnly(noteIdOf(req)), await readJson(req)) }),
  DELETE: async (req, ctx) => {
    await deleteNote(db(req, ctx), noteOnly(noteIdOf(req)));
    return noContent();
  },
});

export const config: FunctionConfig = { path: ['/api/notes', '/api/notes/:id'] };

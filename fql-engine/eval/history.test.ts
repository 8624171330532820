import { describe, expect, it } from 'vitest';
import type { StoredVersion } from '../storage/types.ts';
import { Ref, makeObject, type Json } from '../values.ts';
import { changes, documentEvents } from './history.ts';

const ref = new Ref('1', new Ref('things', Ref.native('collections')));
const body = (data: { readonly [k: string]: Json }): Json => ({ public: { data }, meta: {} });

describe('history events', () => {
  it('an update shows what changed: new and changed fields, inner objects field by field, removed fields as null', () => {
    const before = makeObject([['a', 1], ['b', makeObject([['x', 1], ['y', 2]])], ['gone', true], ['same', 'v']]);
    const after = makeObject([['a', 2], ['b', makeObject([['x', 1], ['y', 3]])], ['same', 'v'], ['new', [1]]]);
    expect(changes(before, after)).toEqual({ a: 2, b: { y: 3 }, new: [1], gone: null });
  });

  it('a live version after a deletion is a create again', () => {
    const versions: StoredVersion[] = [
      { coll: 'u1', id: '1', ts: 1, deleted: false, body: body({ n: 1 }), validUntil: null, keepFor: null },
      { coll: 'u1', id: '1', ts: 2, deleted: true, body: null, validUntil: null, keepFor: null },
      { coll: 'u1', id: '1', ts: 3, deleted: false, body: body({ n: 1 }), validUntil: null, keepFor: null },
      { coll: 'u1', id: '1', ts: 4, deleted: false, body: body({ n: 1 }), validUntil: null, keepFor: null },
    ];
    expect(documentEvents(ref, versions).map((e) => [e.ts, e.action, e.event.data])).toEqual([
      [1, 'create', { n: 1 }],
      [2, 'delete', null],
      [3, 'create', { n: 1 }],
      [4, 'update', {}],
    ]);
  });
});

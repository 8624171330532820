/** Ref constructors: Collection(), Index(), Ref(), Collections()... They build values and touch nothing. */

import { typeError } from '../../errors.ts';
import { Ref, SetValue, type NativeName, type Value } from '../../values.ts';
import { given, stringAt } from '../functions/common.ts';
import { eager, type Args, type Spec } from '../spec.ts';
import { newId } from '../ids.ts';
import { parseRefPath } from '../../wire.ts';

function scopeOf(args: Args, key = 'scope'): Ref | undefined {
  const scope = given(args, key);
  if (scope === undefined) return undefined;
  if (!(scope instanceof Ref) || scope.collection?.id !== 'databases') {
    throw typeError('Database Ref', scope, [key]);
  }
  return scope;
}

/** `Collection("users", Database("app"))` style constructors. */
function schemaRef(key: string, name: string, native: NativeName): Spec {
  return eager({
    key,
    name,
    optional: ['scope'],
    run: (args) => new Ref(stringAt({ value: args[key], position: [key] }), Ref.native(native), scopeOf(args)),
  });
}

/** `Collections(Database("app"))` style constructors: a ref to a built-in collection. */
function nativeRef(key: string, name: string, native: NativeName): Spec {
  return eager({
    key,
    name,
    run: (args) => {
      const scope = args[key];
      if (scope === null) return Ref.native(native);
      if (!(scope instanceof Ref) || scope.collection?.id !== 'databases') {
        throw typeError('Database Ref', scope, [key]);
      }
      return Ref.native(native, scope);
    },
  });
}

/** `Ref(Collection("users"), "123")`, or the legacy `Ref("collections/users/123")`. */
const refFn = eager({
  key: 'ref',
  name: 'Ref',
  optional: ['id'],
  run: (args) => {
    const target = args.ref;
    if ('id' in args) {
      if (!(target instanceof Ref)) throw typeError('Ref', target, ['ref']);
      const id = args.id;
      if (typeof id !== 'string' && !(typeof id === 'number' && Number.isInteger(id))) {
        throw typeError('String', id, ['id']);
      }
      return new Ref(String(id), target);
    }
    if (typeof target !== 'string') throw typeError('String', target, ['ref']);
    return parseRefPath(target);
  },
});

const documentsFn = eager({
  key: 'documents',
  name: 'Documents',
  run: (args) => {
    const coll = args.documents;
    // A collection of the user's, or a built-in one: Documents(Tokens()), Documents(Keys())...
    if (!(coll instanceof Ref) || !(coll.isNative() || coll.collection?.id === 'collections')) {
      throw typeError('Collection Ref', coll, ['documents']);
    }
    return new SetValue({ type: 'documents', collection: coll });
  },
});

const newIdFn = (key: string, name: string): Spec => eager({ key, name, run: (): Value => newId() });

export const refFunctions: readonly Spec[] = [
  schemaRef('collection', 'Collection', 'collections'),
  schemaRef('class', 'Class', 'collections'),
  schemaRef('index', 'Index', 'indexes'),
  schemaRef('function', 'Function', 'functions'),
  schemaRef('database', 'Database', 'databases'),
  schemaRef('role', 'Role', 'roles'),
  schemaRef('access_provider', 'AccessProvider', 'access_providers'),
  nativeRef('collections', 'Collections', 'collections'),
  nativeRef('classes', 'Classes', 'collections'),
  nativeRef('indexes', 'Indexes', 'indexes'),
  nativeRef('functions', 'Functions', 'functions'),
  nativeRef('databases', 'Databases', 'databases'),
  nativeRef('keys', 'Keys', 'keys'),
  nativeRef('tokens', 'Tokens', 'tokens'),
  nativeRef('credentials', 'Credentials', 'credentials'),
  nativeRef('roles', 'Roles', 'roles'),
  nativeRef('access_providers', 'AccessProviders', 'access_providers'),
  refFn,
  documentsFn,
  newIdFn('new_id', 'NewId'),
  newIdFn('next_id', 'NextId'),
];

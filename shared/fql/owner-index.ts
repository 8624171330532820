/**
 * The owner-only collections and their index by owner. fauna-schema/owned-data.ts makes them and
 * the queries here read them, so their names are kept here, where both layers may import them.
 */

/** The collections whose documents only their owner may touch. Add yours here. */
export const OWNED_COLLECTIONS: readonly string[] = ['notes'];

/** The index of an owner-only collection, by owner. */
export function ownerIndexName(collection: string): string {
  return `${collection}_by_owner`;
}

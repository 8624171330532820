/**
 * The index of an owner-only collection, by owner. fauna-schema/owned-data.ts makes it and the
 * queries here read it, so its name is kept here, where both layers may import it.
 */
export function ownerIndexName(collection: string): string {
  return `${collection}_by_owner`;
}

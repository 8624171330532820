/**
 * Where a sub-expression sits in the query: a chain from it back to the query's root. The
 * evaluator extends it at every level it descends, and makes Fauna's `position` array of it only
 * when an error needs one. Copying the array at every level, as it once did, cost more than most
 * of the evaluation it located.
 */

import type { Position } from '../errors.ts';
import type { PathKey } from './spec.ts';

export class Path {
  /** The query's root: its position is `[]`. */
  static readonly root = new Path(null, '', 0);

  private constructor(
    private readonly parent: Path | null,
    private readonly key: PathKey,
    /** How many keys lead here from the root. */
    private readonly length: number,
  ) {}

  /** A path given as Fauna's array (by a caller outside the evaluator). */
  static of(position: Position): Path {
    let path = Path.root;
    for (const key of position) path = path.child(key);
    return path;
  }

  child(key: PathKey): Path {
    return new Path(this, key, this.length + 1);
  }

  /** `keys` appended in order: a form may name a place a few keys below its call (Do's `['do', 2]`). */
  append(keys: PathKey | readonly PathKey[]): Path {
    if (typeof keys !== 'object') return this.child(keys);
    return keys.reduce<Path>((path, key) => path.child(key), this);
  }

  /** Fauna's `position`: the keys from the root down to here. */
  toPosition(): Position {
    const out = new Array<PathKey>(this.length);
    if (this.parent === null) return out;
    out[this.length - 1] = this.key;
    for (let at = this.parent; at.parent !== null; at = at.parent) out[at.length - 1] = at.key;
    return out;
  }
}

/**
 * Independent random streams keyed by a string. `Rng` seeds string keys with 128 bits of sha256, so keyed
 * per-record streams do not collide even across ~100k records.
 *
 * @example
 * streamRng('42|0.5|17|attributes').next(); // same key -> same numbers, always
 */
import { Rng } from '../../util/index.ts';

export function streamRng(key: string): Rng {
  return new Rng(key);
}

/** util/: tiny shared pure helpers (seeded randomness, hashing). */
export { Rng } from './random.ts';
export { sha256, sha256Json } from './hash.ts';

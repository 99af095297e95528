/** util/: tiny shared pure helpers (seeded randomness, hashing). */
export { Rng } from './random.ts';
export { sha256, sha256Json } from './hash.ts';
export { withFileLock } from './file-lock.ts';
export type { LockOwner, FileLockOptions } from './file-lock.ts';
export { decodeUtf8, utf8ErrorOffset } from './utf8.ts';
export { maxLineBytes, DEFAULT_MAX_LINE_BYTES } from './line-limit.ts';

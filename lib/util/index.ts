/** util/: small generic helpers every layer may use — seeded randomness, hashing, canonical JSON, atomic file writes, JSON-lines reading. */
export { Rng } from './random.ts';
export { sha256, sha256Json } from './hash.ts';
export { canonicalJson } from './json.ts';
export { writeFileAtomic, writeJsonAtomic, appendJsonLine } from './atomic.ts';
export { readJsonl, truncateJsonl } from './jsonl.ts';
export { withFileLock } from './file-lock.ts';
export type { LockOwner, FileLockOptions } from './file-lock.ts';
export { decodeUtf8, utf8ErrorOffset } from './utf8.ts';
export { maxLineBytes, DEFAULT_MAX_LINE_BYTES } from './line-limit.ts';
export { processStartTicks, processArgv, ownIdentity, sameProcess, pidAlive } from './process.ts';
export type { ProcessIdentity } from './process.ts';
export { FORBIDDEN_KEYS, assertSafeKey, setKeyPath, rejectForbiddenKeys, type KeyPlace } from './keypath.ts';
export { childEnv, passesToChild } from './child-env.ts';
export { answerOneRequest } from './ipc-child.ts';

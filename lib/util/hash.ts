/** Content hashes: sha256 hex of strings/bytes and of canonical JSON (config hashes, split hashes). */
import { createHash } from 'node:crypto';
import { canonicalJson } from './json.ts';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 of canonical JSON: key order does not change the hash. */
export function sha256Json(value: unknown): string {
  return sha256(canonicalJson(value));
}

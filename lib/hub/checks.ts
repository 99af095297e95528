/**
 * What a hub (or anything answering in its place) tells us is checked before it names a file or a folder:
 * hashes are lowercase hex of the right length (an ETag of "../../x" would otherwise name the blob path, and a
 * non-hex one used to turn the hash check into a size check), commits are git sha1s, revisions and file names
 * are plain relative names, and every path built from them must resolve inside its root (symlinks followed)
 * before anything is written.
 */
import { join } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import { isInside } from '../paths.ts';

/** A git object id (commit, or the blob sha1 of a regular file). */
export const GIT_SHA1 = /^[0-9a-f]{40}$/;
/** The sha256 of an LFS file's content. */
export const SHA256 = /^[0-9a-f]{64}$/;
/** A branch, tag or commit: slash-separated segments of letters, digits, ".", "_", "-" (refs/pr/1 is fine). */
const REVISION = /^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;

const refused = (problem: string, where: string, hint: string) => new LedgerLabError({ kind: 'io', code: 'io.hub_refused', problem, where, hint });
const HINT = 'the server does not answer as the Hugging Face hub does; check HF_ENDPOINT (a proxy or a tampered mirror?)';

/** A hex hash of the kind the header claims, or a refusal (`linked`: X-Linked-Etag, an LFS sha256). */
export function checkEtag(etag: string, linked: boolean, file: string, where: string): string {
  const ok = linked ? SHA256.test(etag) : GIT_SHA1.test(etag) || SHA256.test(etag);
  if (!ok) throw refused(`the hub's ${linked ? 'X-Linked-Etag' : 'ETag'} for ${file} is ${JSON.stringify(etag.slice(0, 80))}, not ${linked ? 'a sha256 (64 hex digits)' : 'a git sha1 (40 hex digits) or a sha256'}: the download could not be checked, so it is refused`, where, HINT);
  return etag;
}

export function checkCommit(commit: unknown, what: string, where: string): string {
  if (typeof commit !== 'string' || !GIT_SHA1.test(commit)) throw refused(`${what} is ${JSON.stringify(String(commit).slice(0, 80))}, not a commit id (40 hex digits)`, where, HINT);
  return commit;
}

export function checkRevision(revision: string, where = '--revision'): string {
  if (revision.length > 200 || !REVISION.test(revision) || revision.split('/').some((s) => s === '.' || s === '..' || s.endsWith('.lock'))) {
    throw new LedgerLabError({ kind: 'usage', code: 'usage.bad_revision', problem: `revision ${JSON.stringify(revision)} is not a branch, tag or commit name`, where, hint: 'e.g. main, v1.0, refs/pr/3 or a 40-digit commit' });
  }
  return revision;
}

/**
 * A repository file name the hub lists (rfilename): relative, "/"-separated segments, none empty, "." or "..",
 * no backslash or control character, at most 255 bytes each. Subfolders (data/train.parquet) are allowed.
 */
export function checkRepoFile(name: unknown, where: string): string {
  const bad = typeof name !== 'string' || name.length === 0 || name.length > 1000 || /[\\\u0000-\u001f\u007f]/.test(name)
    || name.split('/').some((s) => s === '' || s === '.' || s === '..' || Buffer.byteLength(s) > 255);
  if (bad) throw refused(`the listing names a file ${JSON.stringify(String(name).slice(0, 120))}, which is not a plain relative file name`, where, HINT);
  return name as string;
}

/** join(root, ...parts), refused unless it stays inside root after following symlinks. */
export function insideRoot(root: string, where: string, ...parts: string[]): string {
  const p = join(root, ...parts);
  if (!isInside(root, p)) throw refused(`${parts.join('/')} would be written outside ${root}`, where, 'a name from the hub leads outside the download folder (dot segments or a symlink); nothing was written');
  return p;
}

/**
 * The Hugging Face hub's download protocol, as huggingface_hub speaks it (file_download.py, hf_api.py):
 *
 *   GET  {endpoint}/api/models/{org}/{name}/revision/{revision}?blobs=true
 *        -> {"sha": <commit>, "siblings": [{"rfilename", "size", "lfs": {"sha256", "size"}?}, ...]}
 *   HEAD {endpoint}/{org}/{name}/resolve/{commit}/{file}    (Accept-Encoding: identity)
 *        -> X-Repo-Commit, X-Linked-Etag (LFS: the content's sha256) or ETag (git blob sha1),
 *           X-Linked-Size or Content-Length; LFS files answer 302 with Location = a signed CDN URL.
 *   GET  the Location (or the resolve URL), with Range: bytes=N- to resume.
 *
 * Dataset repositories use the same protocol under other paths: `/api/datasets/{org}/{name}/revision/{rev}` and
 * `/datasets/{org}/{name}/resolve/{rev}/{file}` (huggingface_hub's REPO_TYPES_URL_PREFIXES).
 *
 * Relative redirects (a renamed repository) are followed with the token; a redirect to another host (the
 * CDN) is followed without it, as huggingface_hub drops `authorization` for a different netloc.
 */
import { LedgerLabError } from '../errors.ts';
import { checkCommit, checkEtag, checkRevision } from './checks.ts';

export interface HubSibling {
  rfilename: string;
  size?: number;
  lfs?: { sha256: string; size: number };
}

export interface RepoInfo {
  sha: string;
  siblings: HubSibling[];
}

export interface FileMeta {
  commit: string;
  /** LFS: the sha256 of the content; regular files: the git blob sha1. */
  etag: string;
  size: number;
  /** Where to GET the bytes (the CDN for LFS files). */
  location: string;
}

export interface HubClient {
  endpoint: string;
  token?: string;
}

export type RepoType = 'model' | 'dataset';

const API_SEGMENT: Record<RepoType, string> = { model: 'models', dataset: 'datasets' };
const RESOLVE_PREFIX: Record<RepoType, string> = { model: '', dataset: 'datasets/' };

const MAX_REDIRECTS = 10;

function hubError(problem: string, where: string, hint?: string, cause?: unknown): LedgerLabError {
  return new LedgerLabError({ kind: 'io', problem, where, hint, cause });
}

/** huggingface_hub's _normalize_etag: drop a weak marker and the quotes. */
export function normalizeEtag(etag: string | null): string | null {
  return etag === null ? null : etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}

/** Headers for a request to `url`: the token only goes to the hub's own host. */
function headersFor(client: HubClient, url: string, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { 'user-agent': 'ledgerlab (huggingface_hub-compatible)', ...extra };
  if (client.token && new URL(url).host === new URL(client.endpoint).host) h.authorization = `Bearer ${client.token}`;
  return h;
}

/** fetch with manual redirects: relative (same-host) ones are followed for any method; others only when `followAll`. */
export async function hubRequest(client: HubClient, method: 'GET' | 'HEAD', url: string, extra: Record<string, string> = {}, followAll = method === 'GET'): Promise<{ res: Response; url: string }> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let res: Response;
    try {
      res = await fetch(current, { method, headers: headersFor(client, current, extra), redirect: 'manual' });
    } catch (err) {
      throw hubError(`cannot reach the hub: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`, current,
        'check the network, or HF_ENDPOINT if you use a mirror', err);
    }
    const loc = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && loc) {
      const next = new URL(loc, current).toString();
      const sameHost = new URL(next).host === new URL(current).host;
      if (!sameHost && !followAll) return { res, url: current };
      await res.body?.cancel();
      current = next;
      continue;
    }
    return { res, url: current };
  }
  throw hubError(`more than ${MAX_REDIRECTS} redirects`, url);
}

function statusError(res: Response, url: string, what: string): LedgerLabError {
  const code = res.headers.get('x-error-code');
  const msg = res.headers.get('x-error-message');
  if (res.status === 401 || res.status === 403) {
    return hubError(`${what}: HTTP ${res.status}${msg ? ` (${msg})` : ''}`, url, 'the repository is private or gated: accept its terms on the hub and set HF_TOKEN to a token with read access');
  }
  if (res.status === 404) {
    const kind = code === 'RevisionNotFound' ? 'revision' : code === 'EntryNotFound' ? 'file' : 'repository or revision';
    return hubError(`${what}: ${kind} not found (HTTP 404)${msg ? `: ${msg}` : ''}`, url, 'check ORG/NAME and --revision (a branch, tag or commit)');
  }
  return hubError(`${what}: HTTP ${res.status} ${res.statusText}`, url);
}

/** The most a listing (or any JSON answer of the API) may take: a real listing of thousands of files is a few MiB. */
export const MAX_LISTING_BYTES = 64 * 2 ** 20;

/**
 * The JSON body of an API answer, read as a stream and refused at the first byte past `maxBytes`: a server that
 * sends an endless or huge answer must not exhaust memory before anything is checked.
 */
export async function readJsonCapped(res: Response, url: string, maxBytes = MAX_LISTING_BYTES): Promise<unknown> {
  const announced = Number(res.headers.get('content-length') ?? NaN);
  if (announced > maxBytes) {
    await res.body?.cancel();
    throw hubError(`the answer announces ${announced} bytes, over the ${maxBytes}-byte limit for an API answer`, url);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body ?? []) {
    total += chunk.byteLength;
    if (total > maxBytes) throw hubError(`the answer is over the ${maxBytes}-byte limit for an API answer`, url);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw hubError('the hub answered with something that is not JSON', url, undefined, err);
  }
}

/** The repository's file list at a revision, with the commit it resolves to. */
export async function repoInfo(client: HubClient, repo: string, revision: string, type: RepoType = 'model'): Promise<RepoInfo> {
  checkRevision(revision);
  const url = `${client.endpoint}/api/${API_SEGMENT[type]}/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
  const { res } = await hubRequest(client, 'GET', url);
  if (!res.ok) throw statusError(res, url, `listing ${repo}@${revision}`);
  const b = await readJsonCapped(res, url) as Partial<RepoInfo>;
  if (typeof b?.sha !== 'string' || !Array.isArray(b.siblings)) throw hubError('the listing has no "sha" or "siblings"', url);
  // The sha names the snapshot folder: a commit id, never a path.
  return { sha: checkCommit(b.sha, 'the listing\'s "sha"', url), siblings: b.siblings };
}

export function resolveUrl(client: HubClient, repo: string, commit: string, file: string, type: RepoType = 'model'): string {
  return `${client.endpoint}/${RESOLVE_PREFIX[type]}${repo}/resolve/${encodeURIComponent(commit)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

/** HEAD on the resolve URL (huggingface_hub's get_hf_file_metadata). */
export async function fileMeta(client: HubClient, repo: string, commit: string, file: string, type: RepoType = 'model'): Promise<FileMeta> {
  const url = resolveUrl(client, repo, commit, file, type);
  const { res, url: final } = await hubRequest(client, 'HEAD', url, { 'accept-encoding': 'identity' });
  if (res.status >= 400) throw statusError(res, url, `metadata of ${file}`);
  const h = res.headers;
  const commitHash = h.get('x-repo-commit');
  const linked = h.get('x-linked-etag') !== null;
  const etag = normalizeEtag(h.get('x-linked-etag') ?? h.get('etag'));
  const size = Number(h.get('x-linked-size') ?? h.get('content-length'));
  if (!commitHash) throw hubError(`no X-Repo-Commit header for ${file}: this does not look like a Hugging Face hub`, url, 'check HF_ENDPOINT (a proxy or firewall may answer instead of the hub)');
  if (!etag) throw hubError(`no ETag for ${file}: the download could not be checked`, url);
  if (!Number.isInteger(size) || size < 0) throw hubError(`no usable size (X-Linked-Size / Content-Length) for ${file}`, url);
  const loc = h.get('location');
  // The etag names the blob file and the hash the bytes must have: only hex of the right length passes.
  return { commit: checkCommit(commitHash, `X-Repo-Commit of ${file}`, url), etag: checkEtag(etag, linked, file, url), size, location: loc ? new URL(loc, final).toString() : final };
}

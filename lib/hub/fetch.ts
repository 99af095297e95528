/**
 * `fetchModel('ORG/NAME')`: downloads what loadPretrained and loadHfTokenizer read — config.json,
 * generation_config.json, the top-level safetensors weights (only the shards a model.safetensors.index.json
 * names, when there is one) and the tokenizer files — into the standard Hugging Face cache or a plain folder.
 *
 * Cache layout (as huggingface_hub writes it, so transformers finds the files too):
 *   {HF_HUB_CACHE | HF_HOME/hub | ~/.cache/huggingface/hub}/models--ORG--NAME/
 *     blobs/<etag>                  the bytes, named by their etag (sha256 for LFS files, git sha1 otherwise)
 *     blobs/<etag>.incomplete       a partial download, resumed with an HTTP Range request
 *     snapshots/<commit>/<file>     relative symlinks to ../../blobs/<etag>
 *     refs/<revision>               the commit the revision (branch or tag) resolved to
 * With `dir`: files land in DIR/<file>, partial ones in DIR/.cache/huggingface/download/<file>.<etag>.incomplete.
 *
 * Every file is checked before it is put in place: the size, and the hash the etag names (sha256 for LFS
 * files; the git blob sha1 for regular files). A mismatch deletes the partial file and fails naming the file.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, mkdirSync, openSync, closeSync, writeSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, readlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import { fileMeta, hubRequest, repoInfo, type FileMeta, type HubClient, type HubSibling } from './protocol.ts';
import { checkEtag, checkRepoFile, checkRevision, insideRoot } from './checks.ts';

export interface FetchOptions {
  /** Branch, tag or commit (default "main"). */
  revision?: string;
  /** Download into this folder instead of the Hugging Face cache. */
  dir?: string;
  /** Default: HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
  /** Default: HF_TOKEN (or the older HUGGING_FACE_HUB_TOKEN). */
  token?: string;
  /** Default: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. */
  cacheDir?: string;
  /** Attempts per file when a transfer breaks off or ends early (each resumes where the last stopped). Default 5. */
  attempts?: number;
  /** Largest file accepted, in bytes (default MAX_FILE_BYTES); a larger announced size is refused before downloading. */
  maxFileBytes?: number;
  onProgress?: (p: FetchProgress) => void;
}

export interface FetchProgress {
  file: string;
  fileBytes: number;
  fileSize: number;
  doneBytes: number;
  totalBytes: number;
}

export interface FetchedFile {
  name: string;
  size: number;
  etag: string;
  /** Which check passed: the sha256 of an LFS file, the git blob sha1 of a regular one. */
  checked: 'sha256' | 'git-sha1' | 'size';
  /** false when the file was already complete in the cache / folder. */
  downloaded: boolean;
  /** Bytes already on disk when the download (re)started; > 0 means it was resumed. */
  resumedFrom: number;
  /** Transfers that broke off and were resumed. */
  retries: number;
}

export interface FetchResult {
  repo: string;
  revision: string;
  commit: string;
  /** The folder to hand to loadPretrained / loadHfTokenizer (the snapshot folder, or DIR). */
  dir: string;
  files: FetchedFile[];
}

export const REPO_ID = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;
const TOKENIZER_FILES = new Set(['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json', 'chat_template.jinja', 'tokenizer.model', 'vocab.json', 'merges.txt']);
const CONFIG_FILES = new Set(['config.json', 'generation_config.json']);
const INDEX = 'model.safetensors.index.json';

/** The files of a listing that a model directory needs (top level only: no onnx/, no other formats). */
export function selectFiles(siblings: readonly HubSibling[], index?: { weight_map?: Record<string, string> }): string[] {
  const names = siblings.map((s) => s.rfilename).filter((n) => typeof n === 'string' && !n.includes('/'));
  const shards = index?.weight_map ? new Set(Object.values(index.weight_map)) : undefined;
  return names.filter((n) => CONFIG_FILES.has(n) || TOKENIZER_FILES.has(n) || n === INDEX || (n.endsWith('.safetensors') && (!shards || shards.has(n)))).sort();
}

export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HF_HOME) return join(env.HF_HOME, 'hub');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huggingface', 'hub');
}

/** Where a file's bytes live and where the partial download goes. */
export interface Layout {
  root: string;
  target(name: string, meta: FileMeta): string;
  partial(name: string, meta: FileMeta): string;
  /** Makes `name` visible in the snapshot / folder once `target` is complete. */
  publish(name: string, meta: FileMeta): void;
  finish(commit: string, revision: string): string;
}

// Every path below goes through insideRoot: names, etags, commits and revisions come from the server.
function cacheLayout(cacheDir: string, repo: string, commit: string): Layout {
  const root = join(cacheDir, `models--${repo.replace('/', '--')}`);
  const blob = (m: FileMeta) => insideRoot(root, 'the hub cache', 'blobs', m.etag);
  return {
    root,
    target: (_n, m) => blob(m),
    partial: (_n, m) => `${blob(m)}.incomplete`,
    publish(name, m) {
      const link = insideRoot(root, 'the hub cache', 'snapshots', commit, name);
      mkdirSync(dirname(link), { recursive: true });
      const rel = relative(dirname(link), blob(m));
      if (existsSync(link) || isLink(link)) {
        if (isLink(link) && readlinkSync(link) === rel) return;
        rmSync(link, { force: true });
      }
      symlinkSync(rel, link);
    },
    finish(c, revision) {
      if (revision !== c) {
        const ref = insideRoot(root, 'the hub cache', 'refs', checkRevision(revision));
        mkdirSync(dirname(ref), { recursive: true });
        writeAtomic(ref, c);
      }
      return insideRoot(root, 'the hub cache', 'snapshots', c);
    },
  };
}

export function dirLayout(dir: string): Layout {
  const partialDir = join(dir, '.cache', 'huggingface', 'download');
  return {
    root: dir,
    target: (n) => insideRoot(dir, dir, checkRepoFile(n, dir)),
    partial: (n, m) => insideRoot(partialDir, dir, `${checkRepoFile(n, dir)}.${m.etag}.incomplete`),
    publish() {},
    finish: () => dir,
  };
}

function isLink(p: string): boolean {
  try { return lstatSync(p).isSymbolicLink(); } catch { return false; }
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/**
 * The hash the etag stands for: sha256 (64 hex, LFS) or git's blob sha1 (40 hex: sha1("blob <size>\0" + bytes)).
 * Anything else is refused (checkEtag): a size check alone would accept changed bytes.
 */
function hasherFor(meta: FileMeta): { kind: 'sha256' | 'git-sha1'; hash: Hash } {
  if (checkEtag(meta.etag, false, meta.location, meta.location).length === 64) return { kind: 'sha256', hash: createHash('sha256') };
  const h = createHash('sha1');
  h.update(`blob ${meta.size}\0`);
  return { kind: 'git-sha1', hash: h };
}

async function hashFile(path: string, hash: Hash): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path)) { hash.update(chunk as Buffer); n += (chunk as Buffer).length; }
  return n;
}

/** Checks a complete file against its etag; true when it matches. */
async function matches(path: string, meta: FileMeta): Promise<boolean> {
  if (!existsSync(path) || statSync(path).size !== meta.size) return false;
  const { hash } = hasherFor(meta);
  await hashFile(path, hash);
  return hash.digest('hex') === meta.etag;
}

/**
 * Downloads a model from the hub (or a server speaking its protocol).
 *
 * @example
 * const r = await fetchModel('HuggingFaceTB/SmolLM2-135M', { revision: 'main' });
 * loadHfTokenizer(r.dir);
 */
export async function fetchModel(repo: string, opts: FetchOptions = {}): Promise<FetchResult> {
  if (!REPO_ID.test(repo)) throw new LedgerLabError({ kind: 'usage', problem: `"${repo}" is not a repository id`, where: 'ORG/NAME', hint: 'write it as on the hub, e.g. HuggingFaceTB/SmolLM2-135M' });
  const endpoint = (opts.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  const client: HubClient = { endpoint, token: opts.token ?? process.env.HF_TOKEN ?? process.env.HUGGING_FACE_HUB_TOKEN };
  const revision = checkRevision(opts.revision ?? 'main');
  const info = await repoInfo(client, repo, revision);
  const commit = info.sha;

  // The index decides which shards belong to the model; fetch it first.
  let index: { weight_map?: Record<string, string> } | undefined;
  const layout = opts.dir ? dirLayout(opts.dir) : cacheLayout(opts.cacheDir ?? hubCacheDir(), repo, commit);
  const metas = new Map<string, FileMeta>();
  const files: FetchedFile[] = [];
  const attempts = opts.attempts ?? 5;
  const limits = { attempts, maxFileBytes: opts.maxFileBytes };
  let done = 0, total = 0;
  const fetchOne = async (name: string): Promise<void> => {
    const meta = metas.get(name)!;
    files.push(await downloadFile(client, name, meta, layout, limits, (fileBytes) => {
      opts.onProgress?.({ file: name, fileBytes, fileSize: meta.size, doneBytes: done + fileBytes, totalBytes: total });
    }));
    done += meta.size;
  };
  if (info.siblings.some((s) => s.rfilename === INDEX)) {
    metas.set(INDEX, await fileMeta(client, repo, commit, INDEX));
    total += metas.get(INDEX)!.size;
    await fetchOne(INDEX);
    const path = layout.target(INDEX, metas.get(INDEX)!);
    try {
      index = JSON.parse(await (await import('node:fs/promises')).readFile(path, 'utf8'));
    } catch (err) {
      throw new LedgerLabError({ kind: 'data', problem: `${INDEX} is not valid JSON`, where: path, cause: err });
    }
  }
  const names = selectFiles(info.siblings, index).map((n) => checkRepoFile(n, `${endpoint}/${repo} (listing)`));
  if (!names.some((n) => n.endsWith('.safetensors'))) {
    throw new LedgerLabError({
      kind: 'data', problem: `${repo}@${revision} has no safetensors weights at the top level`, where: `${endpoint}/${repo}`,
      hint: 'LedgerLab reads safetensors only; pick a repository (or revision) that has model.safetensors, or convert the weights once with transformers (save_pretrained(..., safe_serialization=True))',
    });
  }
  for (const n of names) if (!metas.has(n)) metas.set(n, await fileMeta(client, repo, commit, n));
  for (const n of names) if (n !== INDEX) total += metas.get(n)!.size;
  for (const n of names) if (n !== INDEX) await fetchOne(n);
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { repo, revision, commit, dir: layout.finish(commit, revision), files };
}

/** Files larger than this are refused unless the caller raises the cap (the largest safetensors shards are ~50 GB). */
export const MAX_FILE_BYTES = 64 * 2 ** 30;

export interface DownloadLimits {
  /** Transfers per file, in all: a broken-off or short transfer counts as one, and so does a failed request. */
  attempts: number;
  /** Default MAX_FILE_BYTES. */
  maxFileBytes?: number;
  /** Wait before the n-th retry: backoffMs × 2^(n-1), at most 10 s (default 250 ms). */
  backoffMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const where = (meta: FileMeta) => meta.location.split('?')[0]!;

/** One GET of the rest of the file, appended to `partial`; never writes past the announced size. */
async function transferOnce(client: HubClient, name: string, meta: FileMeta, partial: string, have: number, hash: Hash, progress: (bytes: number) => void): Promise<{ have: number; restart?: boolean; error?: unknown }> {
  const range: Record<string, string> = have > 0 ? { range: `bytes=${have}-` } : {};
  let res: Response;
  try {
    ({ res } = await hubRequest(client, 'GET', meta.location, { 'accept-encoding': 'identity', ...range }));
  } catch (err) {
    return { have, error: err };
  }
  // The server ignored the Range: start over (the partial bytes are not in this body).
  if (have > 0 && res.status === 200) { await res.body?.cancel(); return { have, restart: true }; }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw new LedgerLabError({ kind: 'io', problem: `downloading ${name}: HTTP ${res.status} ${res.statusText}`, where: where(meta) });
  }
  const fd = openSync(partial, 'a');
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (have + chunk.length > meta.size) {
        throw new LedgerLabError({ kind: 'data', code: 'data.download_too_long', problem: `${name}: the server sent more than the ${meta.size} bytes it announced`, where: where(meta), hint: 'nothing past the announced size was written; check HF_ENDPOINT' });
      }
      writeSync(fd, chunk);
      hash.update(chunk);
      have += chunk.length;
      progress(have);
    }
  } catch (err) {
    if (err instanceof LedgerLabError) throw err;
    return { have, error: err }; // broke off mid-body: what arrived is on disk; the next attempt asks for the rest
  } finally {
    closeSync(fd);
  }
  return { have };
}

/**
 * One file into a layout, resumable (Range on the partial file) and checked against `meta` (size, and the
 * sha256 or git blob sha1 its etag names). Shared by model fetching, dataset repositories and plain URLs
 * (lib/data/fetch.ts), whose `meta` comes from another listing (GitHub's contents API). Every transfer counts
 * against `limits.attempts` — one that breaks off, ends early or sends nothing (an empty 206) alike — with
 * exponential backoff between them; an announced size over the cap, or bytes past it, are refused.
 */
export async function downloadFile(client: HubClient, name: string, meta: FileMeta, layout: Layout, limits: DownloadLimits, progress: (bytes: number) => void): Promise<FetchedFile> {
  const max = limits.maxFileBytes ?? MAX_FILE_BYTES;
  if (meta.size > max) throw new LedgerLabError({ kind: 'data', code: 'data.download_too_large', problem: `${name} is ${meta.size} bytes, more than the ${max} bytes accepted`, where: where(meta), hint: 'nothing was downloaded; raise the cap (maxFileBytes) if the file is really that large' });
  const target = layout.target(name, meta);
  const base = { name, size: meta.size, etag: meta.etag, checked: hasherFor(meta).kind };
  if (await matches(target, meta)) {
    layout.publish(name, meta);
    progress(meta.size);
    return { ...base, downloaded: false, resumedFrom: 0, retries: 0 };
  }
  const partial = layout.partial(name, meta);
  mkdirSync(dirname(partial), { recursive: true });
  mkdirSync(dirname(target), { recursive: true });
  const { kind, hash } = hasherFor(meta);
  // Resume: the bytes already on disk count towards the hash.
  let have = existsSync(partial) ? statSync(partial).size : 0;
  if (have > meta.size) { rmSync(partial); have = 0; }
  if (have > 0) await hashFile(partial, hash);
  const resumedFrom = have;
  const fail = (problem: string, cause?: unknown, code?: string): never => {
    rmSync(partial, { force: true });
    throw new LedgerLabError({ kind: 'data', code, problem, where: `${name} (${where(meta)})`, cause, hint: 'the partial file was deleted; rerun to download it again, and check HF_ENDPOINT if it keeps failing' });
  };
  let attempt = 0;
  let lastError: unknown;
  while (have < meta.size) {
    if (attempt >= limits.attempts) {
      if (lastError instanceof LedgerLabError) throw lastError; // the hub could not be reached: say so
      throw new LedgerLabError({ kind: 'io', code: 'io.download_incomplete', problem: `downloading ${name}: ${limits.attempts} transfer(s) broke off or ended early (${have} of ${meta.size} bytes); rerun to resume`, where: where(meta), cause: lastError });
    }
    if (attempt > 0) await sleep(Math.min(10_000, (limits.backoffMs ?? 250) * 2 ** (attempt - 1)));
    attempt++;
    let step: Awaited<ReturnType<typeof transferOnce>>;
    try {
      step = await transferOnce(client, name, meta, partial, have, hash, progress);
    } catch (err) {
      if (err instanceof LedgerLabError && err.kind === 'data') fail(err.problem, err, err.code);
      throw err;
    }
    if (step.restart) {
      rmSync(partial);
      return downloadFile(client, name, meta, layout, { ...limits, attempts: Math.max(1, limits.attempts - attempt) }, progress);
    }
    lastError = step.error;
    have = step.have;
  }
  if (have !== meta.size) fail(`${name}: got ${have} bytes, the hub announced ${meta.size}`);
  const got = hash.digest('hex');
  if (got !== meta.etag) fail(`${name}: ${kind} of the download is ${got}, the hub announced ${meta.etag}`);
  renameSync(partial, target);
  layout.publish(name, meta);
  return { ...base, downloaded: true, resumedFrom, retries: attempt - 1 };
}

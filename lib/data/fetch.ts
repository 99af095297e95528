/**
 * `ledgerlab data fetch advertisegen|e2e [--dir DIR]`: the full public datasets, so a user outside this
 * workplace trains on the real data instead of the synthetic fallback.
 *
 *  - advertisegen: the Hugging Face dataset repository LLaMA-Factory's dataset_info.json names for adgen
 *    (`HasturOfficial/adgen`, splits train and validation), through the hub client of lib/hub with the dataset
 *    paths (`/api/datasets/…`, `/datasets/…/resolve/…`); HF_ENDPOINT and HF_TOKEN are honoured. LFS files are
 *    checked against the hub's sha256, regular ones against their git blob sha1. Parquet-only splits are also
 *    written as JSONL (`content`/`summary` per line) so `data.path` can name them.
 *  - e2e: the E2E NLG Challenge's own GitHub repository (`tuetschek/e2e-dataset`: trainset.csv, devset.csv,
 *    testset_w_refs.csv). GitHub's contents API gives each file's size and git blob sha1, and its download URL;
 *    the bytes go through the same resumable, checked download. LEDGERLAB_E2E_URL overrides the API base
 *    (`https://api.github.com/repos/tuetschek/e2e-dataset`).
 * Both write `manifest.json` beside the files: source, revision, and per file size, sha256 and the checked
 * hash; a later fetch into the same folder refuses files whose sha256 differs from the manifest (the upstream
 * changed: move the old folder away). Files land in DIR, by default `.cache/datasets/<name>/` in the package.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import { packageRoot } from '../paths.ts';
import { checkRepoFile, dirLayout, downloadFile, fileMeta, hubRequest, readJsonCapped, repoInfo, type FetchProgress, type FetchedFile, type FileMeta, type HubClient } from '../hub/index.ts';

export const FETCHABLE_DATASETS = ['advertisegen', 'e2e'] as const;
export type FetchableDataset = (typeof FETCHABLE_DATASETS)[number];

export const ADVERTISEGEN_REPO = 'HasturOfficial/adgen';
export const E2E_API = 'https://api.github.com/repos/tuetschek/e2e-dataset';
export const E2E_REF = 'master';
export const E2E_FILES = ['trainset.csv', 'devset.csv', 'testset_w_refs.csv'] as const;
/** The real splits are tens of megabytes; a listing announcing more than this is refused before downloading. */
export const MAX_DATASET_FILE_BYTES = 4 * 2 ** 30;

export interface DatasetFetchOptions {
  dir?: string;
  /** Hub endpoint for advertisegen (default HF_ENDPOINT, else https://huggingface.co). */
  endpoint?: string;
  /** GitHub API base of the E2E repository (default LEDGERLAB_E2E_URL, else E2E_API). */
  e2eUrl?: string;
  attempts?: number;
  /** Largest file accepted (default MAX_DATASET_FILE_BYTES). */
  maxFileBytes?: number;
  onProgress?: (p: FetchProgress) => void;
}

export interface DatasetFile extends FetchedFile {
  sha256: string;
  /** The file to give as data.path (a JSONL conversion for parquet splits). */
  path: string;
  split: 'train' | 'dev' | 'test';
}

export interface DatasetFetchResult {
  dataset: FetchableDataset;
  source: string;
  revision: string;
  dir: string;
  files: DatasetFile[];
}

export function defaultDatasetDir(name: FetchableDataset): string {
  return join(packageRoot, '.cache', 'datasets', name);
}

async function sha256Of(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The AdvertiseGen split a repository file holds, by its base name (train*, dev* / validation*). */
export function adgenSplit(name: string): 'train' | 'dev' | undefined {
  const base = name.split('/').pop()!.toLowerCase();
  if (!/\.(jsonl?|parquet)$/.test(base)) return undefined;
  if (base.startsWith('train')) return 'train';
  if (/^(dev|valid|validation)\b|^(dev|validation)[-_.]/.test(base)) return 'dev';
  return undefined;
}

interface Planned { name: string; meta: FileMeta; split: DatasetFile['split'] }

async function planAdvertisegen(o: DatasetFetchOptions): Promise<{ client: HubClient; source: string; revision: string; files: Planned[] }> {
  const endpoint = (o.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  const client: HubClient = { endpoint, token: process.env.HF_TOKEN ?? process.env.HUGGING_FACE_HUB_TOKEN };
  const info = await repoInfo(client, ADVERTISEGEN_REPO, 'main', 'dataset');
  const where = `${endpoint}/api/datasets/${ADVERTISEGEN_REPO} (listing)`;
  // Names come from the server: a split file must be a plain relative name (no "..", no absolute path), checked
  // before anything is written; dirLayout keeps the resolved path inside --dir as well.
  const picked = info.siblings.filter((s) => typeof s?.rfilename === 'string' && adgenSplit(s.rfilename))
    .map((s) => ({ name: checkRepoFile(s.rfilename, where), split: adgenSplit(s.rfilename) }));
  const names = new Set(picked.map((p) => p.split));
  if (!names.has('train') || !names.has('dev')) {
    throw new LedgerLabError({ kind: 'data', problem: `${ADVERTISEGEN_REPO} has no ${names.has('train') ? 'dev/validation' : 'train'} split file (json, jsonl or parquet); it lists ${info.siblings.map((s) => s.rfilename).join(', ')}`, where: `${endpoint}/datasets/${ADVERTISEGEN_REPO}` });
  }
  const files: Planned[] = [];
  for (const p of picked) files.push({ name: p.name, split: p.split!, meta: await fileMeta(client, ADVERTISEGEN_REPO, info.sha, p.name, 'dataset') });
  return { client, source: `${endpoint}/datasets/${ADVERTISEGEN_REPO}`, revision: info.sha, files };
}

async function planE2e(o: DatasetFetchOptions): Promise<{ client: HubClient; source: string; revision: string; files: Planned[] }> {
  const base = (o.e2eUrl ?? process.env.LEDGERLAB_E2E_URL ?? E2E_API).replace(/\/+$/, '');
  const client: HubClient = { endpoint: base };
  const files: Planned[] = [];
  for (const name of E2E_FILES) {
    const url = `${base}/contents/${name}?ref=${E2E_REF}`;
    const { res } = await hubRequest(client, 'GET', url, { accept: 'application/vnd.github+json' });
    if (!res.ok) throw new LedgerLabError({ kind: 'io', problem: `listing ${name}: HTTP ${res.status} ${res.statusText}`, where: url, hint: res.status === 403 ? 'GitHub\'s API rate limit (60 requests an hour without a token); wait and rerun' : 'check LEDGERLAB_E2E_URL' });
    const j = ((await readJsonCapped(res, url)) ?? {}) as { sha?: unknown; size?: unknown; download_url?: unknown };
    if (typeof j.sha !== 'string' || !/^[0-9a-f]{40}$/.test(j.sha) || !Number.isInteger(j.size) || typeof j.download_url !== 'string') {
      throw new LedgerLabError({ kind: 'io', problem: `the contents API answer for ${name} has no sha / size / download_url`, where: url });
    }
    files.push({ name, split: name.startsWith('train') ? 'train' : name.startsWith('dev') ? 'dev' : 'test', meta: { commit: E2E_REF, etag: j.sha, size: j.size as number, location: new URL(j.download_url, url).toString() } });
  }
  return { client, source: base, revision: E2E_REF, files };
}

/** A parquet split as JSONL (one object per row), beside it; returns the JSONL path. */
async function parquetToJsonl(path: string): Promise<string> {
  const { parquetReadObjects } = await import('hyparquet');
  const buf = readFileSync(path);
  const rows = await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer });
  const out = path.replace(/\.parquet$/, '.jsonl');
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))).join('\n') + '\n');
  renameSync(tmp, out);
  return out;
}

/**
 * Downloads a public dataset (resumable, hash-checked) and writes its manifest.
 *
 * @example
 * const r = await fetchDataset('e2e');
 * // data: { source: 'e2e', path: r.files.find((f) => f.split === 'train').path }
 */
export async function fetchDataset(name: string, o: DatasetFetchOptions = {}): Promise<DatasetFetchResult> {
  if (!(FETCHABLE_DATASETS as readonly string[]).includes(name)) {
    throw new LedgerLabError({ kind: 'usage', problem: `unknown dataset "${name}"`, where: 'ledgerlab data fetch', hint: `one of ${FETCHABLE_DATASETS.join(', ')}` });
  }
  const dataset = name as FetchableDataset;
  const dir = o.dir ?? defaultDatasetDir(dataset);
  mkdirSync(dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const previous = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { files?: Array<{ name: string; sha256: string }> }) : undefined;
  const plan = dataset === 'advertisegen' ? await planAdvertisegen(o) : await planE2e(o);
  const layout = dirLayout(dir);
  const total = plan.files.reduce((a, f) => a + f.meta.size, 0);
  let done = 0;
  const files: DatasetFile[] = [];
  for (const f of plan.files) {
    const got = await downloadFile(plan.client, f.name, f.meta, layout, { attempts: o.attempts ?? 5, maxFileBytes: o.maxFileBytes ?? MAX_DATASET_FILE_BYTES }, (bytes) => o.onProgress?.({ file: f.name, fileBytes: bytes, fileSize: f.meta.size, doneBytes: done + bytes, totalBytes: total }));
    done += f.meta.size;
    const target = layout.target(f.name, f.meta);
    const sha = got.checked === 'sha256' ? f.meta.etag : await sha256Of(target);
    const before = previous?.files?.find((p) => p.name === f.name);
    if (before && before.sha256 !== sha) {
      throw new LedgerLabError({ kind: 'data', problem: `${f.name} now has sha256 ${sha}; the manifest recorded ${before.sha256}`, where: manifestPath, hint: 'the upstream file changed; fetch into a new --dir (or move the old folder away) so earlier results stay reproducible' });
    }
    const path = target.endsWith('.parquet') ? await parquetToJsonl(target) : target;
    files.push({ ...got, sha256: sha, path, split: f.split });
  }
  const manifest = {
    dataset, source: plan.source, revision: plan.revision, fetchedAt: new Date().toISOString(),
    files: files.map((f) => ({ name: f.name, split: f.split, size: f.size, sha256: f.sha256, checked: f.checked, etag: f.etag, path: f.path })),
  };
  const tmp = `${manifestPath}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
  renameSync(tmp, manifestPath);
  return { dataset, source: plan.source, revision: plan.revision, dir, files };
}

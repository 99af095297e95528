/**
 * hub/: downloading models from the Hugging Face hub (or a mirror at HF_ENDPOINT) into the standard cache
 * layout or a folder, resumable and hash-checked. protocol.ts speaks the hub's HTTP API; fetch.ts picks the
 * files, lays them out and checks them; checks.ts refuses what the server says before it names a file (hashes
 * of the right length, commit ids, plain revisions and file names, paths inside their root).
 */
export { fetchModel, selectFiles, hubCacheDir, downloadFile, dirLayout, MAX_FILE_BYTES, type DownloadLimits, type Layout, type FetchOptions, type FetchResult, type FetchedFile, type FetchProgress } from './fetch.ts';
export { normalizeEtag, resolveUrl, repoInfo, fileMeta, hubRequest, readJsonCapped, MAX_LISTING_BYTES, type HubSibling, type FileMeta, type HubClient, type RepoType } from './protocol.ts';
export { checkEtag, checkCommit, checkRevision, checkRepoFile, insideRoot, GIT_SHA1, SHA256 } from './checks.ts';

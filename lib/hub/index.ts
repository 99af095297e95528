/**
 * hub/: downloading models from the Hugging Face hub (or a mirror at HF_ENDPOINT) into the standard cache
 * layout or a folder, resumable and hash-checked. protocol.ts speaks the hub's HTTP API; fetch.ts picks the
 * files, lays them out and checks them.
 */
export { fetchModel, selectFiles, hubCacheDir, type FetchOptions, type FetchResult, type FetchedFile, type FetchProgress } from './fetch.ts';
export { normalizeEtag, resolveUrl, type HubSibling, type FileMeta } from './protocol.ts';

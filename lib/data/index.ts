/**
 * data/: everything between files on disk and padded token batches.
 *   loaders/    AdvertiseGen JSONL, E2E NLG CSV (RFC 4180, grouped references), generic prompt/response JSONL
 *   synthetic/  seeded zh/en ad-copy generator with vocabulary, noise and drift knobs
 *   split.ts    deterministic train/eval/test splits with a hash manifest
 *   tokenizer/  byte-level BPE and char-level tokenizers, versioned JSON files; Hugging Face tokenizer.json load/export
 *   batch/      encode + truncate, 'longest' | 'max_length' padding, -100 labels, resumable iterator
 * Pure TypeScript: batches are Int32Arrays plus a shape, so this folder never imports a tensor library.
 */
export type { Attribute, Example, Lang } from './types.ts';
export { detectLang } from './lang.ts';
export {
  CsvParser, loadAdvertiseGen, streamAdvertiseGen, parseAdvertiseGen, parseAdvertiseGenContent, loadE2E, parseE2E, parseMeaningRepresentation,
  loadPromptResponse, streamPromptResponse, parsePromptResponse, loadAlpaca, loadShareGpt, alpacaConversation, sharegptConversation,
  ALPACA_COLUMNS, SHAREGPT_COLUMNS, SHAREGPT_TAGS, OPENAI_TAGS, readJsonRecords, jsonArrayRecords, type CsvRecord, type JsonRecord,
} from './loaders/index.ts';
export { split, idListHash, exactCounts, type Split, type SplitOptions, type SplitManifest, type SplitFractions } from './split.ts';
export * from './tokenizer/index.ts';
export * from './batch/index.ts';
export {
  generateAd, generateAds, adRecordToExample, toAdvertiseGenJsonl, knobAt, addTypos, garble, truncate, CATEGORIES, VALUES, valuesOf,
  type AdGenOptions, type AdNoise, type AdDrift, type AdRecord, type KnobSchedule,
} from './synthetic/index.ts';
export { contentId } from './ids.ts';
export { loadDataset, detectFormat, DATASET_FORMATS, type DatasetFormat, type LoadOptions } from './load.ts';
export {
  CHAT_TEMPLATES, TEMPLATE_NAMES, namedTemplate, jinjaTemplate, renderChat, chatRenderer, datasetInfoEntry, tokenizerChatTemplate,
  type ChatMessage, type ChatRenderer, type Conversation, type ColumnMap, type TagMap, type DatasetInfoEntry,
} from './chat/index.ts';
export { fetchDataset, defaultDatasetDir, adgenSplit, FETCHABLE_DATASETS, ADVERTISEGEN_REPO, E2E_API, E2E_REF, E2E_FILES } from './fetch.ts';
export type { DatasetFetchOptions, DatasetFetchResult, DatasetFile, FetchableDataset } from './fetch.ts';
export { fileLines, textLines, maxLineBytes, DEFAULT_MAX_LINE_BYTES, type Line, type LineOptions } from './lines.ts';

/**
 * data/loaders/: datasets from files — AdvertiseGen JSONL, E2E NLG CSV (RFC 4180, grouped references), generic
 * prompt/response JSONL, LLaMA-Factory's alpaca and sharegpt formats (JSON arrays or JSONL). The sub-folder's
 * only door (rule (e) of test/house/imports.test.ts).
 */
export { CsvParser, type CsvRecord } from './csv.ts';
export { loadAdvertiseGen, streamAdvertiseGen, parseAdvertiseGen, parseAdvertiseGenContent } from './advertisegen.ts';
export { loadE2E, parseE2E, parseMeaningRepresentation } from './e2e.ts';
export { loadPromptResponse, streamPromptResponse, parsePromptResponse } from './jsonl.ts';
export {
  loadAlpaca, loadShareGpt, alpacaConversation, sharegptConversation, ALPACA_COLUMNS, SHAREGPT_COLUMNS, SHAREGPT_TAGS, OPENAI_TAGS,
  type ChatLoadOptions,
} from './chat-formats.ts';
export { readJsonRecords, jsonArrayRecords, isJsonArrayText, type JsonRecord } from './records.ts';

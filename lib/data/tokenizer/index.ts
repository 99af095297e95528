/** Tokenizers: byte-level BPE (GPT-2 style) and character-level, with versioned save/load. */
export { BpeTokenizer, byteOfChar, type BpeFile } from './bpe.ts';
export { trainBpeMerges, BYTE_ID_OFFSET, FIRST_MERGE_ID, type BpeTrainOptions, type Merge } from './bpe-train.ts';
export { CharTokenizer, type CharFile, type CharTrainOptions } from './char.ts';
export { BYTE_TO_CHAR, pretokenize } from './bytes.ts';
export { SPECIAL_TOKENS, SPECIAL_IDS, type SpecialIds, type Tokenizer } from './specials.ts';
export { TOKENIZER_FORMAT, TOKENIZER_VERSION } from './format.ts';
export { saveTokenizer, loadTokenizer, tokenizerFromJson, tokenizerFromObject } from './io.ts';
export { loadHfTokenizer, type HfTokenizer, type HfEncoding, type ChatMessage, type ChatTemplateOptions } from './hf.ts';
export { saveHfTokenizer, toHfTokenizerJson, hfTokenizerConfig } from './hf-export.ts';
export { hfTaskTokenizer } from './hf-task.ts';

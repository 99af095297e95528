/** The tokenizer file's identity: a format name and a version checked on load. */
export const TOKENIZER_FORMAT = 'ledgerlab-tokenizer';
export const TOKENIZER_VERSION = 1;

/**
 * Tokenizer files: versioned JSON (`{"format": "ledgerlab-tokenizer", "version": 1, "kind": "bpe"|"char", ...}`).
 * Loading checks the format name, the version, the special tokens and every field, and names the file and the
 * field (or file:line:col for broken JSON) when something is off.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { jsonErrorOffset, lineCol } from '../../config/index.ts';
import { LedgerLabError } from '../../errors.ts';
import { decodeUtf8 } from '../../util/index.ts';
import { dataError } from '../where.ts';
import { BpeTokenizer } from './bpe.ts';
import { FIRST_MERGE_ID, type Merge } from './bpe-train.ts';
import { CharTokenizer } from './char.ts';
import { TOKENIZER_FORMAT, TOKENIZER_VERSION } from './format.ts';
import { SPECIAL_TOKENS, type Tokenizer } from './specials.ts';

/**
 * Writes a tokenizer as JSON (atomically: temp file then rename).
 *
 * @example
 * saveTokenizer(tok, 'results/tok.json');
 * const same = loadTokenizer('results/tok.json');
 */
export function saveTokenizer(tok: Tokenizer, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(tok.toJSON()) + '\n');
  renameSync(tmp, path);
}

export function loadTokenizer(path: string): Tokenizer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new LedgerLabError({ kind: 'io', problem: `cannot read tokenizer file: ${(err as Error).message}`, where: path, cause: err });
  }
  return tokenizerFromJson(decodeUtf8(bytes, path), path); // strict UTF-8, located; a BOM is dropped
}

/** Parses and validates tokenizer JSON text; `source` names it in errors. */
export function tokenizerFromJson(text: string, source = '<json>'): Tokenizer {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    const { line, col } = lineCol(text, jsonErrorOffset(text));
    throw dataError('tokenizer file is not valid JSON', `${source}:${line}:${col}`, undefined, err);
  }
  return tokenizerFromObject(obj, source);
}

export function tokenizerFromObject(obj: unknown, source = '<object>'): Tokenizer {
  const at = (field: string) => `${source}: ${field}`;
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw dataError('a tokenizer file must hold a JSON object', source);
  const o = obj as Record<string, unknown>;
  if (o.format !== TOKENIZER_FORMAT) {
    throw dataError(`not a LedgerLab tokenizer: format is ${JSON.stringify(o.format)}, expected "${TOKENIZER_FORMAT}"`, at('format'), 'train one with the data module (BpeTokenizer.train / CharTokenizer.train) and saveTokenizer');
  }
  if (o.version !== TOKENIZER_VERSION) {
    throw dataError(`unsupported tokenizer version ${JSON.stringify(o.version)}; this LedgerLab reads version ${TOKENIZER_VERSION}`, at('version'), 'retrain the tokenizer with this version of LedgerLab (or use the version that wrote it)');
  }
  const specials = o.specials;
  if (!Array.isArray(specials) || specials.length !== SPECIAL_TOKENS.length || specials.some((s, i) => s !== SPECIAL_TOKENS[i])) {
    throw dataError(`special tokens must be ${JSON.stringify(SPECIAL_TOKENS)}, got ${JSON.stringify(specials)}`, at('specials'));
  }
  let tok: Tokenizer;
  if (o.kind === 'bpe') {
    if (o.pretokenizer !== 'gpt2') throw dataError(`unknown pretokenizer ${JSON.stringify(o.pretokenizer)}, expected "gpt2"`, at('pretokenizer'));
    const merges = o.merges;
    if (!Array.isArray(merges)) throw dataError('"merges" must be an array of [leftId, rightId]', at('merges'));
    merges.forEach((m, i) => {
      const id = FIRST_MERGE_ID + i;
      const ok = Array.isArray(m) && m.length === 2 && m.every((x) => Number.isInteger(x) && x >= SPECIAL_TOKENS.length && x < id);
      if (!ok) throw dataError(`merge ${i} must be [leftId, rightId] with ids of tokens defined before it (< ${id}), got ${JSON.stringify(m)}`, at(`merges[${i}]`));
    });
    tok = new BpeTokenizer(merges as Merge[]);
  } else if (o.kind === 'char') {
    const chars = o.chars;
    if (!Array.isArray(chars)) throw dataError('"chars" must be an array of single characters', at('chars'));
    const seen = new Set<string>();
    chars.forEach((c, i) => {
      if (typeof c !== 'string' || [...c].length !== 1) throw dataError(`chars[${i}] must be one character, got ${JSON.stringify(c)}`, at(`chars[${i}]`));
      if (seen.has(c)) throw dataError(`chars[${i}] ${JSON.stringify(c)} appears twice`, at(`chars[${i}]`));
      seen.add(c);
    });
    tok = new CharTokenizer(chars as string[]);
  } else {
    throw dataError(`unknown tokenizer kind ${JSON.stringify(o.kind)}, expected "bpe" or "char"`, at('kind'));
  }
  if (o.vocabSize !== tok.vocabSize) throw dataError(`vocabSize says ${JSON.stringify(o.vocabSize)} but the file defines ${tok.vocabSize} tokens`, at('vocabSize'), 'the file was edited or truncated; retrain or restore it');
  return tok;
}

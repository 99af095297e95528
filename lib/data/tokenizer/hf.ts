/**
 * Hugging Face tokenizers: a model directory's `tokenizer.json` (+ `tokenizer_config.json`, optional
 * `chat_template.jinja`) run through @huggingface/tokenizers, chat templates rendered by @huggingface/jinja.
 * No tokenization logic lives here; this file only reads the files the way transformers does:
 *  - special tokens (bos/eos/pad/unk) come from tokenizer_config.json (strings or serialized AddedTokens);
 *  - `add_bos_token` / `add_eos_token` rebuild the post-processor for the tokenizer classes whose transformers
 *    implementation does so (Llama, CodeLlama, Gemma: `update_post_processor`); otherwise the
 *    tokenizer.json post-processor decides which special tokens `encode` adds;
 *  - a `truncation` block in tokenizer.json is ignored, as transformers disables it unless truncation is
 *    requested (GPT-2's own file carries max_length 50, which would silently cut every text).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer as HfTokenizerImpl } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';
import { jsonErrorOffset, lineCol } from '../../config/index.ts';
import { LedgerLabError } from '../../errors.ts';
import { decodeUtf8 } from '../../util/index.ts';
import { dataError } from '../where.ts';

export interface HfEncoding {
  ids: number[];
  /** Token strings as the vocabulary spells them (byte-level BPE: 'Ġworld'; SentencePiece: '▁world'). */
  tokens: string[];
}

export interface ChatMessage {
  role: string;
  content: string;
  [key: string]: unknown;
}

export interface ChatTemplateOptions {
  /** Append the assistant turn header (transformers' add_generation_prompt). Default false. */
  addGenerationPrompt?: boolean;
  /** Named template when tokenizer_config.json lists several (default: "default"). */
  template?: string;
  /** Extra variables passed to the template (e.g. tools, documents, enable_thinking). */
  variables?: Record<string, unknown>;
}

export interface HfTokenizer {
  readonly dir: string;
  /** Vocabulary size including added tokens (the largest id + 1). */
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
  readonly padId: number | null;
  readonly unkId: number | null;
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  readonly padToken: string | null;
  /** The chat template source, or null when the directory has none. */
  readonly chatTemplate: string | null;
  /** Text to ids as the model sees it; `addSpecialTokens` (default true) runs the post-processor (BOS etc.). */
  encode(text: string, opts?: { addSpecialTokens?: boolean }): HfEncoding;
  decode(ids: ArrayLike<number>, opts?: { skipSpecialTokens?: boolean }): string;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  /** Renders the chat template to the prompt text (encode it with addSpecialTokens: false, as transformers does). */
  applyChatTemplate(messages: ChatMessage[], opts?: ChatTemplateOptions): string;
}

/** Tokenizer classes whose transformers implementation rebuilds the post-processor from add_bos/eos_token. */
const REBUILDS_POST_PROCESSOR = /^(Llama|CodeLlama|Gemma|Gemma2|Gemma3)Tokenizer(Fast)?$/;

/**
 * Loads the tokenizer of a Hugging Face model directory.
 *
 * @example
 * const tok = loadHfTokenizer('/work/shared/tokenizers/gpt2');
 * tok.encode('Hello world').ids; // [15496, 995]
 */
export function loadHfTokenizer(dir: string): HfTokenizer {
  const tokPath = join(dir, 'tokenizer.json');
  if (!existsSync(tokPath)) {
    const hint = existsSync(join(dir, 'tokenizer.model'))
      ? 'the directory has only a SentencePiece tokenizer.model; save the fast tokenizer (tokenizer.json) with transformers: AutoTokenizer.from_pretrained(dir).save_pretrained(dir)'
      : 'a Hugging Face model directory needs tokenizer.json (transformers writes it with save_pretrained)';
    throw new LedgerLabError({ kind: 'io', problem: 'no tokenizer.json in the model directory', where: tokPath, hint });
  }
  const tokJson = readJsonObject(tokPath);
  const cfgPath = join(dir, 'tokenizer_config.json');
  const config = existsSync(cfgPath) ? readJsonObject(cfgPath) : {};
  const special = specialTokens(config, cfgPath);
  const impl = buildTokenizer(tokJson, config, special, tokPath);
  const ids = specialIds(impl, special, cfgPath);
  let vocabSize = 0;
  for (const id of impl.get_vocab(true).values()) vocabSize = Math.max(vocabSize, id + 1);
  const chatTemplate = readChatTemplate(dir, config, cfgPath);

  return {
    dir, vocabSize, ...ids,
    bosToken: special.bos, eosToken: special.eos, padToken: special.pad, chatTemplate: chatTemplate.default ?? null,
    encode(text, opts = {}) {
      const e = impl.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true });
      return { ids: e.ids, tokens: e.tokens };
    },
    decode(ids, opts = {}) {
      if (ids.length === 0) return ''; // the library rejects an empty list
      return impl.decode(Array.from(ids), { skip_special_tokens: opts.skipSpecialTokens ?? false });
    },
    tokenToId: (t) => impl.token_to_id(t),
    idToToken: (id) => impl.id_to_token(id),
    applyChatTemplate: chatTemplateRenderer(chatTemplate, special, cfgPath),
  };
}

/** The special tokens' contents as tokenizer_config.json names them (null: not set). */
interface SpecialTokens { bos: string | null; eos: string | null; pad: string | null; unk: string | null }

function specialTokens(config: Record<string, any>, cfgPath: string): SpecialTokens {
  return {
    bos: tokenContent(config.bos_token, `${cfgPath}: bos_token`),
    eos: tokenContent(config.eos_token, `${cfgPath}: eos_token`),
    pad: tokenContent(config.pad_token, `${cfgPath}: pad_token`),
    unk: tokenContent(config.unk_token, `${cfgPath}: unk_token`),
  };
}

/** The library's tokenizer, built as transformers would: no truncation or padding, the post-processor rebuilt where it does. */
function buildTokenizer(tokJson: Record<string, any>, config: Record<string, any>, special: SpecialTokens, tokPath: string): HfTokenizerImpl {
  const spec: Record<string, unknown> = { ...tokJson, truncation: null, padding: null };
  const cls = typeof config.tokenizer_class === 'string' ? config.tokenizer_class : '';
  if (REBUILDS_POST_PROCESSOR.test(cls) && (typeof config.add_bos_token === 'boolean' || typeof config.add_eos_token === 'boolean')) {
    spec.post_processor = templateProcessor(tokJson, special.bos, special.eos, config.add_bos_token !== false, config.add_eos_token === true, tokPath);
  }
  // The library reads special-token strings from the config; give it the normalised contents.
  const libConfig = { ...config, bos_token: special.bos, eos_token: special.eos, pad_token: special.pad, unk_token: special.unk };
  try {
    return new HfTokenizerImpl(spec, libConfig);
  } catch (err) {
    throw dataError(`@huggingface/tokenizers cannot build this tokenizer: ${(err as Error).message}`, tokPath, 'check the model type and pre-tokenizer in tokenizer.json', err);
  }
}

/** The ids of the special tokens (null when not set); a set token missing from the vocabulary is an error. */
function specialIds(impl: HfTokenizerImpl, special: SpecialTokens, cfgPath: string): { bosId: number | null; eosId: number | null; padId: number | null; unkId: number | null } {
  const idOf = (name: keyof SpecialTokens): number | null => {
    const t = special[name];
    if (t === null) return null;
    const id = impl.token_to_id(t);
    if (id === undefined) throw dataError(`${name}_token ${JSON.stringify(t)} is not in the vocabulary`, `${cfgPath}: ${name}_token`);
    return id;
  };
  const bosId = idOf('bos'), eosId = idOf('eos'), padId = idOf('pad'), unkId = idOf('unk');
  return { bosId, eosId, padId, unkId };
}

/** `applyChatTemplate` over the directory's named templates, each compiled once when first used. */
function chatTemplateRenderer(chatTemplate: Record<string, string>, special: SpecialTokens, cfgPath: string): HfTokenizer['applyChatTemplate'] {
  const compiled = new Map<string, Template>();
  return (messages, opts = {}) => {
    const name = opts.template ?? 'default';
    const source = chatTemplate[name];
    if (source === undefined) {
      const names = Object.keys(chatTemplate);
      throw new LedgerLabError({
        kind: 'data', problem: names.length ? `no chat template named "${name}" (the directory has: ${names.join(', ')})` : 'the tokenizer has no chat template',
        where: cfgPath, hint: names.length ? undefined : 'base models often ship without one; format the prompt yourself or add "chat_template" to tokenizer_config.json',
      });
    }
    let tpl = compiled.get(name);
    if (!tpl) {
      try {
        tpl = new Template(source);
      } catch (err) {
        throw dataError(`chat template "${name}" does not parse: ${(err as Error).message}`, cfgPath, undefined, err);
      }
      compiled.set(name, tpl);
    }
    // Variables as transformers' apply_chat_template passes them: messages, add_generation_prompt and the
    // special tokens map (bos_token, eos_token, ...).
    return tpl.render({
      bos_token: special.bos ?? '', eos_token: special.eos ?? '', pad_token: special.pad ?? '', unk_token: special.unk ?? '',
      ...opts.variables, messages, add_generation_prompt: opts.addGenerationPrompt ?? false,
    });
  };
}

function readJsonObject(path: string): Record<string, any> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new LedgerLabError({ kind: 'io', problem: `cannot read ${path}: ${(err as Error).message}`, where: path, cause: err });
  }
  // Strict UTF-8 (a bad byte is an error at file:line:col, not a silent U+FFFD in a token); a BOM is dropped.
  const text = decodeUtf8(bytes, path);
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    const { line, col } = lineCol(text, jsonErrorOffset(text));
    throw dataError('not valid JSON', `${path}:${line}:${col}`, undefined, err);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw dataError('must hold a JSON object', path);
  return obj as Record<string, any>;
}

/** A special token as tokenizer_config.json writes it: a string, null, or {"content": ..., ...} (AddedToken). */
function tokenContent(v: unknown, where: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  throw dataError(`a special token must be a string or {"content": "..."}, got ${JSON.stringify(v)}`, where);
}

/** transformers' LlamaTokenizerFast.update_post_processor: "<bos> $A <eos>" with the flags deciding each end. */
function templateProcessor(tokJson: Record<string, any>, bos: string | null, eos: string | null, addBos: boolean, addEos: boolean, where: string): object {
  const idIn = (t: string): number => {
    const added = (tokJson.added_tokens as { id: number; content: string }[] | undefined)?.find((a) => a.content === t);
    const id = added?.id ?? tokJson.model?.vocab?.[t];
    if (typeof id !== 'number') throw dataError(`special token ${JSON.stringify(t)} is not in the vocabulary`, where);
    return id;
  };
  const single: object[] = [];
  const pair: object[] = [];
  const specials: Record<string, { id: string; ids: number[]; tokens: string[] }> = {};
  const piece = (t: string, typeId: number) => ({ SpecialToken: { id: t, type_id: typeId } });
  if (addBos && bos === null) throw dataError('add_bos_token is true but bos_token is not set', where.replace(/tokenizer\.json$/, 'tokenizer_config.json'));
  if (addEos && eos === null) throw dataError('add_eos_token is true but eos_token is not set', where.replace(/tokenizer\.json$/, 'tokenizer_config.json'));
  for (const [seq, typeId] of [['A', 0], ['B', 1]] as const) {
    const out = seq === 'A' ? single : pair;
    if (seq === 'B') pair.push(...single);
    if (addBos) out.push(piece(bos!, typeId));
    out.push({ Sequence: { id: seq, type_id: typeId } });
    if (addEos) out.push(piece(eos!, typeId));
  }
  if (addBos) specials[bos!] = { id: bos!, ids: [idIn(bos!)], tokens: [bos!] };
  if (addEos) specials[eos!] = { id: eos!, ids: [idIn(eos!)], tokens: [eos!] };
  return { type: 'TemplateProcessing', single, pair, special_tokens: specials };
}

/** Chat templates: tokenizer_config.json "chat_template" (a string or [{name, template}]) or chat_template.jinja. */
function readChatTemplate(dir: string, config: Record<string, any>, cfgPath: string): Record<string, string> {
  const file = join(dir, 'chat_template.jinja');
  if (existsSync(file)) return { default: decodeUtf8(readFileSync(file), file) };
  const t = config.chat_template;
  if (t === undefined || t === null) return {};
  if (typeof t === 'string') return { default: t };
  if (Array.isArray(t)) {
    const out: Record<string, string> = {};
    t.forEach((e, i) => {
      if (!e || typeof e.name !== 'string' || typeof e.template !== 'string') throw dataError('each chat_template entry needs "name" and "template" strings', `${cfgPath}: chat_template[${i}]`);
      out[e.name] = e.template;
    });
    return out;
  }
  throw dataError('chat_template must be a string or a list of {name, template}', `${cfgPath}: chat_template`);
}

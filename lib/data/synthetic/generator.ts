/**
 * Seeded synthetic ad copy in AdvertiseGen's format (English and Chinese), so every experiment runs with no
 * data supplied. A record is a pure function of (options, t, index): its randomness comes from streams keyed
 * `${seed}|${t}|${index}|<concern>` (sha256-seeded), so turning one noise knob on changes only that noise.
 *
 * The target is written from the attributes (opener from type + style, one clause per attribute with the
 * value and its benefit phrase, an optional closer), with random template choice and clause order, so it is
 * learnable but not memorisable. Knobs: vocabulary (share of values used), templates (phrasings per slot),
 * noise (label, typo, garble, truncate, duplicate) and drift (newValues, style, mixedLanguage, sparse), each
 * noise/drift knob a KnobSchedule over t.
 */
import type { Rng } from '../../util/index.ts';
import { streamRng } from './streams.ts';
import type { Attribute } from '../types.ts';
import { CATEGORIES, KEY_NAMES, keyName, scaledValues, valuesOf, type Category, type KeyId, type Value } from './lexicon.ts';
import { clauseTemplates, fill, PHRASES, type Style } from './templates.ts';
import { knobAt, type KnobSchedule } from './schedule.ts';
import { addTypos, garble, truncate } from './noise.ts';

export interface AdNoise {
  /** Share of records whose copy describes 1-2 wrong attribute values (the prompt stays true). */
  label?: KnobSchedule;
  /** Share of records with typos (~4% of characters hit). */
  typo?: KnobSchedule;
  /** Share of records with a mojibake span. */
  garble?: KnobSchedule;
  /** Share of records whose copy is cut off mid-sentence. */
  truncate?: KnobSchedule;
  /** Share of records that repeat an earlier record (same t, lower index) verbatim. */
  duplicate?: KnobSchedule;
}

export interface AdDrift {
  /** Unlocks drift values/keys whose `since` <= this (0: none; 1: all new colours, materials, eco, craft...). */
  newValues?: KnobSchedule;
  /** Share of records in the 'social' phrasing style instead of 'plain' catalogue copy. */
  style?: KnobSchedule;
  /** Share of values (and half that share of clauses) written in the other language. */
  mixedLanguage?: KnobSchedule;
  /** Share of prompts cut to the type plus one attribute while the copy still describes all of them. */
  sparse?: KnobSchedule;
}

export interface AdGenOptions {
  seed: number | string;
  /** 'both' picks per record, half and half. Default 'zh'. */
  lang?: 'zh' | 'en' | 'both';
  /**
   * Vocabulary scale. Below 1: share of each attribute's base values in use (at least 2 stay). Above 1: adds
   * modifier compounds (浅蓝色 / light blue, 水洗牛仔布 / washed denim) for colour, material, pattern, style
   * and fit, up to 5x the colour values. Default 1.
   */
  vocabulary?: number;
  /** Phrasings per slot, 1-4. Default 4. */
  templates?: number;
  noise?: AdNoise;
  drift?: AdDrift;
}

export interface AdRecord {
  index: number;
  t: number;
  lang: 'zh' | 'en';
  /** AdvertiseGen prompt: `key#value*key#value`. */
  content: string;
  /** The ad copy (target). */
  summary: string;
  /** The attributes in `content`. */
  attributes: Attribute[];
  /** The attributes the copy actually describes (differs under label noise and sparse prompts). */
  described: Attribute[];
  category: Category['id'];
  style: Style;
  flags: { duplicateOf?: number; label: boolean; typo: boolean; garble: boolean; truncate: boolean; sparse: boolean; mixed: number };
}

interface Picked {
  key: KeyId;
  value: Value;
  /** Language the value is written in (differs from the record's under mixed-language drift). */
  surface: 'zh' | 'en';
}

const INCLUDE: Record<KeyId, number> = { type: 1, material: 0.7, colour: 0.6, style: 0.8, pattern: 0.6, fit: 0.5, length: 0.4, neckline: 0.4, sleeve: 0.4, detail: 0.45, eco: 0.5, craft: 0.5 };
const TYPO_RATE = 0.04;

/**
 * One record. Same (options, t, index) -> byte-identical record.
 *
 * @example
 * const r = generateAd({ seed: 1, lang: 'en' }, 0, 0);
 * r.content; // e.g. 'type#dress*material#linen*colour#navy*style#preppy'
 * r.summary; // e.g. 'Our preppy dress keeps things youthful and smart. The linen fabric is cool and airy, ...'
 */
export function generateAd(opts: AdGenOptions, t: number, index: number): AdRecord {
  const dup = knobAt(opts.noise?.duplicate, t, opts.seed, 'duplicate');
  const source = (i: number): number | undefined => {
    if (i === 0 || dup === 0) return undefined;
    const r = streamRng(`${opts.seed}|${t}|${i}|duplicate`);
    return r.next() < dup ? r.int(i) : undefined;
  };
  const first = source(index);
  if (first === undefined) return generateFresh(opts, t, index);
  // A duplicate copies record `first` as the stream shows it, so follow the chain to the original
  // (indices at least halve on average: short chains).
  let j = first;
  for (let up = source(j); up !== undefined; up = source(j)) j = up;
  const orig = generateFresh(opts, t, j);
  return { ...orig, index, flags: { ...orig.flags, duplicateOf: first } };
}

/** `count` records at time t, indices start..start+count-1. */
export function generateAds(opts: AdGenOptions, t: number, count: number, start = 0): AdRecord[] {
  return Array.from({ length: count }, (_, i) => generateAd(opts, t, start + i));
}

/** The values a key may take in a record (its category's, scaled by the vocabulary, plus unlocked drift values). */
type ValuePool = (key: Exclude<KeyId, 'type'>) => Value[];

function generateFresh(opts: AdGenOptions, t: number, index: number): AdRecord {
  const stream = (label: string) => streamRng(`${opts.seed}|${t}|${index}|${label}`);
  const knob = (s: KnobSchedule | undefined, name: string) => knobAt(s, t, opts.seed, name);
  const newValues = knob(opts.drift?.newValues, 'newValues');
  const mixed = knob(opts.drift?.mixedLanguage, 'mixedLanguage');
  const lang: 'zh' | 'en' = opts.lang === 'both' ? (stream('lang').next() < 0.5 ? 'zh' : 'en') : (opts.lang ?? 'zh');
  const other = lang === 'zh' ? 'en' : 'zh';
  const vocab = Math.max(0, opts.vocabulary ?? 1);
  const k = Math.min(4, Math.max(1, Math.round(opts.templates ?? 4)));

  // Attributes.
  const ar = stream('attributes');
  const mr = stream('mixed');
  const cat = ar.pick(CATEGORIES);
  const pool: ValuePool = (key) => {
    const all = valuesOf(key, cat);
    return [...scaledValues(key, all.filter((v) => v.since === 0), vocab), ...all.filter((v) => v.since > 0 && v.since <= newValues)];
  };
  const surface = (): 'zh' | 'en' => (mixed > 0 && mr.next() < mixed ? other : lang);
  const picked = pickAttributes(cat, pool, newValues, ar, surface);
  const typeAttr = { key: keyName('type', cat, lang), value: cat[lang] };
  const toAttr = (p: Picked): Attribute => ({ key: keyName(p.key, cat, lang), value: p.value[p.surface] });

  // Label noise: the copy describes 1-2 values that differ from the prompt's.
  const lr = stream('label');
  const label = lr.next() < knob(opts.noise?.label, 'label');
  const described = label ? mislabel(picked, pool, lr) : picked;

  // Sparse prompt: the prompt keeps the type and one attribute; the copy still covers everything.
  const sr = stream('sparse');
  const sparse = sr.next() < knob(opts.drift?.sparse, 'sparse') && picked.length > 1;
  const promptPicked = sparse ? [picked[sr.int(picked.length)]] : picked;

  const style: Style = stream('style').next() < knob(opts.drift?.style, 'style') ? 'social' : 'plain';
  const copy = withTextNoise(writeCopy(described, cat, lang, style, k, mixed, stream('text')), (name) => knob(opts.noise?.[name], name), stream);

  const attributes = [typeAttr, ...promptPicked.map(toAttr)];
  return {
    index,
    t,
    lang,
    content: attributes.map((a) => `${a.key}#${a.value}`).join('*'),
    summary: copy.summary,
    attributes,
    described: [typeAttr, ...described.map(toAttr)],
    category: cat.id,
    style,
    flags: { label, typo: copy.typo, garble: copy.garble, truncate: copy.truncate, sparse, mixed: picked.filter((p) => p.surface !== lang).length },
  };
}

/**
 * The record's attributes in its category's key order: each key (unlocked by `newValues`) with its inclusion
 * chance, a second style or pattern now and then, and at least material and colour when fewer than two came.
 */
function pickAttributes(cat: Category, pool: ValuePool, newValues: number, ar: Rng, surface: () => 'zh' | 'en'): Picked[] {
  const picked: Picked[] = [];
  for (const key of cat.keys) {
    const include = ar.next() < INCLUDE[key];
    if (KEY_NAMES[key].since > newValues || !include) continue;
    const vals = pool(key as Exclude<KeyId, 'type'>);
    const first = ar.pick(vals);
    picked.push({ key, value: first, surface: surface() });
    if ((key === 'style' || key === 'pattern') && ar.next() < 0.25) {
      const second = ar.pick(vals);
      if (second !== first) picked.push({ key, value: second, surface: surface() });
    }
  }
  if (picked.length < 2) {
    for (const key of ['material', 'colour'] as const) if (!picked.some((p) => p.key === key)) picked.push({ key, value: ar.pick(pool(key)), surface: surface() });
    const order = cat.keys as readonly string[];
    picked.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
  }
  return picked;
}

/** Label noise: 1-2 of the picked values swapped for other values of their key (what the copy then describes). */
function mislabel(picked: readonly Picked[], pool: ValuePool, lr: Rng): Picked[] {
  const described = picked.slice();
  const swaps = Math.min(described.length, 1 + lr.int(2));
  for (const i of lr.shuffle(described.map((_, i) => i)).slice(0, swaps)) {
    const alts = pool(described[i].key as Exclude<KeyId, 'type'>).filter((v) => v !== described[i].value);
    if (alts.length) described[i] = { ...described[i], value: lr.pick(alts) };
  }
  return described;
}

type TextNoise = 'typo' | 'garble' | 'truncate';

/** Typos, a mojibake span and a cut-off, each at its knob's rate from a stream of its own; which ones hit. */
function withTextNoise(summary: string, rate: (name: TextNoise) => number, stream: (label: string) => Rng): { summary: string } & Record<TextNoise, boolean> {
  const typo = stream('typo').next() < rate('typo');
  if (typo) summary = addTypos(summary, TYPO_RATE, stream('typo-apply'));
  const garbled = stream('garble').next() < rate('garble');
  if (garbled) summary = garble(summary, stream('garble-apply'));
  const truncated = stream('truncate').next() < rate('truncate');
  if (truncated) summary = truncate(summary, stream('truncate-apply'));
  return { summary, typo, garble: garbled, truncate: truncated };
}

/** Writes the copy: opener (type + first style), clauses (two per sentence), optional closer. */
function writeCopy(described: Picked[], cat: Category, lang: 'zh' | 'en', style: Style, k: number, mixed: number, r: Rng): string {
  const other = lang === 'zh' ? 'en' : 'zh';
  const ph = PHRASES[lang][style];
  const choose = (xs: readonly string[]) => xs[r.int(Math.min(k, xs.length))];
  const styleIdx = described.findIndex((p) => p.key === 'style');
  const noun = lang === 'zh' ? cat.zhNoun : cat.enNoun;
  const opener = styleIdx >= 0
    ? fill(choose(ph.opener), { t: noun, s: described[styleIdx].value[described[styleIdx].surface], sb: benefit(described[styleIdx].value, lang) })
    : fill(choose(ph.openerNoStyle), { t: noun });
  const rest = described.filter((_, i) => i !== styleIdx);
  // Mostly prompt order, with adjacent swaps: the model must learn content, not just position.
  for (let i = 0; i + 1 < rest.length; i++) if (r.next() < 0.3) [rest[i], rest[i + 1]] = [rest[i + 1], rest[i]];
  const clauses = rest.map((p) => {
    const cl = mixed > 0 && r.next() < mixed / 2 ? other : lang;
    const tpl = clauseTemplates(cl, style, p.key);
    return { lang: cl, text: fill(tpl[r.int(Math.min(k, tpl.length))], { v: p.value[cl === lang ? p.surface : cl], b: benefit(p.value, cl) }) };
  });
  const closer = r.next() < 0.7 ? choose(ph.closer) : '';
  const sentences: string[] = [lang === 'zh' ? `${opener}。` : `${capitalize(opener)}.`];
  for (let i = 0; i < clauses.length; i += 2) {
    const pair = clauses.slice(i, i + 2);
    sentences.push(lang === 'zh' ? pair.map((c) => c.text).join('，') + '。' : capitalize(pair.map((c) => c.text).join(', and ')) + '.');
  }
  if (closer) sentences.push(closer);
  return sentences.join(lang === 'zh' ? '' : ' ');
}

function benefit(v: Value, lang: 'zh' | 'en'): string {
  return lang === 'zh' ? v.zhB : v.enB;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The one example shape every loader and the synthetic generator produce. */

/** One `key#value` (AdvertiseGen) or `key[value]` (E2E) pair. Keys may repeat (AdvertiseGen has 风格#复古*风格#文艺). */
export interface Attribute {
  key: string;
  value: string;
}

/** A language tag: 'zh' (mostly CJK), 'en' (mostly Latin), 'mixed' (substantial amounts of both). */
export type Lang = 'zh' | 'en' | 'mixed';

export interface Example {
  /** Stable id: a content hash (same text -> same id in any file), made unique within one load by `~n`. */
  id: string;
  /** Prompt text as the dataset writes it (AdvertiseGen `content`, E2E `mr`, JSONL `prompt`). */
  source: string;
  /** Training target (the first reference). */
  target: string;
  /** Every reference for evaluation; `references[0] === target`. */
  references: string[];
  /** Structured input (empty for generic prompt/response data). */
  attributes: Attribute[];
  lang: Lang;
}

/**
 * Where chat models come from. A source lists what can be chatted with and loads one as a `ChatModel`
 * (a tokenizer-aware token stream). Runs of this results root are the built-in source (chat/run-model.ts);
 * another source — a Hugging Face model directory once real models land — registers itself with
 * `registerChatSource` and appears in the playground's picker without changes here.
 */
export interface ChatOptions {
  maxNew: number;
  temperature: number;
  topP: number;
  seed?: number;
}

export interface ChatModel {
  /** Text pieces as they are generated (each the text the newest token added). */
  stream(prompt: string, o: ChatOptions): AsyncGenerator<string>;
  dispose(): Promise<void>;
}

export interface ChatTarget {
  /** `<source>:<id>`, e.g. "run:finetune-tiny-ddf82711-s0". */
  ref: string;
  label: string;
  source: string;
}

export interface ChatSource {
  name: string;
  list(root: string): ChatTarget[];
  load(root: string, id: string): Promise<ChatModel>;
}

/**
 * A model's stream made one-generation-at-a-time: the decoder holds one key/value cache, so a second chat on the
 * same model waits for the first to finish (or be abandoned) before it starts.
 */
export function oneAtATime(stream: ChatModel['stream']): ChatModel['stream'] {
  let busy: Promise<void> = Promise.resolve();
  return async function* (prompt, o) {
    let release!: () => void;
    const before = busy;
    busy = new Promise<void>((r) => (release = r));
    await before;
    try {
      yield* stream(prompt, o);
    } finally {
      release();
    }
  };
}

/**
 * The text each new token adds: decode the whole answer and emit what it gained (byte-level tokens can complete
 * a character only together with the next one, which a trailing U+FFFD shows).
 */
export async function* textDeltas(tokens: AsyncIterable<number>, decode: (ids: number[]) => string): AsyncGenerator<string> {
  const out: number[] = [];
  let text = '';
  for await (const t of tokens) {
    out.push(t);
    const next = decode(out);
    if (next.length > text.length && !next.endsWith('\uFFFD')) {
      yield next.slice(text.length);
      text = next;
    }
  }
}

const sources = new Map<string, ChatSource>();

export function registerChatSource(s: ChatSource): void {
  sources.set(s.name, s);
}

export function chatSources(): ChatSource[] {
  return [...sources.values()];
}

export function chatSource(name: string): ChatSource | undefined {
  return sources.get(name);
}

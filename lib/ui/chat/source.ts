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

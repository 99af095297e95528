/** The chat playground's models: pluggable sources (runs built in), a small cache of loaded models. */
import { LedgerLabError } from '../../errors.ts';
import { chatSource, chatSources, registerChatSource, type ChatModel, type ChatTarget } from './source.ts';
import { runChatSource } from './run-model.ts';
import { dirChatSource } from './dir-model.ts';

registerChatSource(runChatSource);
registerChatSource(dirChatSource);

export { registerChatSource, chatSources } from './source.ts';
export type { ChatModel, ChatOptions, ChatSource, ChatTarget } from './source.ts';
export { loadRunModel } from './run-model.ts';
export { loadDirModel } from './dir-model.ts';

export function chatTargets(root: string): ChatTarget[] {
  return chatSources().flatMap((s) => s.list(root));
}

/** Loaded models by ref; the oldest is disposed beyond `max` (two side by side is the page's use). */
export class ChatModels {
  private readonly loaded = new Map<string, Promise<ChatModel>>();
  private readonly root: string;
  private readonly max: number;
  constructor(root: string, max = 3) {
    this.root = root;
    this.max = max;
  }

  get(ref: string): Promise<ChatModel> {
    const hit = this.loaded.get(ref);
    if (hit) {
      this.loaded.delete(ref);
      this.loaded.set(ref, hit);
      return hit;
    }
    const colon = ref.indexOf(':');
    const source = colon > 0 ? chatSource(ref.slice(0, colon)) : undefined;
    if (!source) throw new LedgerLabError({ kind: 'usage', problem: `unknown chat model "${ref}"`, where: 'model', hint: `known sources: ${chatSources().map((s) => s.name).join(', ')} (e.g. run:<run id>, dir:<checkpoint folder>[+<adapter folder>])` });
    const p = source.load(this.root, ref.slice(colon + 1));
    p.catch(() => this.loaded.delete(ref));
    this.loaded.set(ref, p);
    while (this.loaded.size > this.max) {
      const [oldest, m] = this.loaded.entries().next().value!;
      this.loaded.delete(oldest);
      void m.then((x) => x.dispose(), () => {});
    }
    return p;
  }

  async close(): Promise<void> {
    for (const p of this.loaded.values()) await p.then((m) => m.dispose(), () => {});
    this.loaded.clear();
  }
}

/**
 * Chat conversations rendered to the one (source, target) pair LedgerLab trains on: every turn but the last
 * assistant reply becomes the prompt, in a template's words; the last reply is the target (LLaMA-Factory's
 * `mask_history: true` — only the final answer is trained on).
 *
 * Named templates follow LLaMA-Factory's template registry (prefix with `{{system}}`, prompt with `{{query}}`
 * and `{{idx}}`, a separator between turns, a default system text), as text: ChatML's <|im_start|>/<|im_end|>
 * are written as text (a Qwen tokenizer matches them as its special tokens), ChatGLM's [gMASK] sop prefix is
 * left to the ChatGLM tokenizer that adds it, and no EOS is placed between turns. For a Hugging Face model use `tokenizer`, which renders the
 * model's own Jinja chat template (tokenizer_config.json `chat_template`) with @huggingface/jinja.
 *
 * @example
 * renderChat({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] }, namedTemplate('alpaca'))
 * // { source: 'Below is … request.\n\n### Instruction:\nHi\n\n### Response:\n', target: 'Hello' }
 */
import { Template } from '@huggingface/jinja';
import { LedgerLabError } from '../../errors.ts';

export type ChatRole = 'system' | 'user' | 'assistant';
export interface ChatMessage { role: ChatRole; content: string }
export interface Conversation { messages: ChatMessage[] }

/** Renders every message but the final assistant reply as the prompt text. */
export interface ChatRenderer {
  name: string;
  prompt(messages: readonly ChatMessage[]): string;
}

interface NamedTemplate { prefix: string; prompt: string; sep: string; system: string }

/** LLaMA-Factory's templates of the ChatGLM2 era (prefix / prompt / sep / default system), as text. */
export const CHAT_TEMPLATES: Record<string, NamedTemplate> = {
  empty: { prefix: '{{system}}', prompt: '{{query}}', sep: '', system: '' },
  default: {
    prefix: '{{system}}', prompt: 'Human: {{query}}\nAssistant: ', sep: '\n',
    system: "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions.",
  },
  alpaca: {
    prefix: '{{system}}', prompt: '### Instruction:\n{{query}}\n\n### Response:\n', sep: '\n\n',
    system: 'Below is an instruction that describes a task. Write a response that appropriately completes the request.',
  },
  chatglm2: { prefix: '{{system}}', prompt: '[Round {{idx}}]\n\n问：{{query}}\n\n答：', sep: '\n\n', system: '' },
  chatml: {
    prefix: '<|im_start|>system\n{{system}}<|im_end|>', prompt: '<|im_start|>user\n{{query}}<|im_end|>\n<|im_start|>assistant\n', sep: '\n',
    system: 'You are a helpful assistant.',
  },
};
export const TEMPLATE_NAMES = [...Object.keys(CHAT_TEMPLATES), 'tokenizer'] as const;

/** Turns into user/assistant pairs; a leading system message is separate. Validated by the loaders. */
function pairs(messages: readonly ChatMessage[]): { system?: string; turns: { query: string; response?: string }[] } {
  const system = messages[0]?.role === 'system' ? messages[0].content : undefined;
  const turns: { query: string; response?: string }[] = [];
  for (const m of messages.slice(system === undefined ? 0 : 1)) {
    if (m.role === 'user') turns.push({ query: m.content });
    else if (m.role === 'assistant' && turns.length) turns[turns.length - 1].response = m.content;
  }
  return { system, turns };
}

export function namedTemplate(name: string): ChatRenderer {
  const t = CHAT_TEMPLATES[name];
  if (!t) throw new LedgerLabError({ kind: 'config', problem: `unknown chat template "${name}"`, where: 'data.template', hint: `use one of ${TEMPLATE_NAMES.join(', ')}` });
  return {
    name,
    prompt(messages) {
      const { system, turns } = pairs(messages);
      const prefix = t.prefix.replace('{{system}}', system ?? t.system);
      let text = prefix ? prefix + t.sep : '';
      turns.forEach((turn, i) => {
        if (i > 0) text += t.sep;
        text += t.prompt.replace('{{idx}}', String(i + 1)).replace('{{query}}', turn.query);
        if (i < turns.length - 1) text += turn.response ?? '';
      });
      return text;
    },
  };
}

/** A model's Jinja chat template (tokenizer_config.json `chat_template`), rendered with a generation prompt. */
export function jinjaTemplate(source: string, specials: { bos_token?: string; eos_token?: string } = {}, name = 'tokenizer'): ChatRenderer {
  let template: Template;
  try {
    template = new Template(source);
  } catch (err) {
    throw new LedgerLabError({ kind: 'config', problem: `the chat template does not parse: ${(err as Error).message}`, where: 'chat_template', cause: err });
  }
  return {
    name,
    prompt: (messages) => template.render({ messages, add_generation_prompt: true, bos_token: specials.bos_token ?? '', eos_token: specials.eos_token ?? '' }),
  };
}

/** Prompt = everything before the final assistant reply, rendered; target = that reply. */
export function renderChat(c: Conversation, renderer: ChatRenderer): { source: string; target: string } {
  const last = c.messages[c.messages.length - 1];
  if (!last || last.role !== 'assistant') throw new LedgerLabError({ kind: 'data', problem: 'renderChat: the conversation must end with an assistant message', hint: 'the last assistant reply is the training target' });
  return { source: renderer.prompt(c.messages.slice(0, -1)), target: last.content };
}

/**
 * Hugging Face Trainer / LLaMA-Factory names for the training options (`per_device_train_batch_size`,
 * `gradient_accumulation_steps`, `learning_rate`, `cutoff_len`, …), rewritten to TrainSchema's names before
 * validation, so the run record holds one canonical form.
 */
import { alias, type AliasRule } from '../config/index.ts';

const HF = 'Hugging Face Trainer', LF = 'LLaMA-Factory';
const SCHEDULES: Record<string, string> = { cosine: 'cosine', linear: 'linear', constant: 'constant', constant_with_warmup: 'constant' };

export const TRAIN_ALIASES: readonly AliasRule[] = [
  alias('max_steps', 'steps', HF),
  alias('per_device_train_batch_size', 'batchSize', HF),
  alias('gradient_accumulation_steps', 'gradAccum', HF),
  alias('learning_rate', 'lr', HF),
  alias('weight_decay', 'weightDecay', HF),
  alias('warmup_steps', 'warmupSteps', HF),
  alias('max_grad_norm', 'clipNorm', HF),
  alias('adam_epsilon', 'eps', HF),
  alias('logging_steps', 'logEvery', HF),
  alias('save_steps', 'checkpointEvery', HF),
  alias('eval_steps', 'evalEvery', HF),
  alias('group_by_length', 'groupByLength', HF),
  alias('gradient_checkpointing', 'checkpoint', HF),
  {
    from: ['lr_scheduler_type'], to: ['schedule'], source: HF,
    map: (a) => {
      const v = SCHEDULES[String(a.lr_scheduler_type)];
      return v ? { schedule: v } : { problem: `expected one of ${Object.keys(SCHEDULES).join(' | ')}, got ${JSON.stringify(a.lr_scheduler_type)}` };
    },
  },
  {
    // Trainer's two scalars are AdamW's betas pair; a missing one keeps torch's default.
    from: ['adam_beta1', 'adam_beta2'], to: ['betas'], source: HF,
    map: (a) => ({ betas: [a.adam_beta1 ?? 0.9, a.adam_beta2 ?? 0.999] }),
  },
  {
    // LLaMA-Factory's cutoff_len bounds prompt + response together; LedgerLab budgets them separately, so the
    // total is split in the ratio of the given (or default 64:64) maxSource:maxTarget, which it replaces.
    from: ['cutoff_len'], to: [], source: LF,
    map: (a, given) => {
      const n = a.cutoff_len;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 3) return { problem: `expected an integer ≥ 3, got ${JSON.stringify(n)}` };
      const s = typeof given.maxSource === 'number' ? given.maxSource : 64;
      const t = typeof given.maxTarget === 'number' ? given.maxTarget : 64;
      const maxSource = Math.max(2, Math.round((n * s) / (s + t)));
      return { maxSource, maxTarget: n - maxSource };
    },
  },
];

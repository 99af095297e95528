/** finetune/: the `finetune` kind — the plain path from data to a scored adapter, one run per seed. */
export { finetuneKind, FinetuneSchema } from './kind.ts';
export type { FinetuneConfig } from './kind.ts';

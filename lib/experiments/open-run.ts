/**
 * A finished fine-tuning run as a model: its base (the LedgerLab pretrained base or the Hugging Face
 * directory it started from) rebuilt with the run's method and storage, and its trained adapter
 * (`adapter.safetensors`, written by the finetune kind) put back. What `ledgerlab generate --model RUN` opens.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import { openModel, type OpenedModel } from '../infer/index.ts';
import { buildModel, loadAdapterInto, readAdapter } from '../peft/index.ts';
import { readRunRecord } from '../results/index.ts';

export function isRunDir(dir: string): boolean {
  return existsSync(join(dir, 'run.json'));
}

export async function openRun(dir: string): Promise<OpenedModel> {
  const rec = readRunRecord(dir);
  if (rec.status !== 'finished') throw new LedgerLabError({ kind: 'usage', problem: `run ${rec.runId ?? dir} is ${rec.status}, not finished`, where: dir, hint: 'finish it with ledgerlab run --resume' });
  const path = join(dir, 'adapter.safetensors');
  if (!existsSync(path)) throw new LedgerLabError({ kind: 'usage', problem: 'the run has no adapter.safetensors (only finetune runs of PEFT methods save one)', where: dir });
  const { info, tensors } = readAdapter(path);
  if (!existsSync(info.base.path)) throw new LedgerLabError({ kind: 'io', problem: `the run's base ${info.base.path} is gone`, where: path, hint: info.base.kind === 'ledgerlab-base' ? 'rerun the experiment to pretrain the base again (it is cached under .cache/base)' : 'restore the checkpoint directory' });
  // The base's weights and tokenizer, then the method rebuilt around them.
  const base = openModel(info.base.path);
  const weights = await base.model.exportWeights();
  base.model.dispose();
  const model = await buildModel(info.model, weights, info.method, info.quant as never, info.seed);
  loadAdapterInto(model, tensors, path);
  return { ...base, model };
}

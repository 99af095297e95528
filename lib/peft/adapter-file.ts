/**
 * A trained method's own tensors (LoRA A/B, a P-Tuning prefix, a prompt encoder; everything in
 * `model.trainable` except a full fine-tune's base) in one safetensors file, with what is needed to rebuild
 * the model around them in its `__metadata__`: the method spec, the base's storage dtype, the model config
 * and where the base lives. `ledgerlab generate --model RUN` reads it back.
 */
import * as tf from '@tensorflow/tfjs';
import { LedgerLabError } from '../errors.ts';
import {
  type Gpt, type GptConfig, readSafetensors, serializeSafetensors, tensorFromArray, toTypedArray, type SafeTensor,
} from '../model/index.ts';
import type { MethodSpec } from './method.ts';

export const ADAPTER_FORMAT = 'ledgerlab-adapter';

export interface AdapterInfo {
  method: MethodSpec;
  quant: string;
  model: GptConfig;
  /** The base: a LedgerLab pretrained-base folder, or a Hugging Face directory. */
  base: { kind: 'ledgerlab-base' | 'hf'; path: string };
  seed: number | string;
}

/** Serialized adapter bytes (tensors are the model's trainable ones, by neutral name). */
export async function adapterBytes(model: Gpt, info: AdapterInfo): Promise<Uint8Array> {
  const tensors = new Map<string, SafeTensor>();
  for (const [name, v] of model.trainable) tensors.set(name, tensorFromArray('F32', [...v.shape], (await v.data()) as Float32Array));
  return serializeSafetensors(tensors, { format: ADAPTER_FORMAT, info: JSON.stringify(info) });
}

export function readAdapter(path: string): { info: AdapterInfo; tensors: Map<string, Float32Array> } {
  const { tensors, metadata } = readSafetensors(path);
  if (metadata.format !== ADAPTER_FORMAT || !metadata.info) throw new LedgerLabError({ kind: 'data', problem: `not a LedgerLab adapter file (metadata format ${JSON.stringify(metadata.format)})`, where: path });
  const info = JSON.parse(metadata.info) as AdapterInfo;
  return { info, tensors: new Map([...tensors].map(([k, t]) => [k, toTypedArray(t) as Float32Array])) };
}

/** Puts saved adapter values into a freshly built model with the same method (shapes checked). */
export function loadAdapterInto(model: Gpt, tensors: Map<string, Float32Array>, where: string): void {
  for (const [name, v] of model.trainable) {
    const t = tensors.get(name);
    if (!t) throw new LedgerLabError({ kind: 'data', problem: `adapter tensor "${name}" is missing`, where });
    if (t.length !== v.size) throw new LedgerLabError({ kind: 'data', problem: `adapter tensor "${name}" has ${t.length} values, the model needs ${v.size}`, where });
    tf.tidy(() => v.assign(tf.tensor(t, v.shape)));
  }
  for (const name of tensors.keys()) if (!model.trainable.has(name)) throw new LedgerLabError({ kind: 'data', problem: `adapter tensor "${name}" has no place in the model`, where });
}

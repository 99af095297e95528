/**
 * Input-side soft prompts: P virtual token embeddings placed before the real tokens.
 *  - prompt tuning (Lester et al. 2021): the P embeddings themselves are trainable, initialised from the
 *    embeddings of P random vocabulary tokens (PEFT's RANDOM init samples the embedding matrix too);
 *  - P-Tuning v1 (Liu et al. 2021): the embeddings come out of a prompt encoder — an MLP
 *    (Linear·ReLU·Linear·ReLU·Linear, PEFT's MLP encoder) or a bidirectional LSTM followed by
 *    Linear·ReLU·Linear (PEFT's LSTM encoder, here one LSTM layer).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/index.ts';
import type { Gpt } from '../model/index.ts';

/** The method's config options (lib/peft/method.ts, same names) and the adapter's seed. */
export interface PromptTuningOptions {
  promptLength: number;
  seed: number | string;
}

export async function applyPromptTuning(model: Gpt, o: PromptTuningOptions): Promise<void> {
  const rng = new Rng(o.seed);
  const ids = Array.from({ length: o.promptLength }, () => rng.int(model.config.vocab));
  const prompt = model.addTrainable('prompt.embedding', tf.tidy(() => model.tokenEmbeddings(tf.tensor1d(ids, 'int32'))));
  model.extras = () => ({ prompt: tf.expandDims(prompt, 0) as tf.Tensor3D });
}

/** The method's config options (lib/peft/method.ts, same names) and the adapter's seed. */
export interface PTuningV1Options {
  promptLength: number;
  encoder: 'mlp' | 'lstm';
  encoderHidden: number;
  seed: number | string;
}

const uniform = (rng: Rng, shape: number[], fanIn: number) =>
  tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (2 * rng.next() - 1) / Math.sqrt(fanIn)), shape);

export function applyPTuningV1(model: Gpt, o: PTuningV1Options): void {
  const d = model.config.dModel;
  const h = o.encoderHidden;
  const rng = new Rng(o.seed);
  const add = (name: string, shape: number[], fanIn: number) => model.addTrainable(`prompt.${name}`, uniform(rng.fork(name), shape, fanIn));
  const emb = model.addTrainable('prompt.embedding', tf.tensor2d(Float32Array.from({ length: o.promptLength * d }, () => rng.normal()), [o.promptLength, d]));
  let encode: () => tf.Tensor2D;
  if (o.encoder === 'mlp') {
    const w = [add('mlp.0.weight', [d, h], d), add('mlp.2.weight', [h, h], h), add('mlp.4.weight', [h, d], h)];
    const b = [add('mlp.0.bias', [h], d), add('mlp.2.bias', [h], h), add('mlp.4.bias', [d], h)];
    encode = () => {
      let x: tf.Tensor2D = emb as tf.Tensor as tf.Tensor2D;
      for (let i = 0; i < 3; i++) {
        x = tf.add(tf.matMul(x, w[i]), b[i]) as tf.Tensor2D;
        if (i < 2) x = tf.relu(x);
      }
      return x;
    };
  } else {
    // One bidirectional LSTM layer with hidden size h per direction, then Linear(2h, 2h)·ReLU·Linear(2h, d).
    const dir = (tag: string) => ({ wx: add(`lstm.${tag}.wx`, [d, 4 * h], h), wh: add(`lstm.${tag}.wh`, [h, 4 * h], h), b: add(`lstm.${tag}.b`, [4 * h], h) });
    const fwd = dir('fwd');
    const bwd = dir('bwd');
    const m1 = add('mlp.0.weight', [2 * h, 2 * h], 2 * h), c1 = add('mlp.0.bias', [2 * h], 2 * h);
    const m2 = add('mlp.2.weight', [2 * h, d], 2 * h), c2 = add('mlp.2.bias', [d], 2 * h);
    const run = (p: { wx: tf.Variable; wh: tf.Variable; b: tf.Variable }, order: number[]) => {
      let hPrev = tf.zeros([1, h]) as tf.Tensor2D;
      let cPrev = tf.zeros([1, h]) as tf.Tensor2D;
      const xw = tf.add(tf.matMul(emb, p.wx), p.b) as tf.Tensor2D;
      const outs: tf.Tensor2D[] = new Array(order.length);
      for (const t of order) {
        const z = tf.add(tf.slice(xw, [t, 0], [1, -1]), tf.matMul(hPrev, p.wh));
        const [i, f, g, oo] = tf.split(z, 4, 1);
        cPrev = tf.add(tf.mul(tf.sigmoid(f), cPrev), tf.mul(tf.sigmoid(i), tf.tanh(g))) as tf.Tensor2D;
        hPrev = tf.mul(tf.sigmoid(oo), tf.tanh(cPrev)) as tf.Tensor2D;
        outs[t] = hPrev;
      }
      return tf.concat(outs, 0) as tf.Tensor2D;
    };
    const steps = Array.from({ length: o.promptLength }, (_, t) => t);
    encode = () => {
      const both = tf.concat([run(fwd, steps), run(bwd, [...steps].reverse())], 1);
      return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(both, m1), c1)), m2), c2) as tf.Tensor2D;
    };
  }
  model.extras = () => ({ prompt: tf.expandDims(encode(), 0) as tf.Tensor3D });
}

/** Closed forms of the trainable parameter counts. */
export function promptParamCount(d: number, o: { method: 'prompt-tuning' } & Pick<PromptTuningOptions, 'promptLength'> | { method: 'ptuning-v1' } & Pick<PTuningV1Options, 'promptLength' | 'encoder' | 'encoderHidden'>): number {
  if (o.method === 'prompt-tuning') return o.promptLength * d;
  const h = o.encoderHidden;
  if (o.encoder === 'mlp') return o.promptLength * d + (d * h + h) + (h * h + h) + (h * d + d);
  return o.promptLength * d + 2 * (d * 4 * h + h * 4 * h + 4 * h) + (2 * h * 2 * h + 2 * h) + (2 * h * d + d);
}

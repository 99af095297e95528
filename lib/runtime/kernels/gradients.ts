/**
 * Two of tfjs' gradients rewritten with the same arithmetic and fewer, cheaper kernels (gradients are
 * registered per kernel name, for every backend).
 *
 * - Mean: tfjs builds `ones(x.shape)` as a JS array and uploads it (every LayerNorm/RMSNorm mean, twice per
 *   norm), then computes (dy·1)/n. Here dy/n is broadcast with Tile: the same values, bitwise (x·1 = x).
 * - Tile repeated along the leading axis only (P-Tuning v2's prefix and prompt tuning's prompt expanded to
 *   the batch): tfjs adds one slice per repetition to a zero tensor (16 slices and adds at batch 16). Here
 *   it is one Sum over the repetitions, which adds the same slices in the same order (on wasm bitwise, by
 *   ./copy-kernels.ts's leading-axis Sum). Other repetitions keep tfjs' gradient.
 */
import * as tf from '@tensorflow/tfjs';

type GradConfig = Parameters<typeof tf.registerGradient>[0];

const meanGrad: GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x!.shape);
    const n = tf.util.sizeFromShape(tf.backend_util.computeOutAndReduceShapes(x!.shape, axes)[1]);
    const expanded = x!.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const reps = x!.shape.map((d, i) => (axes.includes(i) ? d : 1));
    return { x: () => tf.tile(tf.div(tf.reshape(dy as tf.Tensor, expanded), n), reps) };
  },
};

function leadingTileGrad(original: GradConfig): GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as tf.Tensor[];
      const reps = (attrs as { reps: number[] }).reps;
      if (!reps.slice(1).every((r) => r === 1)) return original.gradFunc(dy, saved, attrs);
      return { x: () => tf.sum(tf.reshape(dy as tf.Tensor, [reps[0]!, ...x!.shape]), 0) };
    },
  };
}

let originals: GradConfig[] | undefined;

/** Registers the two gradients (idempotent); `restore` puts tfjs' back. */
export function installGradientFixes(): void {
  if (originals) return;
  const tile = tf.getGradient('Tile') as GradConfig | undefined;
  const mean = tf.getGradient('Mean') as GradConfig | undefined;
  if (!tile || !mean) return;
  originals = [tile, mean];
  tf.registerGradient(leadingTileGrad(tile));
  tf.registerGradient(meanGrad);
}

export function removeGradientFixes(): void {
  if (!originals) return;
  for (const g of originals) tf.registerGradient(g);
  originals = undefined;
}

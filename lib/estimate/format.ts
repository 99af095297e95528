/** The readable form of an estimate (what `ledgerlab estimate` prints without --json). */
import type { Interval } from '../measure/index.ts';
import type { TrainingEstimate, MethodEstimate } from './estimate.ts';

const GB = (b: number) => `${(b / 1e9).toFixed(2)} GB`;
const n = (x: number) => Math.round(x).toLocaleString('en-US');
const sig = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
const iv = (i: Interval, unit = '') => `${sig(i.mean)}${unit} [${sig(i.lo)}, ${sig(i.hi)}]`;

function methodBlock(m: MethodEstimate, e: TrainingEstimate): string[] {
  const mem = m.memory;
  const byDtype = Object.entries(mem.weightsByDtype).map(([k, v]) => `${k} ${GB(v)}`).join(' + ');
  return [
    `${m.method}${m.method !== m.peftMethod ? ` (PEFT ${m.peftMethod})` : ''} on ${m.storage} weights, ${m.compute} compute`,
    `  ${m.peftLine}`,
    '  memory',
    `    weights       ${GB(mem.weights).padStart(10)}   ${byDtype}`,
    `    trainable     ${GB(mem.trainable).padStart(10)}   fp32`,
    `    gradients     ${GB(mem.gradients).padStart(10)}   fp32`,
    `    optimizer     ${GB(mem.optimizer).padStart(10)}   AdamW m, v (fp32)`,
    `    activations   ${GB(mem.activations).padStart(10)}   ${e.batch.checkpoint ? 'checkpointed' : 'no checkpointing'}`,
    ...(mem.headCopy ? [`    head copy     ${GB(mem.headCopy).padStart(10)}   the frozen tied head, transposed (LedgerLab's engine)`] : []),
    `    overhead      ${GB(mem.overhead).padStart(10)}   framework (device preset)`,
    `    total         ${GB(mem.total).padStart(10)}   of ${GB(mem.device)}: ${mem.fits ? 'fits' : `DOES NOT FIT (short ${GB(-mem.headroom)})`}`,
    ...(mem.withEvaluation !== mem.total ? [`    + evaluation  ${GB(mem.withEvaluation).padStart(10)}   the run's peak with ONNX Runtime's fp32 copy for evaluation`] : []),
    `  step          ${iv(m.step.seconds, ' s')}   (efficiency ${m.step.efficiency.lo}–${m.step.efficiency.hi})`,
    `  samples/s     ${iv(m.step.samplesPerSecond)}   tokens/s ${iv(m.step.tokensPerSecond)}`,
  ];
}

export function formatEstimate(e: TrainingEstimate): string {
  const m = e.model;
  const b = e.batch;
  const lines = [
    `model   ${m.family}: ${m.layers} layers, hidden ${m.hidden}, ${m.heads} heads (${m.kvHeads} kv, head ${m.headDim}), ffn ${m.ffn}, vocab ${m.vocab}, ${m.tiedHead ? 'tied' : 'untied'} head; ${n(m.params)} parameters`,
    `batch   ${b.batchSize} × ${b.paddedLength} positions (${n(b.realTokens)} real tokens${b.virtualTokens ? `, + ${b.virtualTokens} virtual` : ''})${b.measured ? `; measured: ${b.measured.examples} examples, mean ${b.measured.meanLength.toFixed(1)} tokens, max ${b.measured.maxLength}, padding ${b.measured.padding}` : ''}`,
    `device  ${e.device.label} (${e.device.name})`,
    '',
    ...e.methods.flatMap((x, i) => [...(i ? [''] : []), ...methodBlock(x, e)]),
  ];
  if (e.ratio) lines.push('', `ratio   ${e.methods[0].method} / ${e.methods[1].method} samples/s: ${iv(e.ratio, '×')}`);
  return lines.join('\n');
}

/**
 * The `drift` experiment kind: continual adaptation on data that drifts and degrades. One run per
 * (scenario, seed):
 *   1. a shared tiny base pretrained on clean synthetic ad copy (cached by config hash, BASE_CACHE), a
 *      character tokenizer whose corpus already covers every drifted value and language;
 *   2. for every cycle, for every method (LoRA, QLoRA, P-Tuning v2): train `stepsPerCycle` steps on the
 *      cycle's newest window (plus a replay share of earlier windows), continuing from that method's adapter
 *      of the previous cycle — each cycle a fresh short job, as a nightly retrain is: optimizer moments are
 *      not carried over; then generate on the fixed clean held-out set and on unseen records of the current
 *      window and score them (Chinese ROUGE-1/2/L, BLEU-4 with bootstrap intervals, regressions vs cycle 0,
 *      hallucinated attribute values, output length);
 *   3. one metrics.jsonl line per (cycle, method) as it goes, per-example predictions under
 *      predictions/<method>/cycle-NNNN.jsonl, and after every cycle one atomic checkpoint of every method's
 *      adapter, so a run of hundreds of cycles killed at any moment resumes where it was and produces the same
 *      per-cycle metrics as an uninterrupted one (timing fields aside);
 *   4. the summary: per method, first/last/worst held-out scores and where the change detectors fire.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ExperimentKind } from '../kind.ts';
import { ADVERTISEGEN_SAMPLE } from '../task.ts';
import { BASE_CACHE, isHfRef, type CheckpointRecord } from '../base.ts';
import { DriftSchema, type DriftConfig, type DriftMethod } from './config.ts';
import { scenarioWindow, heldOutSet, severityAt, generatorOptions, type Scenario } from './scenarios.ts';
import { hallucinatedValues, charLength } from './measures.ts';
import type { Interval } from '../../measure/index.ts';
import { cusumDetect, bootstrapDetect, type ChangeDetection } from './detect.ts';
import { pretrainBase, domainTexts, trainConfig, trainLoop, evaluate } from '../../train/index.ts';
import { ZH_KEYS, diversityScores, type DiversityScores, bootstrapCI, bootstrapIndices } from '../../metrics/index.ts';
import { scorePredictions } from '../quality.ts';
import { buildModel } from '../../peft/index.ts';
import {
  type Gpt, readSafetensors, tensorFromArray, toTypedArray, writeSafetensors, type SafeTensor, type GptConfig,
  loadPretrained, materialize, checkpointDigests,
} from '../../model/index.ts';
import { initBackend } from '../../runtime/index.ts';
import {
  CharTokenizer, type Tokenizer, encodeExamples, loadDataset, generateAds, adRecordToExample, type Example,
  hfTaskTokenizer,
} from '../../data/index.ts';
import { Rng, sha256, sha256Json, writeFileAtomic, truncateJsonl, readJsonl } from '../../util/index.ts';
import { LedgerLabError } from '../../errors.ts';
import type { Run } from '../../results/index.ts';


export const DRIFT_CHECKPOINT = 'drift-checkpoint.safetensors';
export const DRIFT_CHECKPOINT_FORMAT = 'ledgerlab-drift-checkpoint';

/** Per-example record of one cycle on the held-out set (the predictions artefact's lines). */
export interface DriftItem {
  id: string;
  source: string;
  prediction: string;
  reference: string;
  'rouge-1': number;
  'rouge-2': number;
  'rouge-l': number;
  'bleu-4': number;
  hallucinated: string[];
  length: number;
  refLength: number;
}

/** One metrics.jsonl line: a method after a cycle. */
export interface CycleLine {
  phase: 'cycle';
  cycle: number;
  method: string;
  scenario: string;
  severity: number;
  trainLoss: number;
  /** Teacher-forced loss on the held-out and window examples together. */
  evalLoss: number;
  heldOut: Record<string, Interval>;
  /** distinct-1/2 and repetition of the held-out predictions (absent in runs from before they existed). */
  diversity?: DiversityScores;
  window: Record<string, Interval>;
  /** Held-out examples whose watched metric fell / rose by more than eval.regression vs cycle 0. */
  regressions: number;
  improvements: number;
  /** Share of held-out outputs naming at least one value absent from the prompt, and values per output. */
  hallucination: { rate: number; perOutput: number };
  length: { mean: number; reference: number; ratio: number };
  seconds: number;
}

export const predictionsPath = (dir: string, method: string, cycle: number) => join(dir, 'predictions', method, `cycle-${String(cycle).padStart(4, '0')}.jsonl`);

/** Tokenizer corpus: clean text plus every drift the scenarios can produce, so no drifted value is <unk>. */
function tokenizerCorpus(pool: readonly Example[]): string[] {
  const texts: string[] = [];
  const wide = generateAds({ seed: 'drift-vocab', lang: 'both', drift: { newValues: 1, style: 0.5, mixedLanguage: 0.5 }, noise: { garble: 0.3, typo: 0.3 } }, 0, 800);
  for (const r of wide) texts.push(r.content, r.summary);
  for (const e of pool) texts.push(e.source, e.target);
  return texts;
}

export interface DriftSetup {
  tokenizer: Tokenizer;
  base: { key: string; reused: boolean; finalLoss: number; weights: Awaited<ReturnType<typeof pretrainBase>>['weights']; checkpoint?: CheckpointRecord };
  model: GptConfig;
  heldOut: Example[];
  pool: Example[];
}

/** Base, tokenizer and held-out set: shared by every scenario and seed with the same model/pretrain config. */
export async function prepareDrift(c: DriftConfig, verbose = false): Promise<DriftSetup> {
  await initBackend();
  let pool: Example[] = [];
  if (c.scenario.source === 'advertisegen') {
    if (!existsSync(ADVERTISEGEN_SAMPLE)) throw new LedgerLabError({ kind: 'io', problem: `AdvertiseGen sample not found: ${ADVERTISEGEN_SAMPLE}`, where: 'scenario.source', hint: "use scenario.source 'synthetic'" });
    pool = await loadDataset(ADVERTISEGEN_SAMPLE, 'advertisegen');
  }
  // The base learns the clean production language; it never sees a drifted window.
  const clean = generateAds({ seed: 'drift-base', lang: 'zh' }, 0, 1200).map((r) => adRecordToExample(r, 'drift-base'));
  const baseTexts = domainTexts(pool.length ? pool.slice(0, Math.max(0, pool.length - c.eval.heldOut)) : clean);
  const heldOutEarly = () => heldOutSet('task', c.eval.heldOut, pool, c.scenario.source);
  const rest = pool.length ? pool.slice(0, pool.length - c.eval.heldOut) : [];
  if (isHfRef(c.model)) {
    // A brought checkpoint is the base as it is: its own tokenizer, no pretraining on clean copy.
    const p = loadPretrained(c.model.path);
    const files = checkpointDigests(p).map((d) => ({ ...d, file: basename(d.file) }));
    const checkpoint: CheckpointRecord = { from: 'hf', path: c.model.path, modelType: p.modelType, files };
    const tok = hfTaskTokenizer(c.model.path, p.config.vocab);
    return { tokenizer: tok, base: { key: sha256(JSON.stringify(files)), reused: true, finalLoss: Number.NaN, weights: materialize(p.weights), checkpoint }, model: p.config, heldOut: heldOutEarly(), pool: rest };
  }
  const tokenizer = CharTokenizer.train([...baseTexts, ...tokenizerCorpus(pool)], { vocabSize: c.model.vocab });
  const model: GptConfig = { ...c.model, vocab: tokenizer.vocabSize };
  const pt = await pretrainBase({
    model, tokenizer, texts: baseTexts, seed: c.pretrain.seed, cacheRoot: BASE_CACHE, blockSize: Math.min(c.pretrain.blockSize, model.context), quiet: !verbose,
    train: trainConfig({ steps: c.pretrain.steps, batchSize: c.pretrain.batchSize, lr: c.pretrain.lr, warmupSteps: c.pretrain.warmupSteps, schedule: 'cosine', logEvery: 25 }),
  });
  const heldOut = heldOutSet('task', c.eval.heldOut, pool, c.scenario.source);
  return { tokenizer, base: { key: pt.key, reused: pt.reused, finalLoss: pt.meta.finalLoss, weights: pt.weights }, model, heldOut, pool: pool.length ? pool.slice(0, pool.length - c.eval.heldOut) : [] };
}

/** Training set of a cycle: the newest window plus a replay share drawn from earlier windows (pure). */
export function cycleTrainSet(c: DriftConfig, seed: number, cycle: number, pool: readonly Example[]): Example[] {
  const sc = c.scenario;
  const replay = cycle === 0 ? 0 : Math.round(c.window * c.replay);
  const fresh = scenarioWindow(sc, seed, cycle, c.window - replay, 0, pool);
  const r = new Rng(`${seed}|replay|${cycle}`);
  const old = Array.from({ length: replay }, () => scenarioWindow(sc, seed, r.int(cycle), 1, r.int(c.window), pool)[0]!);
  return [...fresh, ...old];
}

/** The quality path's scores (../quality.ts, Chinese) per item, with drift's own measures beside them. */
function scoreItems(preds: { id: string; source: string; prediction: string; references: string[] }[]): DriftItem[] {
  return scorePredictions(preds, 'zh').items.map((p) => ({
    id: p.id, source: p.source, prediction: p.prediction, reference: p.references[0]!,
    ...Object.fromEntries(ZH_KEYS.map((k) => [k, p[k]!])) as Record<(typeof ZH_KEYS)[number], number>,
    hallucinated: hallucinatedValues(p.prediction, p.source),
    length: charLength(p.prediction), refLength: charLength(p.references[0]!),
  }));
}

function intervals(items: readonly DriftItem[], resamples: number, seed: string): Record<string, Interval> {
  if (items.length === 0) return {};
  // One set of resamples for every metric, so their intervals describe the same replicates.
  const idx = bootstrapIndices(items.length, resamples, seed);
  return Object.fromEntries(ZH_KEYS.map((k) => {
    const ci = bootstrapCI(items.map((it) => it[k]), {}, idx);
    return [k, { mean: ci.mean, lo: ci.lo, hi: ci.hi }];
  }));
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Identifies what a checkpoint belongs to: resuming with another config or seed is an error, not a mix. */
function fingerprint(c: DriftConfig, seed: number, baseKey: string): string {
  return sha256Json({ config: c, seed, baseKey });
}

async function saveDriftCheckpoint(path: string, models: Map<string, Gpt>, state: { cycles: number; fingerprint: string }): Promise<void> {
  const tensors = new Map<string, SafeTensor>();
  for (const [method, m] of models) {
    for (const [name, v] of m.trainable) tensors.set(`${method}/${name}`, tensorFromArray('F32', [...v.shape], (await v.data()) as Float32Array));
  }
  writeSafetensors(path, tensors, { format: DRIFT_CHECKPOINT_FORMAT, state: JSON.stringify(state) });
}

function loadDriftCheckpoint(path: string, models: Map<string, Gpt>, fp: string): number {
  const { tensors, metadata } = readSafetensors(path);
  if (metadata.format !== DRIFT_CHECKPOINT_FORMAT) throw new LedgerLabError({ kind: 'data', problem: `not a drift checkpoint (format ${JSON.stringify(metadata.format)})`, where: `${path}: __metadata__.format` });
  const state = JSON.parse(metadata.state!) as { cycles: number; fingerprint: string };
  if (state.fingerprint !== fp) throw new LedgerLabError({ kind: 'config', problem: 'the checkpoint was written with a different config, seed or base', where: path, hint: 'resume with the config and seed recorded in run.json' });
  for (const [method, m] of models) {
    for (const [name, v] of m.trainable) {
      const t = tensors.get(`${method}/${name}`);
      if (!t) throw new LedgerLabError({ kind: 'data', problem: `checkpoint lacks tensor "${method}/${name}"`, where: path });
      const data = toTypedArray(t) as Float32Array;
      tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
    }
  }
  return state.cycles;
}

/** Keeps the metrics lines of cycles before `cycles` (what the checkpoint covers); drops a killed tail. */
function truncateCycleLines(path: string, cycles: number): void {
  truncateJsonl(path, (l) => typeof l.cycle !== 'number' || l.cycle < cycles);
}

export interface MethodSummary {
  method: DriftMethod;
  trainableParams: number;
  first: Record<string, number>;
  last: Record<string, number>;
  worst: { cycle: number; value: number };
  regressionsLast: number;
  hallucination: { first: number; last: number };
  lengthRatio: { first: number; last: number };
  cusum: Pick<ChangeDetection, 'alarm' | 'changePoint' | 'mu' | 'sigma'>;
  bootstrap: Pick<ChangeDetection, 'alarm' | 'changePoint'>;
  seconds: number;
}

export async function runDrift(c: DriftConfig, seed: number, run: Run, resume: boolean, verbose: boolean) {
  const setup = await prepareDrift(c, verbose);
  const { tokenizer, heldOut, pool } = setup;
  const limits = { maxSource: c.maxSource, maxTarget: c.maxTarget };
  const metric = c.detect.metric;
  const fp = fingerprint(c, seed, setup.base.key);
  const ckptPath = join(run.dir, DRIFT_CHECKPOINT);

  const models = new Map<string, Gpt>();
  try {
    for (const m of c.methods) models.set(m.name, await buildModel(setup.model, setup.base.weights, m.method, m.quant, `${seed}:${m.name}`));
    let start = 0;
    if (resume && existsSync(ckptPath)) start = loadDriftCheckpoint(ckptPath, models, fp);
    truncateCycleLines(run.metricsPath, start);
    mkdirSync(join(run.dir, 'predictions'), { recursive: true });
    if (!run.record.artifacts.predictions) run.addArtifact('predictions', 'predictions');

    // Cycle 0's per-example scores: the reference every later cycle's regressions are counted against.
    const cycle0 = new Map<string, DriftItem[]>();
    if (start > 0) for (const m of c.methods) cycle0.set(m.name, readJsonl<DriftItem>(predictionsPath(run.dir, m.name, 0)));
    const windowEval = (cycle: number) => scenarioWindow(c.scenario, seed, cycle, c.eval.window, c.window, pool);

    for (let cycle = start; cycle < c.cycles; cycle++) {
      const train = encodeExamples(tokenizer, cycleTrainSet(c, seed, cycle, pool), limits);
      const winExamples = c.eval.window > 0 ? windowEval(cycle) : [];
      for (const m of c.methods) {
        const model = models.get(m.name)!;
        const t0 = performance.now();
        const r = await trainLoop({
          model, train, padId: tokenizer.special.pad, seed: seed * 1_000_003 + cycle, quiet: true,
          config: trainConfig({ steps: c.stepsPerCycle, batchSize: c.batchSize, lr: m.lr, warmupSteps: 0, schedule: 'constant', padding: 'longest', maxSource: c.maxSource, maxTarget: c.maxTarget, logEvery: c.stepsPerCycle }),
        });
        // Held-out and window examples in one generation batch: decoding cost is per forward call, not per row.
        const evalSet = [...heldOut, ...winExamples];
        const ev = await evaluate({ model, tokenizer, examples: evalSet, limits, maxNew: c.eval.maxNew, strategy: 'greedy', batchSize: evalSet.length });
        const items = scoreItems(ev.predictions.slice(0, heldOut.length));
        const win = scoreItems(ev.predictions.slice(heldOut.length));
        writeFileAtomic(predictionsPath(run.dir, m.name, cycle), items.map((it) => JSON.stringify(it) + '\n').join(''));
        if (cycle === 0) cycle0.set(m.name, items);
        const ref = cycle0.get(m.name)!;
        const delta = items.map((it, i) => it[metric] - ref[i]![metric]);
        const line: CycleLine = {
          phase: 'cycle', cycle, method: m.name, scenario: c.scenario.name, severity: severityAt(c.scenario, cycle),
          trainLoss: r.lastLoss, evalLoss: ev.loss,
          heldOut: intervals(items, c.eval.resamples, `${seed}:${m.name}:${cycle}:held-out`),
          diversity: diversityScores(items.map((it) => it.prediction), 'zh'),
          window: intervals(win, c.eval.resamples, `${seed}:${m.name}:${cycle}:window`),
          regressions: delta.filter((d) => d < -c.eval.regression).length,
          improvements: delta.filter((d) => d > c.eval.regression).length,
          hallucination: { rate: mean(items.map((it) => (it.hallucinated.length ? 1 : 0))), perOutput: mean(items.map((it) => it.hallucinated.length)) },
          length: { mean: mean(items.map((it) => it.length)), reference: mean(items.map((it) => it.refLength)), ratio: mean(items.map((it) => it.length)) / mean(items.map((it) => it.refLength)) },
          seconds: (performance.now() - t0) / 1000,
        };
        run.logMetrics(line as unknown as Record<string, unknown>);
      }
      // After the cycle's lines: a checkpoint covers its metrics, so a resume never repeats or skips a cycle.
      await saveDriftCheckpoint(ckptPath, models, { cycles: cycle + 1, fingerprint: fp });
      run.heartbeat();
      // Training and decoding only await microtasks, so SIGINT/SIGTERM handlers (which mark the run
      // interrupted) would wait for the whole run; one macrotask turn per cycle lets them in.
      await new Promise((r) => setImmediate(r));
    }
    if (!run.record.artifacts.checkpoint) run.addArtifact('checkpoint', DRIFT_CHECKPOINT);
    return summarize(c, seed, run, setup, models);
  } finally {
    for (const m of models.values()) m.dispose();
  }
}

/** Per-cycle held-out series of one method, read back from the run's files (so resumed runs summarize alike). */
export function cycleLines(metricsPath: string): CycleLine[] {
  return existsSync(metricsPath) ? readJsonl<CycleLine>(metricsPath).filter((l) => l.phase === 'cycle') : [];
}

function summarize(c: DriftConfig, seed: number, run: Run, setup: DriftSetup, models: Map<string, Gpt>) {
  const lines = cycleLines(run.metricsPath);
  const methods: Record<string, MethodSummary> = {};
  for (const m of c.methods) {
    const ls = lines.filter((l) => l.method === m.name).sort((a, b) => a.cycle - b.cycle);
    const series = ls.filter((l) => l.cycle >= c.detect.warmup).map((l) => ({ cycle: l.cycle, mean: l.heldOut[c.detect.metric]!.mean, values: readJsonl<DriftItem>(predictionsPath(run.dir, m.name, l.cycle)).map((it) => it[c.detect.metric]) }));
    const cs = cusumDetect(series, c.detect);
    const bs = bootstrapDetect(series, { baseline: c.detect.baseline, persist: 3, resamples: c.eval.resamples, seed: `${seed}:${m.name}` });
    const first = ls[0]!;
    const last = ls[ls.length - 1]!;
    const worst = ls.reduce((w, l) => (l.heldOut[c.detect.metric]!.mean < w.heldOut[c.detect.metric]!.mean ? l : w), first);
    methods[m.name] = {
      method: m, trainableParams: models.get(m.name)!.trainableParams(),
      first: { ...Object.fromEntries(ZH_KEYS.map((k) => [k, first.heldOut[k]!.mean])), ...first.diversity },
      last: { ...Object.fromEntries(ZH_KEYS.map((k) => [k, last.heldOut[k]!.mean])), ...last.diversity },
      worst: { cycle: worst.cycle, value: worst.heldOut[c.detect.metric]!.mean },
      regressionsLast: last.regressions,
      hallucination: { first: first.hallucination.rate, last: last.hallucination.rate },
      lengthRatio: { first: first.length.ratio, last: last.length.ratio },
      cusum: { mu: cs.mu, sigma: cs.sigma, ...(cs.alarm !== undefined ? { alarm: cs.alarm, changePoint: cs.changePoint } : {}) },
      bootstrap: bs.alarm !== undefined ? { alarm: bs.alarm, changePoint: bs.changePoint } : {},
      seconds: ls.reduce((a, l) => a + l.seconds, 0),
    };
  }
  return {
    scenario: c.scenario as Scenario,
    generator: generatorOptions(c.scenario, seed),
    cycles: lines.length ? Math.max(...lines.map((l) => l.cycle)) + 1 : 0,
    heldOut: { count: setup.heldOut.length, sha256: sha256(setup.heldOut.map((e) => e.id).join('\n')) },
    base: { key: setup.base.key, reused: setup.base.reused, finalLoss: setup.base.finalLoss, ...(setup.base.checkpoint ? { checkpoint: setup.base.checkpoint } : {}) },
    tokenizerSha256: sha256(JSON.stringify(setup.tokenizer.toJSON())),
    metric: c.detect.metric,
    methods,
  };
}

export const driftKind: ExperimentKind<DriftConfig> = {
  kind: 'drift',
  summary: 'ROUGE over continual adaptation cycles on drifting, degrading data (LoRA, QLoRA, P-Tuning v2) with change detection',
  configSchema: DriftSchema,
  run: (ctx) => runDrift(ctx.config, ctx.seed, ctx.run, ctx.resume, ctx.verbose),
};

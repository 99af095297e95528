/**
 * Evaluation and early stopping: after a step, whether to evaluate (every evalEvery steps, and after the last),
 * the eval loss on the held-out split, and the early-stop counters — patience counts periodic evaluations
 * without an improvement of more than minDelta; without earlyStop the best eval so far is still tracked.
 */
import type { Gpt } from '../model/index.ts';
import type { EncodedExample } from '../data/index.ts';
import type { TrainConfig } from './config.ts';
import type { EarlyStopState } from './checkpoint.ts';
import { evalLoss, type EvalLossOptions } from './eval-loss.ts';

export const freshEarlyStop = (): EarlyStopState => ({ best: null, bestStep: 0, bad: 0 });

/** The counters after an evaluation with loss `loss` at `step`; `stop` when patience ran out. */
export function updateEarlyStop(early: EarlyStopState, loss: number, step: number, c: TrainConfig, periodic: boolean): { early: EarlyStopState; stop: boolean } {
  if (c.earlyStop && periodic) {
    const next = early.best === null || loss < early.best - c.earlyStop.minDelta ? { best: loss, bestStep: step, bad: 0 } : { ...early, bad: early.bad + 1 };
    return { early: next, stop: next.bad >= c.earlyStop.patience };
  }
  return { early: early.best === null || loss < early.best ? { best: loss, bestStep: step, bad: 0 } : early, stop: false };
}

export interface EvalOutcome {
  early: EarlyStopState;
  stoppedEarly: boolean;
  /** Set when this was the run's last evaluation (the last step, or the one that stopped it). */
  finalEval?: { loss: number; perplexity: number; tokens: number };
  /** The metrics line to log. */
  line: Record<string, unknown>;
}

/**
 * Evaluates after `step` if it is due (periodic or the last step) and there is an eval split; undefined when
 * not due. `evalOpts` are evalLoss's options (batching and padding of the training config).
 */
export async function evaluateAfterStep(model: Gpt, step: number, c: TrainConfig, evalSet: readonly EncodedExample[] | undefined, early: EarlyStopState, evalOpts: EvalLossOptions): Promise<EvalOutcome | undefined> {
  const periodic = c.evalEvery > 0 && step % c.evalEvery === 0;
  if (!evalSet?.length || !(periodic || step === c.steps)) return undefined;
  const e = await evalLoss(model, evalSet, evalOpts);
  const u = updateEarlyStop(early, e.loss, step, c, periodic);
  const final = step === c.steps || u.stop;
  return {
    early: u.early,
    stoppedEarly: u.stop,
    ...(final ? { finalEval: { loss: e.loss, perplexity: e.perplexity, tokens: e.tokens } } : {}),
    line: { step, evalLoss: e.loss, evalPerplexity: e.perplexity, evalTokens: e.tokens, ...(final ? { final: true } : {}) },
  };
}

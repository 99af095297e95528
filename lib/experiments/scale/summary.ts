/** One value with its interval (lo/hi absent when there is none, e.g. a single seed). */
export interface Est { value: number; lo?: number; hi?: number }

export interface ScaleCell {
  /** factors switched to the slow recipe's level ([] = the fast recipe, all five = the slow one). */
  switched: string[];
  /** measured seconds per step: median over rounds; iqrRel = the spread of that median (IQR of its bootstrap
   *  distribution / median); sampleIqrRel = IQR / median of the single rounds. The stop rule targets the rung's
   *  ratio interval instead (measurement.target). */
  seconds: number;
  iqrRel: number;
  sampleIqrRel?: number;
  rounds: number;
  /** cost-model prediction for this cell with the fitted CPU device, and |pred − meas| / meas. */
  predictedSeconds: number;
  relError: number;
  /** true on the held-out (largest) rung: not used in the fit. */
  heldOut: boolean;
  /** the batches' token statistics the cost model was given. */
  batch: { batchSize: number; realTokens: number; paddedLength: number };
}

export interface QualityArm {          // one recipe's quality run on one rung
  rougeL: number; rouge1: number; bleu4: number;
  distinct1: number; distinct2: number; repetition: number;
  /** true when outputs are degenerate by the kind's stated rule (distinct/repetition thresholds). */
  degenerate: boolean;
  trainSteps: number;
}

export interface ScaleRung {
  name: string;                         // 'r0' … smallest first
  params: number;                       // total parameters of the base
  shape: { layers: number; d: number; heads: number; kvHeads: number; ffn: number; vocab: number };
  context: number;                      // maxSource + maxTarget
  prefix: number;                       // P-Tuning prefix = round(128/1024 · context)
  loraR: number;                        // 32 scaled with width (d / 4096), at least 1
  cells: ScaleCell[];
  /** measured fast/slow ratio (samples/s) and each factor's Shapley share of it, ×, with intervals. */
  ratio: Est;
  shapley: Record<string, Est>;         // keys: 'method' | 'padding' | 'prefix' | 'checkpoint' | 'quant'
  quality?: { fast: QualityArm; slow: QualityArm; degenerate: boolean };
}

export interface ScaleSummary {
  rungs: ScaleRung[];
  factors: string[];
  measurement: {
    roundsMin: number; roundsMax: number;
    target: number;                     // e.g. 0.025: relative half-width every rung's ratio interval should reach
    rungsOverTarget: number;            // rungs whose ratio interval stayed wider when the rounds stopped
    quiet?: 'quiet' | 'noisy' | 'unknown'; // the quiet-machine guard over the timed rounds (absent: before the engine)
    cpuPinned: string | null;           // e.g. 'cpu 1 (taskset)' or null when not pinned
    otherLoad: number;                  // 1-min load average at the start of timing
  };
  costModel: {
    /** fitted on this machine; a term the non-negative fit dropped has an infinite rate (null in JSON). secondsPerDequantValue: JavaScript dequantization work per 4-bit value. */
    device: { flopsPerSecond: number; bytesPerSecond: number; secondsPerKernel: number; secondsPerDequantValue?: number };
    fittedOn: string[];                 // rung names
    heldOut: string;                    // rung name
    relErrorMedian: number;             // over every measured cell of the ladder
    heldOutRelErrorMedian: number;      // over the held-out rung's cells
    relErrors: number[];
  };
  prediction: {
    chatglm2_a100: {
      device: string;                   // 'a100-80gb'
      samplesPerSecond: { lora: number; ptuning: number; 'lora.lo'?: number; 'lora.hi'?: number; 'ptuning.lo'?: number; 'ptuning.hi'?: number };
      /** a number, with its interval as sibling keys, so the flattened metric keys are exactly
       *  prediction.chatglm2_a100.ratio, prediction.chatglm2_a100.ratio.lo, prediction.chatglm2_a100.ratio.hi */
      ratio: number; 'ratio.lo': number; 'ratio.hi': number;
      memoryGB: { lora: number; ptuning: number };
      shapley: Record<string, number>;  // ×, the predicted ratio split into the same factors
      published: { lora: number; ptuning: number; ratio: number; memoryGB: { lora: number; ptuning: number } };
    };
  };
  verdict: string;                      // generated from the numbers (lib/experiments/scale/verdict.ts)
}

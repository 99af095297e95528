/**
 * Epoch-by-epoch batches with a position that can be saved and restored exactly. Epoch e's order is a pure
 * function of (seed, e) — Rng(`${seed}:epoch:${e}`) — so the saved state is just {epoch, batch} plus a
 * fingerprint of the data and options; resuming replays nothing and gives the same batches bit for bit.
 * Optional group-by-length (Hugging Face's LengthGroupedSampler idea): within megabatches of 50 batches,
 * sort by length so each batch holds similar lengths (less padding), then shuffle the batch order.
 */
import { Rng, sha256, sha256Json } from '../../util/index.ts';
import { LedgerLabError } from '../../errors.ts';
import type { EncodedExample } from './encode.ts';
import { collate, type Batch, type CollateOptions } from './collate.ts';

export interface BatchIteratorOptions extends CollateOptions {
  batchSize: number;
  seed: number | string;
  /** Shuffle each epoch (default true); false keeps data order. */
  shuffle?: boolean;
  /** Drop the last incomplete batch of each epoch (default false). */
  dropLast?: boolean;
  /** Bucket similar lengths together (default false). */
  groupByLength?: boolean;
  /** Megabatch size in batches for groupByLength (default 50). */
  groupWindow?: number;
}

export interface IteratorState {
  epoch: number;
  /** Index of the next batch within the epoch. */
  batch: number;
  /** Ties the state to the data and options it was saved with. */
  fingerprint: string;
}

export interface PositionedBatch extends Batch {
  epoch: number;
  /** Index of this batch within its epoch. */
  index: number;
}

/**
 * @example
 * const it = new BatchIterator(encoded, { batchSize: 4, seed: 1, padding: 'longest', maxSource: 64, maxTarget: 128, padId: 0 });
 * const b = it.next();            // epoch 0, batch 0
 * const saved = it.state();       // {epoch: 0, batch: 1, fingerprint}
 * const again = new BatchIterator(encoded, sameOptions, saved);
 * again.next();                   // identical to it.next()
 */
export class BatchIterator {
  readonly batchesPerEpoch: number;
  private readonly data: readonly EncodedExample[];
  private readonly opts: BatchIteratorOptions;
  private readonly fingerprint: string;
  private epoch = 0;
  private batch = 0;
  private order: { epoch: number; batches: number[][] } | null = null;

  constructor(data: readonly EncodedExample[], opts: BatchIteratorOptions, state?: IteratorState) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new LedgerLabError({ kind: 'config', problem: `batchSize must be a positive integer, got ${opts.batchSize}`, where: 'batchSize' });
    if (data.length === 0) throw new LedgerLabError({ kind: 'data', problem: 'no examples to batch', where: 'BatchIterator' });
    this.data = data;
    this.opts = opts;
    const full = Math.floor(data.length / opts.batchSize);
    this.batchesPerEpoch = opts.dropLast || data.length % opts.batchSize === 0 ? full : full + 1;
    if (this.batchesPerEpoch === 0) throw new LedgerLabError({ kind: 'config', problem: `dropLast with batchSize ${opts.batchSize} > ${data.length} examples leaves no batch`, where: 'batchSize' });
    this.fingerprint = sha256Json({ data: sha256(data.map((d) => `${d.id}:${d.prompt.length}:${d.target.length}`).join('\n')), opts: { ...opts, shuffle: opts.shuffle ?? true, dropLast: opts.dropLast ?? false, groupByLength: opts.groupByLength ?? false, groupWindow: opts.groupWindow ?? 50, side: opts.side ?? 'right' } });
    if (state) this.restore(state);
  }

  /** The position of the next batch. */
  state(): IteratorState {
    return { epoch: this.epoch, batch: this.batch, fingerprint: this.fingerprint };
  }

  restore(state: IteratorState): void {
    if (state.fingerprint !== this.fingerprint) {
      throw new LedgerLabError({ kind: 'data', problem: 'the saved batch position belongs to different data or batching options', where: `iterator state (epoch ${state.epoch}, batch ${state.batch})`, hint: 'resume with the same dataset, split, tokenizer and batching config as the saved run' });
    }
    if (!(Number.isInteger(state.epoch) && state.epoch >= 0 && Number.isInteger(state.batch) && state.batch >= 0 && state.batch < this.batchesPerEpoch)) {
      throw new LedgerLabError({ kind: 'data', problem: `invalid batch position epoch ${state.epoch}, batch ${state.batch} (${this.batchesPerEpoch} batches per epoch)`, where: 'iterator state' });
    }
    this.epoch = state.epoch;
    this.batch = state.batch;
  }

  /** The next batch; epochs roll over forever (stop by step count). */
  next(): PositionedBatch {
    const batches = this.epochBatches(this.epoch);
    const idx = batches[this.batch];
    const out: PositionedBatch = { ...collate(idx.map((i) => this.data[i]), this.opts), epoch: this.epoch, index: this.batch };
    this.batch++;
    if (this.batch === this.batchesPerEpoch) {
      this.batch = 0;
      this.epoch++;
    }
    return out;
  }

  /** Example indices of each batch of epoch `e` (pure in seed and e). */
  epochBatches(e: number): number[][] {
    if (this.order?.epoch === e) return this.order.batches;
    const { batchSize, seed } = this.opts;
    const rng = new Rng(`${seed}:epoch:${e}`);
    const all = this.data.map((_, i) => i);
    const idx = this.opts.shuffle === false ? all : rng.shuffle(all);
    let batches: number[][];
    if (this.opts.groupByLength) {
      const window = batchSize * (this.opts.groupWindow ?? 50);
      const len = (i: number) => this.data[i].prompt.length + this.data[i].target.length;
      const sorted: number[] = [];
      for (let s = 0; s < idx.length; s += window) sorted.push(...idx.slice(s, s + window).sort((a, b) => len(b) - len(a)));
      batches = chunk(sorted, batchSize);
      if (this.opts.dropLast && batches.length > this.batchesPerEpoch) batches = batches.filter((b) => b.length === batchSize);
      batches = this.opts.shuffle === false ? batches : rng.shuffle(batches);
    } else {
      batches = chunk(idx, batchSize).slice(0, this.batchesPerEpoch);
    }
    this.order = { epoch: e, batches };
    return batches;
  }
}

function chunk<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/**
 * Deterministic train/eval/test splits recorded by hash. Each example (or group, see `groupBy`) gets the key
 * sha256(`${seed}:${groupKey}`); sorting by key and cutting at exact counts gives a split that depends only on
 * the seed and the ids — not on file order — and an example keeps its split when unrelated ones are added,
 * unless it sits at a cut. The manifest records the seed, the counts and a sha256 of each split's sorted ids,
 * so a run record can prove which examples it trained and evaluated on.
 */
import type { Example } from './types.ts';
import { sha256 } from '../util/index.ts';
import { LedgerLabError } from '../errors.ts';

export interface SplitFractions {
  train: number;
  eval: number;
  test: number;
}

export interface SplitOptions {
  seed: number | string;
  fractions: SplitFractions;
  /**
   * 'id' (default): each example on its own. 'source': examples sharing a prompt stay in one split (AdvertiseGen
   * repeats a `content` with different summaries; putting them on both sides would leak the prompt into eval).
   */
  groupBy?: 'id' | 'source';
}

export interface SplitManifest {
  seed: number | string;
  fractions: SplitFractions;
  groupBy: 'id' | 'source';
  counts: { train: number; eval: number; test: number };
  /** sha256 of the split's ids, sorted (code-unit order) and joined by "\n". */
  sha256: { train: string; eval: string; test: string };
}

export interface Split<T extends Pick<Example, 'id' | 'source'> = Example> {
  train: T[];
  eval: T[];
  test: T[];
  manifest: SplitManifest;
}

/** sha256 of sorted ids joined by "\n" — the manifest's per-split fingerprint. */
export function idListHash(ids: readonly string[]): string {
  return sha256([...ids].sort().join('\n'));
}

/**
 * Splits examples deterministically. Counts are exact: round(fraction * n) by largest remainder, so they
 * always add up to n (with `groupBy: 'source'`, a whole group goes to the split its first example falls in).
 * Within each split, examples keep their input order.
 *
 * @example
 * const { train, eval: dev, test, manifest } = split(examples, { seed: 1, fractions: { train: 0.8, eval: 0.1, test: 0.1 } });
 * manifest.counts; // { train: 696, eval: 87, test: 87 } for 870 examples
 */
export function split<T extends Pick<Example, 'id' | 'source'>>(examples: readonly T[], opts: SplitOptions): Split<T> {
  const f = opts.fractions;
  const groupBy = opts.groupBy ?? 'id';
  const names = ['train', 'eval', 'test'] as const;
  const sum = f.train + f.eval + f.test;
  if (names.some((k) => !(f[k] >= 0)) || Math.abs(sum - 1) > 1e-9) {
    throw new LedgerLabError({ kind: 'config', problem: `split fractions must be >= 0 and sum to 1, got ${f.train} + ${f.eval} + ${f.test} = ${sum}`, where: 'fractions', hint: 'e.g. { train: 0.8, eval: 0.1, test: 0.1 }' });
  }
  const seen = new Set<string>();
  for (const ex of examples) {
    if (seen.has(ex.id)) throw new LedgerLabError({ kind: 'data', problem: `duplicate example id ${JSON.stringify(ex.id)}`, where: `example ${ex.id}`, hint: 'ids must be unique; the loaders add ~2, ~3... to repeated content' });
    seen.add(ex.id);
  }
  const n = examples.length;
  const targets = exactCounts(n, [f.train, f.eval, f.test]);
  const keyOf = (ex: T) => sha256(`${opts.seed}:${groupBy === 'id' ? ex.id : ex.source}`);
  const keys = examples.map(keyOf);
  const order = examples.map((_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
  const assign = new Int8Array(n);
  let bucket = 0;
  let filled = 0;
  const groupBucket = new Map<string, number>();
  for (const i of order) {
    while (bucket < 2 && filled >= targets[bucket]) {
      bucket++;
      filled = 0;
    }
    const k = keys[i];
    const b = groupBucket.get(k) ?? bucket;
    if (!groupBucket.has(k)) groupBucket.set(k, b);
    assign[i] = b;
    if (b === bucket) filled++;
  }
  const parts: T[][] = [[], [], []];
  examples.forEach((ex, i) => parts[assign[i]].push(ex));
  const [train, ev, test] = parts;
  return {
    train,
    eval: ev,
    test,
    manifest: {
      seed: opts.seed,
      fractions: { ...f },
      groupBy,
      counts: { train: train.length, eval: ev.length, test: test.length },
      sha256: { train: idListHash(train.map((e) => e.id)), eval: idListHash(ev.map((e) => e.id)), test: idListHash(test.map((e) => e.id)) },
    },
  };
}

/** Largest-remainder rounding of fractions * n (ties to the earlier bucket). */
export function exactCounts(n: number, fractions: readonly number[]): number[] {
  const raw = fractions.map((x) => x * n);
  const out = raw.map(Math.floor);
  let left = n - out.reduce((a, b) => a + b, 0);
  const byRemainder = raw.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    out[i]++;
    left--;
  }
  return out;
}

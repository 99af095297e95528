/**
 * Seeded pseudo-random numbers. Every random choice in LedgerLab (init, data, splits, bootstrap, agents)
 * draws from an explicit `Rng` built from a recorded seed, never from Math.random, so runs repeat exactly.
 *
 * @example
 * const rng = new Rng(42);
 * rng.next();        // float in [0, 1)
 * rng.int(10);       // integer in [0, 10)
 * rng.normal();      // standard normal
 * const child = rng.fork('dropout');  // independent stream, stable under unrelated changes
 */
import { createHash } from 'node:crypto';

/** sfc32 core: small, fast, passes PractRand to 2^40+; state is four uint32s so it can be saved/restored. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  constructor(seed: number | string) {
    const h = typeof seed === 'number' ? splitmixWords(seed) : sha256Words(seed);
    this.a = h[0];
    this.b = h[1];
    this.c = h[2];
    this.d = h[3];
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffle<T>(xs: readonly T[]): T[] {
    const out = xs.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** An independent stream derived from this one's seed material and a label. Does not advance this. */
  fork(label: string): Rng {
    return new Rng(`${this.a}:${this.b}:${this.c}:${this.d}:${label}`);
  }

  /** Serializable state, for bit-exact resume. */
  state(): number[] {
    return [this.a, this.b, this.c, this.d, this.spare ?? NaN];
  }

  static fromState(s: readonly number[]): Rng {
    const r = new Rng(0);
    [r.a, r.b, r.c, r.d] = s;
    r.spare = Number.isNaN(s[4]) ? undefined : s[4];
    return r;
  }
}

/**
 * String seeds (labels, record keys) take 128 bits of sha256 as the state: hashing them to 32 bits first would
 * make two of ~100k keyed streams collide (birthday bound) and produce identical "random" records.
 */
function sha256Words(seed: string): number[] {
  const h = createHash('sha256').update(seed).digest();
  return [h.readInt32LE(0), h.readInt32LE(4), h.readInt32LE(8), h.readInt32LE(12)];
}

function splitmixWords(seed: number): number[] {
  // splitmix32 spreads nearby seeds (0, 1, 2...) into unrelated states.
  let x = seed >>> 0 ^ Math.floor(seed / 4294967296);
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    out.push((z ^ (z >>> 16)) >>> 0);
  }
  return out;
}

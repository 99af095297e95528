/**
 * A two-level k-means tree (hierarchical inverted file, as in FLANN / FAISS IVF with a coarse tree): `fanout`
 * top centroids, each with up to `fanout` leaf centroids, items stored contiguously per leaf (CSR order) so a
 * probe scans one dense block. A query descends into its `beam` nearest top cells, ranks their leaves and scans
 * the `probes` nearest: O(fanout·(1 + beam)·D + probes·(N/fanout²)·D) per query — about N^⅓·D for fanout ≈ N^⅓ —
 * instead of N·D. No all-pairs structure; build is O(N·fanout·D) plus k-means on samples.
 */
import { Rng } from '../../util/index.ts';

export interface TreeOptions { fanout: number; iterations: number; sample: number; seed: number }

/** Lloyd's k-means on rows `idx` of `data` (n × dim, row-major); k-means++-lite init (random distinct rows). */
function kmeans(data: Float32Array, dim: number, idx: Int32Array, k: number, iterations: number, rng: Rng): Float32Array {
  const n = idx.length;
  k = Math.max(1, Math.min(k, n));
  const cent = new Float32Array(k * dim);
  const perm = Int32Array.from(idx);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [perm[i], perm[j]] = [perm[j], perm[i]];
    cent.set(data.subarray(perm[i] * dim, perm[i] * dim + dim), i * dim);
  }
  const sums = new Float64Array(k * dim);
  const counts = new Int32Array(k);
  for (let it = 0; it < iterations; it++) {
    sums.fill(0);
    counts.fill(0);
    for (let a = 0; a < n; a++) {
      const p = idx[a] * dim;
      const c = nearest(cent, k, dim, data, p);
      counts[c]++;
      for (let d = 0; d < dim; d++) sums[c * dim + d] += data[p + d];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue; // an empty cell keeps its centroid
      for (let d = 0; d < dim; d++) cent[c * dim + d] = sums[c * dim + d] / counts[c];
    }
  }
  return cent;
}

/** Index of the centroid with the largest dot product with row p (unit vectors: nearest by cosine). */
function nearest(cent: Float32Array, k: number, dim: number, data: Float32Array, p: number): number {
  let best = 0, bs = -Infinity;
  for (let c = 0; c < k; c++) {
    let s = 0;
    const o = c * dim;
    for (let d = 0; d < dim; d++) s += cent[o + d] * data[p + d];
    if (s > bs) { bs = s; best = c; }
  }
  return best;
}

export class KMeansTree {
  readonly dim: number;
  readonly top: Float32Array;
  readonly topCount: number;
  /** Leaf centroids of top cell t: rows leafStart[t]..leafStart[t+1]−1 of `leaves`. */
  readonly leaves: Float32Array;
  readonly leafStart: Int32Array;
  /** Items of leaf l: order[offsets[l]..offsets[l+1]−1]; `vectors` holds their embeddings in that order. */
  readonly offsets: Int32Array;
  readonly order: Int32Array;
  readonly vectors: Float32Array;

  constructor(data: Float32Array, n: number, dim: number, o: TreeOptions) {
    this.dim = dim;
    const rng = new Rng(`kmeans-tree:${o.seed}`);
    const sampleIdx = (pool: Int32Array, m: number) => {
      if (pool.length <= m) return pool;
      const out = new Int32Array(m);
      for (let i = 0; i < m; i++) out[i] = pool[rng.int(pool.length)];
      return out;
    };
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    this.top = kmeans(data, dim, sampleIdx(all, o.sample), o.fanout, o.iterations, rng);
    this.topCount = this.top.length / dim;
    const topOf = new Int32Array(n);
    const topSize = new Int32Array(this.topCount);
    for (let i = 0; i < n; i++) { topOf[i] = nearest(this.top, this.topCount, dim, data, i * dim); topSize[topOf[i]]++; }
    const members: Int32Array[] = Array.from({ length: this.topCount }, (_, t) => new Int32Array(topSize[t]));
    const fill = new Int32Array(this.topCount);
    for (let i = 0; i < n; i++) members[topOf[i]][fill[topOf[i]]++] = i;
    // Leaves: a smaller sample per cell (10 points per centroid) keeps the build O(N·fanout·D).
    const leafSets: Float32Array[] = members.map((m) => (m.length === 0 ? new Float32Array(0) : kmeans(data, dim, sampleIdx(m, Math.min(o.sample, 10 * o.fanout)), Math.min(o.fanout, m.length), o.iterations, rng)));
    this.leafStart = new Int32Array(this.topCount + 1);
    for (let t = 0; t < this.topCount; t++) this.leafStart[t + 1] = this.leafStart[t] + leafSets[t].length / dim;
    const L = this.leafStart[this.topCount];
    this.leaves = new Float32Array(L * dim);
    leafSets.forEach((ls, t) => this.leaves.set(ls, this.leafStart[t] * dim));
    const leafOf = new Int32Array(n);
    const leafSize = new Int32Array(L);
    for (let t = 0; t < this.topCount; t++) {
      const k = this.leafStart[t + 1] - this.leafStart[t];
      const sub = this.leaves.subarray(this.leafStart[t] * dim, this.leafStart[t + 1] * dim);
      for (const i of members[t]) { const l = this.leafStart[t] + nearest(sub, k, dim, data, i * dim); leafOf[i] = l; leafSize[l]++; }
    }
    this.offsets = new Int32Array(L + 1);
    for (let l = 0; l < L; l++) this.offsets[l + 1] = this.offsets[l] + leafSize[l];
    this.order = new Int32Array(n);
    const pos = this.offsets.slice(0, L);
    for (let i = 0; i < n; i++) this.order[pos[leafOf[i]]++] = i;
    this.vectors = new Float32Array(n * dim);
    for (let r = 0; r < n; r++) this.vectors.set(data.subarray(this.order[r] * dim, this.order[r] * dim + dim), r * dim);
  }

  get leafCount(): number {
    return this.offsets.length - 1;
  }

  /**
   * Top-m items by dot product with q among the probed leaves, into outIds/outScores (most similar first;
   * ties: lower item index first). Returns how many were found (≤ m). `scratch` must hold leafCount floats.
   */
  private scratch = { bt: new Int32Array(0), bs: new Float64Array(0), pl: new Int32Array(0), ps: new Float64Array(0) };

  search(q: Float32Array, m: number, beam: number, probes: number, outIds: Int32Array, outScores: Float64Array): number {
    const dim = this.dim;
    const top = this.top, leaves = this.leaves, leafStart = this.leafStart, offsets = this.offsets, vectors = this.vectors, order = this.order;
    // Scratch reused across queries (a million queries must not allocate per query).
    const sc = this.scratch;
    if (sc.bt.length !== beam) { sc.bt = new Int32Array(beam); sc.bs = new Float64Array(beam); }
    if (sc.pl.length !== probes) { sc.pl = new Int32Array(probes); sc.ps = new Float64Array(probes); }
    const { bt, bs, pl, ps } = sc;
    bt.fill(-1); bs.fill(-Infinity); pl.fill(-1); ps.fill(-Infinity);
    // Top cells by score (beam is small: insertion into a tiny sorted list).
    for (let t = 0; t < this.topCount; t++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += top[t * dim + d] * q[d];
      insert(bt, bs, beam, t, s);
    }
    for (let b = 0; b < beam; b++) {
      const t = bt[b];
      if (t < 0) continue;
      for (let l = leafStart[t]; l < leafStart[t + 1]; l++) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += leaves[l * dim + d] * q[d];
        insert(pl, ps, probes, l, s);
      }
    }
    let len = 0;
    for (let b = 0; b < probes; b++) {
      const l = pl[b];
      if (l < 0) continue;
      for (let r = offsets[l], end = offsets[l + 1]; r < end; r++) {
        let s = 0;
        const o = r * dim;
        for (let d = 0; d < dim; d++) s += vectors[o + d] * q[d];
        const id = order[r];
        if (len === m && !(s > outScores[m - 1] || (s === outScores[m - 1] && id < outIds[m - 1]))) continue;
        let p = len < m ? len++ : m - 1;
        while (p > 0 && (outScores[p - 1] < s || (outScores[p - 1] === s && outIds[p - 1] > id))) {
          outScores[p] = outScores[p - 1];
          outIds[p] = outIds[p - 1];
          p--;
        }
        outScores[p] = s;
        outIds[p] = id;
      }
    }
    return len;
  }
}

function insert(ids: Int32Array, scores: Float64Array, n: number, id: number, s: number): void {
  if (!(s > scores[n - 1])) return;
  let p = n - 1;
  while (p > 0 && scores[p - 1] < s) { scores[p] = scores[p - 1]; ids[p] = ids[p - 1]; p--; }
  scores[p] = s;
  ids[p] = id;
}

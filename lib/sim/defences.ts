/**
 * Defences the registry/oracle can run: duplicate detection (exact content hash at registration, and
 * near-duplicate embeddings), identity clustering (shared funding wallets and payer→owner self-dealing
 * links), and challenge bounties (watchers inspect the most-used items and challenge low quality or copies).
 */
import type { Rng } from '../util/index.ts';
import { type Identity, type Item, dot } from './world.ts';

/** The earliest active item at cosine ≥ threshold to `emb`, or −1. */
export function nearDuplicate(items: readonly Item[], emb: Float64Array, threshold: number, active: (i: number) => boolean): number {
  for (const it of items) if (active(it.index) && dot(it.embedding, emb) >= threshold) return it.index;
  return -1;
}

export interface PaidEvent { payer: string; items: readonly { item: number; weight: number }[] }

/**
 * Identities to flag: members of connected components (≥ 2 identities) of the graph whose edges are a shared
 * funder, or a payer sending ≥ linkShare of its attributed weight to one owner; plus any identity that is
 * that payer's owner itself (self-dealing). Consumers join the graph as payers, so a loyal consumer can drag
 * an honest contributor into a flagged component: that is the defence's false-positive cost.
 */
export function clusterIdentities(
  identities: readonly Identity[],
  events: readonly PaidEvent[],
  ownerOf: (item: number) => string,
  linkShare: number,
): Set<string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    if (!parent.has(x)) parent.set(x, x);
    const p = parent.get(x)!;
    if (p === x) return x;
    const r = find(p);
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string) => parent.set(find(a), find(b));
  const byFunder = new Map<string, string>();
  for (const id of identities) {
    find(id.id);
    const prev = byFunder.get(id.funder);
    if (prev) union(prev, id.id);
    else byFunder.set(id.funder, id.id);
  }
  const spent = new Map<string, Map<string, number>>();
  for (const ev of events) {
    let m = spent.get(ev.payer);
    if (!m) spent.set(ev.payer, (m = new Map()));
    for (const it of ev.items) {
      const o = ownerOf(it.item);
      m.set(o, (m.get(o) ?? 0) + it.weight);
    }
  }
  const selfDealing = new Set<string>();
  for (const [payer, m] of spent) {
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    for (const [owner, w] of m) {
      if (total === 0 || w / total < linkShare) continue;
      if (owner === payer) selfDealing.add(owner);
      else union(payer, owner);
    }
  }
  const size = new Map<string, number>();
  for (const x of parent.keys()) size.set(find(x), (size.get(find(x)) ?? 0) + 1);
  const flagged = new Set<string>(selfDealing);
  for (const x of parent.keys()) if ((size.get(find(x)) ?? 0) >= 2) flagged.add(x);
  return flagged;
}

export interface ChallengeOutcome { item: number; upheld: boolean }

/**
 * One epoch of challenges: inspect the `n` most-used active items, challenge those whose noisy observed
 * quality is below the floor or that near-duplicate an earlier item of another identity. The resolver
 * knows the truth: upheld iff quality < floor or the item is a copy of another identity's item.
 */
export function runChallenges(
  items: readonly Item[],
  usage: ReadonlyMap<number, number>,
  active: (i: number) => boolean,
  opts: { n: number; qualityFloor: number; noise: number; dupThreshold: number },
  rng: Rng,
): ChallengeOutcome[] {
  const ranked = [...usage.entries()].filter(([i, u]) => u > 0 && active(i)).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, opts.n);
  const out: ChallengeOutcome[] = [];
  for (const [i] of ranked) {
    const it = items[i];
    const observed = it.quality + opts.noise * rng.normal();
    const looksCopied = items.some((o) => o.index < i && o.identity !== it.identity && dot(o.embedding, it.embedding) >= opts.dupThreshold);
    if (observed >= opts.qualityFloor && !looksCopied) continue;
    const isCopy = it.copyOf !== undefined && items[it.copyOf].identity !== it.identity;
    out.push({ item: i, upheld: it.quality < opts.qualityFloor || isCopy });
  }
  return out;
}

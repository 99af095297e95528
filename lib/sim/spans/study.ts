/**
 * The text Datanet's lifecycle, contribute → train → infer → attribute → settle: build the Datanet of real
 * records with the attackers' items (datanet.ts), fine-tune the model on it and generate on the held-out
 * prompts (model.ts), attribute every output with each method (methods.ts), and settle each method's
 * events with the ledger's exact rules as a one-epoch episode (the same Episode shape the stylised world
 * produces, so fast mode and evm mode settle it the same way: tested to the wei).
 */
import { join } from 'node:path';
import { paths } from '../../paths.ts';
import { sha256 } from '../../util/index.ts';
import { design as designOf, ethToWei, world as worldOf, type WorldConfig } from '../config.ts';
import { GAS } from '../agents/index.ts';
import { type Episode, type EpochLog, type SimEvent, type Spend, CHALLENGER } from '../episode.ts';
import type { Identity, Item } from '../world.ts';
import type { Weighted } from '../oracle.ts';
import { settleFast, type Settlement } from '../settle.ts';
import { accounts } from '../metrics.ts';
import { buildTextDatanet, type TextDatanet, type TextItem } from './datanet.ts';
import { buildSpanIndex, maximalSpans, type SpanIndex } from './match.ts';
import { hashedEmbedding, knnShapleyWeights, retrievalWeights, spanWeights, type TextMethod } from './methods.ts';
import type { SpanTrainer } from './trainer.ts';
import { SpanModelSchema, type SpansConfig } from './config.ts';

export const ADVERTISEGEN_SAMPLE = join(paths.datasets, 'advertisegen', 'dev-sample.jsonl');
export const E2E_DEV = join(paths.datasets, 'e2e', 'devset.csv');

/** Quality (the knn-shapley gain): real content 1, boilerplate and stuffing 0.05. */
export const qualityOf = (it: TextItem) => (it.kind === 'boilerplate' || it.kind === 'stuffing' ? 0.05 : 1);

export interface AttributedOutputs { method: TextMethod; events: Weighted[][] }

export function attributeOutputs(items: readonly TextItem[], itemTokens: readonly Int32Array[], outputs: readonly ArrayLike<number>[], methods: readonly TextMethod[], o: { minLength: number; maxOccurrences: number; k?: number; candidates?: number }): { index: SpanIndex; results: AttributedOutputs[] } {
  const index = buildSpanIndex(itemTokens);
  const emb = itemTokens.map((t) => hashedEmbedding(t));
  const quality = items.map(qualityOf);
  const k = o.k ?? 5, m = o.candidates ?? 20;
  const results = methods.map((method) => ({
    method,
    events: outputs.map((out) => {
      switch (method) {
        case 'spans': return spanWeights(index, out, o);
        case 'retrieval': return retrievalWeights(emb, out, k);
        case 'knn-shapley': return knnShapleyWeights(emb, quality, out, k, m);
      }
    }),
  }));
  return { index, results };
}

/**
 * A one-epoch episode of the text Datanet: every item registered by its owner (stake and content cost as in
 * the stylised world; attack items cost the synthetic fraction), one paid event per output.
 */
export function textEpisode(items: readonly TextItem[], events: readonly Weighted[][], o: { world?: Partial<WorldConfig>; rule: SpansConfig['rule']; seed: number }): Episode {
  const perOwner = new Map<string, number>();
  for (const it of items) perOwner.set(it.owner, (perOwner.get(it.owner) ?? 0) + 1);
  const w = worldOf({ datanets: 1, epochs: 1, dailyCap: Math.max(1, ...perOwner.values()), ...o.world });
  const d = designOf({ name: `${o.rule}/spans`, rule: o.rule });
  const gasPrice = BigInt(Math.round(w.gasPriceGwei * 1e9));
  const stake = ethToWei(w.stakeEth);
  const honestCost = ethToWei(w.honestItemCostEth);
  const identities: Identity[] = [...perOwner.keys()].map((id) => ({ id, agent: id, attacker: !id.startsWith('honest-'), funder: `wallet-${id}` }));
  const spend = new Map<string, Spend>([...perOwner.keys(), CHALLENGER].map((n) => [n, { gas: 0n, fees: 0n, content: 0n, stake: 0n }] as const));
  const simItems: Item[] = items.map((it) => {
    const s = spend.get(it.owner)!;
    if (s.gas === 0n) s.gas += BigInt(GAS.fundIdentity);
    s.gas += BigInt(GAS.register);
    s.stake += stake;
    s.content += it.kind === 'honest' ? honestCost : honestCost / 20n; // synthetic or copied: 5%, as SYNTHETIC_COST_FRACTION
    return {
      index: it.index, identity: it.owner, embedding: new Float64Array(0), quality: qualityOf(it), topic: 0, datanet: 0,
      contentHash: sha256(`${it.prompt}\n${it.text}`), stake, epoch: 0, copyOf: it.copyOf,
    };
  });
  const fee = ethToWei(w.feeEth);
  const evs: SimEvent[] = events.map((ws, j) => ({ payer: `consumer-${j % w.consumers}`, fee, items: ws }));
  const log: EpochLog = {
    epoch: 0, funding: ethToWei(w.fundingEthPerEpoch), rejected: [], flags: [], challenges: [], events: evs,
    registrations: simItems.map((it) => ({ item: it.index, identity: it.identity, contentHash: it.contentHash, stake: it.stake, isDuplicate: false })),
  };
  return { seed: o.seed, world: w, design: d, identities, items: simItems, flagged: new Map(), epochs: [log], spend, agentOf: new Map(identities.map((i) => [i.id, i.agent] as const)) };
}

export interface OwnerShare { owner: string; kind: string; items: number; payoutEth: number; share: number; roi: number }
export interface MethodOutcome {
  method: TextMethod;
  /** Share of the pool per attacker and for all honest contributors together. */
  shares: OwnerShare[];
  honestShare: number;
  /** Outputs with at least one credited item. */
  creditedOutputs: number;
}

/** Pool shares per owner kind from a settled text episode. */
export function ownerShares(ep: Episode, st: Settlement, items: readonly TextItem[]): OwnerShare[] {
  const acc = accounts(ep, st);
  const kinds = new Map(items.map((it) => [it.owner, it.kind === 'honest' ? 'honest' : it.kind] as const));
  const counts = new Map<string, number>();
  for (const it of items) counts.set(it.owner, (counts.get(it.owner) ?? 0) + 1);
  return [...acc.entries()].filter(([n]) => n !== CHALLENGER).map(([owner, a]) => ({
    owner, kind: kinds.get(owner)!, items: counts.get(owner) ?? 0, payoutEth: Number(a.payout) / 1e18,
    share: st.pools === 0n ? 0 : Number(a.payout) / Number(st.pools), roi: a.cost > 0n ? Number(a.income - a.cost) / Number(a.cost) : NaN,
  }));
}

export interface SpanStudy {
  items: { total: number; byKind: Record<string, number> };
  queries: number;
  model: { finalLoss: number; trainSeconds: number; generateSeconds: number; steps: number };
  /** Mean share of an output's tokens inside a credited span, and mean maximal span length. */
  coverage: number;
  meanSpanLength: number;
  outcomes: MethodOutcome[];
  samples: { prompt: string; output: string }[];
  seconds: number;
}

/** `train` is the model (lib/experiments/simulate/spans-model.ts's trainAndGenerate: the engine is a layer above). */
export async function runSpanStudy(c: SpansConfig, train: SpanTrainer, onPhase?: (phase: string) => void): Promise<SpanStudy> {
  const t0 = performance.now();
  onPhase?.('datanet');
  const dn: TextDatanet = await buildTextDatanet({
    advertisegen: c.advertisegen ?? ADVERTISEGEN_SAMPLE, e2e: c.e2e ?? E2E_DEV, perSource: c.perSource, queriesPerSource: c.queriesPerSource,
    honest: c.honest, attackItems: c.attackItems, attacks: c.attacks, seed: c.seed,
  });
  onPhase?.('train');
  const mc = SpanModelSchema.parse(c.model ?? {});
  const tr = await train(dn.items, dn.queries.map((q) => q.source), { ...mc, seed: c.seed });
  onPhase?.('attribute');
  const { index, results } = attributeOutputs(dn.items, tr.itemTokens, tr.outputs, c.methods, c);
  let covered = 0, spanLen = 0, spanN = 0;
  for (const out of tr.outputs) {
    const spans = maximalSpans(index, out, c).filter((s) => s.items.size > 0);
    const mark = new Uint8Array(out.length);
    for (const s of spans) { mark.fill(1, s.start, s.start + s.length); spanLen += s.length; spanN++; }
    covered += out.length ? mark.reduce((a, b) => a + b, 0) / out.length : 0;
  }
  onPhase?.('settle');
  const outcomes = results.map(({ method, events }) => {
    const ep = textEpisode(dn.items, events, { rule: c.rule, seed: c.seed });
    const shares = ownerShares(ep, settleFast(ep), dn.items);
    const byKind = new Map<string, OwnerShare>();
    for (const s of shares) {
      const k = s.kind === 'honest' ? 'honest' : s.owner;
      const prev = byKind.get(k);
      if (!prev) byKind.set(k, { ...s, owner: k });
      else byKind.set(k, { ...prev, items: prev.items + s.items, payoutEth: prev.payoutEth + s.payoutEth, share: prev.share + s.share, roi: NaN });
    }
    return { method, shares: [...byKind.values()], honestShare: byKind.get('honest')?.share ?? 0, creditedOutputs: events.filter((e) => e.length > 0).length };
  });
  const byKind: Record<string, number> = {};
  for (const it of dn.items) byKind[it.kind] = (byKind[it.kind] ?? 0) + 1;
  return {
    items: { total: dn.items.length, byKind }, queries: dn.queries.length,
    model: { finalLoss: tr.finalLoss, trainSeconds: tr.trainSeconds, generateSeconds: tr.generateSeconds, steps: mc.steps },
    coverage: covered / Math.max(1, tr.outputs.length), meanSpanLength: spanN ? spanLen / spanN : 0, outcomes,
    samples: dn.queries.slice(0, 4).map((q, i) => ({ prompt: q.source, output: tr.texts[i] })).concat(dn.queries.slice(-2).map((q, i) => ({ prompt: q.source, output: tr.texts[dn.queries.length - 2 + i] }))),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Captured share (%) per attacker × method, honest share last. */
export function formatSpanStudy(st: SpanStudy): string {
  const owners = [...new Set(st.outcomes.flatMap((o) => o.shares.map((s) => s.owner)))].sort((a, b) => (a === 'honest' ? 1 : b === 'honest' ? -1 : a < b ? -1 : 1));
  const head = ['method', ...owners.map((o) => `${o} %`), 'outputs credited'];
  const body = st.outcomes.map((o) => [o.method, ...owners.map((w) => ((o.shares.find((s) => s.owner === w)?.share ?? 0) * 100).toFixed(1)), `${o.creditedOutputs}/${st.queries}`]);
  const widths = head.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
  const line = (cells: string[]) => cells.map((x, j) => x.padEnd(widths[j])).join('  ').trimEnd();
  return [
    `text Datanet: ${st.items.total} items (${Object.entries(st.items.byKind).map(([k, v]) => `${k} ${v}`).join(', ')}), ${st.queries} queries; model ${st.model.steps} steps, loss ${st.model.finalLoss.toFixed(2)}, train ${st.model.trainSeconds.toFixed(0)} s; span coverage ${(st.coverage * 100).toFixed(0)}% of output tokens, mean span ${st.meanSpanLength.toFixed(1)} tokens`,
    line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line),
  ].join('\n');
}

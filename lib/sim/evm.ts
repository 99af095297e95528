/**
 * EVM mode: replays an episode's script on the ledger contracts (lib/ledger, an in-process Hardhat chain)
 * and reads the payouts back, so they can be checked against fast mode to the wei.
 *
 * Mapping of the script to transactions, per epoch (one epoch = one day of block time):
 *   registrations → register(keccak(contentHash), 1, datanet) from the identity's account, stake as value;
 *                   reverted ones (DuplicateContent) are attempted too and must revert;
 *   challenges    → challenge(item) with the bond from the challenger, resolve(id, upheld) by the resolver;
 *   events        → the oracle posts the epoch's events at its end, after rulings, in batches: items flagged
 *                   by off-chain defences (duplicates, identity clustering) are left out of the posted event,
 *                   items slashed by a challenge are left in and the contract skips them — both equal to
 *                   rules.ts aggregateEpoch skipping flagged items; an event with nothing left pays its fee
 *                   with fund();
 *   funding       → fund(); then closeEpoch and the paginated settlement; then one day passes.
 * Hardhat/ethers load lazily (only when this runs).
 */
import { LedgerLabError } from '../errors.ts';
import type { LedgerChain } from '../ledger/index.ts';
import { ethToWei } from './config.ts';
import type { Episode } from './episode.ts';
import { RULE_IDS } from './settle.ts';

export interface EvmEpoch { epoch: number; pool: bigint; payouts: Map<string, bigint>; gas: bigint }
export interface EvmSettlement { epochs: EvmEpoch[]; payout: Map<string, bigint>; gas: bigint; txs: number; seconds: number }

export async function settleEvm(ep: Episode, opts: { chain?: LedgerChain; batch?: number } = {}): Promise<EvmSettlement> {
  const t0 = performance.now();
  const { startInProcessChain, deployLedger, closeAndSettle, readPayees, LedgerRevertError } = await import('../ledger/index.ts');
  const { id: keccakId, encodeBytes32String } = await import('ethers');
  const chain = opts.chain ?? (await startInProcessChain());
  const batch = opts.batch ?? 40;
  const { world, design } = ep;
  let gas = 0n, txs = 0;
  const count = (r: { gasUsed: bigint }) => { gas += r.gasUsed; txs++; return r.gasUsed; };
  try {
    const { ledger, owner } = await deployLedger(chain, {
      datanets: world.datanets,
      params: {
        dailyCap: world.dailyCap, allowDuplicates: !design.defences.includes('duplicates'), minStake: 0n,
        challengeBond: ethToWei(design.challengeBondEth), challengeWindow: (world.epochs + 2) * 86400, resolveWindow: 86400, revealWindow: 86400,
        slashBountyBps: design.slashBountyBps, slashRepBps: design.slashRepBps, decayBps: design.decayBps, capMultipleBps: design.capMultipleBps,
      },
    });
    await ledger.setRule(RULE_IDS[design.rule], { from: owner });
    const accts = await chain.fundedAccounts(ep.identities.length + 1, 10n ** 24n, `sim-${ep.seed}`);
    const addr = new Map(ep.identities.map((idt, i) => [idt.id, accts[i]] as const));
    const idOf = new Map(ep.identities.map((idt, i) => [accts[i].toLowerCase(), idt.id] as const));
    const challenger = accts[ep.identities.length];
    // Start on a fresh day so each epoch's registrations share one day index (the daily cap's unit).
    const block = await chain.request<{ timestamp: string }>('eth_getBlockByNumber', ['latest', false]);
    await chain.increaseTime(86400 - (Number(BigInt(block.timestamp)) % 86400) + 60);
    const hash = (h: string) => keccakId(`sim:${h}`);
    let challengeId = 0;
    const out: EvmEpoch[] = [];
    const offChainFlag = (item: number, e: number) => {
      const f = ep.flagged.get(item);
      return f !== undefined && f.by !== 'challenges' && f.epoch <= e;
    };
    for (const log of ep.epochs) {
      const gas0 = gas;
      for (const r of log.registrations) {
        const it = ep.items[r.item];
        count(await ledger.register(hash(r.contentHash), 1, it.datanet + 1, { from: addr.get(r.identity)!, value: r.stake }));
      }
      for (const r of log.rejected) await expectRevert(() => ledger.register(hash(r.contentHash), 1, 1, { from: addr.get(r.identity)!, value: 0n }), r.contentHash, LedgerRevertError);
      for (const c of log.challenges) {
        count(await ledger.challenge(c.item + 1, encodeBytes32String('sim'), { from: challenger, value: ethToWei(design.challengeBondEth) }));
        count(await ledger.resolve(++challengeId, c.upheld, { from: owner }));
      }
      const { posted, unposted } = eventsToPost(log, (item) => offChainFlag(item, log.epoch));
      for (let i = 0; i < posted.length; i += batch) {
        const part = posted.slice(i, i + batch);
        count(await ledger.logAttributions(part, { from: owner, value: part.reduce((a, p) => a + p.fee, 0n) }));
      }
      if (unposted > 0n) count(await ledger.fund({ from: owner, value: unposted }));
      const pool = (await ledger.epochOf(log.epoch)).pool as bigint;
      const run = await closeAndSettle(ledger, { from: owner });
      gas += run.totalGas;
      txs += 1 + run.scorePages.length + run.sumPages.length;
      const payouts = new Map<string, bigint>();
      for (const a of await readPayees(ledger, log.epoch)) payouts.set(idOf.get(a.toLowerCase())!, (await ledger.payoutOf(log.epoch, a)) as bigint);
      out.push({ epoch: log.epoch, pool, payouts, gas: gas - gas0 });
      await chain.increaseTime(86400);
    }
    const items = Number((await ledger.itemCount()) as bigint);
    if (items !== ep.items.length) {
      throw new LedgerLabError({ kind: 'ledger', problem: `chain holds ${items} items, the episode ${ep.items.length}`, where: 'AttributionLedger.itemCount', hint: 'a registration reverted or succeeded unexpectedly' });
    }
    const payout = new Map<string, bigint>();
    for (const e of out) for (const [id, v] of e.payouts) payout.set(id, (payout.get(id) ?? 0n) + v);
    return { epochs: out, payout, gas, txs, seconds: (performance.now() - t0) / 1000 };
  } finally {
    if (!opts.chain) await chain.close();
  }
}

/** A duplicate registration fast mode rejected must revert on chain with DuplicateContent too. */
async function expectRevert(send: () => Promise<unknown>, contentHash: string, RevertError: typeof import('../ledger/index.ts').LedgerRevertError): Promise<void> {
  try {
    await send();
  } catch (err) {
    if (err instanceof RevertError && err.reason === 'DuplicateContent') return;
    throw err;
  }
  throw new LedgerLabError({ kind: 'ledger', problem: `registration of duplicate ${contentHash} did not revert`, where: 'AttributionLedger.register', hint: 'fast mode assumed the registry rejects duplicates under the duplicates defence' });
}

/**
 * An epoch's events as the oracle posts them: items flagged off-chain left out (sorted by item, 1-based ids);
 * an event with nothing left, and the epoch's funding, go to the pool unposted (paid with fund()).
 */
function eventsToPost(log: Episode['epochs'][number], offChain: (item: number) => boolean): { posted: { fee: bigint; items: number[]; weights: number[] }[]; unposted: bigint } {
  let unposted = log.funding;
  const posted: { fee: bigint; items: number[]; weights: number[] }[] = [];
  for (const ev of log.events) {
    const kept = ev.items.filter((w) => !offChain(w.item)).sort((a, b) => a.item - b.item);
    if (kept.length === 0) unposted += ev.fee;
    else posted.push({ fee: ev.fee, items: kept.map((w) => w.item + 1), weights: kept.map((w) => w.weight) });
  }
  return { posted, unposted };
}

export interface EvmCheck { design: string; attack: string; seed: number; gas: bigint; txs: number; seconds: number; payees: number }

/**
 * EVM mode of a sweep: the fast sweep (all metrics, counterfactual runs off-chain), plus every attack
 * episode replayed on one in-process chain and its payouts checked against fast mode to the wei; a
 * mismatch is an error naming the cell, epoch and identity. Returns the measured gas per episode.
 */
export async function verifySweepOnChain(
  cfg: import('./config.ts').SimCore,
  seeds: readonly number[],
  onEpisode?: (c: EvmCheck, done: number, total: number) => void,
): Promise<EvmCheck[]> {
  const { startInProcessChain } = await import('../ledger/index.ts');
  const { playEpisode } = await import('./episode.ts');
  const { settleFast } = await import('./settle.ts');
  const { agentsFor } = await import('./run.ts');
  const { attackName } = await import('./config.ts');
  const chain = await startInProcessChain();
  const out: EvmCheck[] = [];
  const total = cfg.designs.length * cfg.attacks.length * seeds.length;
  try {
    for (const d of cfg.designs) {
      for (const a of cfg.attacks) {
        for (const seed of seeds) {
          const ep = playEpisode(cfg.world, d, agentsFor(cfg.world, a), seed);
          const fast = settleFast(ep);
          const evm = await settleEvm(ep, { chain });
          for (const e of fast.epochs) {
            const got = evm.epochs[e.epoch].payouts;
            for (const p of e.payees) {
              if (got.get(p.id) !== p.payout || got.size !== e.payees.length) {
                throw new LedgerLabError({
                  kind: 'ledger', problem: `evm and fast mode disagree: ${p.id} gets ${got.get(p.id)} wei on chain, ${p.payout} off-chain`,
                  where: `design ${d.name} × attack ${attackName(a)}, seed ${seed}, epoch ${e.epoch}`,
                  hint: 'compare lib/ledger/rules.ts with contracts/Settlement.sol for this rule',
                });
              }
            }
          }
          const c = { design: d.name, attack: attackName(a), seed, gas: evm.gas, txs: evm.txs, seconds: evm.seconds, payees: fast.epochs.reduce((n, e) => n + e.payees.length, 0) };
          out.push(c);
          onEpisode?.(c, out.length, total);
        }
      }
    }
  } finally {
    await chain.close();
  }
  return out;
}

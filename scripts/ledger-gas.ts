/**
 * Gas per ledger call for the documentation's gas table (docs/measurements/*-ledger.md): one fresh
 * in-process chain, one transaction per row, receipts' gasUsed (deterministic: the same contracts give
 * the same numbers on any machine). Functions the compiled contract does not have are reported as "—",
 * so the same script measures an older contracts/ for a before/after table.
 *
 *   node_modules/.bin/node scripts/ledger-gas.ts [--json]
 */
import { id as keccakId } from 'ethers';
import { startInProcessChain, deployLedger, closeAndSettle, TX_GAS_CAP, type Receipt } from '../lib/ledger/index.ts';

const ETH = 10n ** 18n;
const h = (s: string) => keccakId(`gas-${s}`);

async function main() {
  const chain = await startInProcessChain();
  const rows: [string, bigint | null][] = [];
  const row = (name: string, r: Receipt | null) => rows.push([name, r ? r.gasUsed : null]);
  try {
    const { ledger, owner, deployGas } = await deployLedger(chain, { params: { dailyCap: 0, challengeBond: 10n ** 15n, challengeWindow: 86_400, resolveWindow: 3_600, revealWindow: 3_600 } });
    // the bindings are the current ABI; an older compiled contract may lack a function
    const code = await chain.request<string>('eth_getCode', [ledger.address, 'latest']);
    const has = (fn: string) => code.includes(ledger.iface.getFunction(fn)!.selector.slice(2));
    const [a, b, c, d] = await chain.fundedAccounts(4, 1000n * ETH, 'gas-table');
    rows.push(['deployment', deployGas]);
    row('register (identity\'s first, no stake)', await ledger.register(h('a1'), 1, 1, { from: a }));
    row('register (repeat identity, no stake)', await ledger.register(h('a2'), 1, 1, { from: a }));
    row('register (with stake, epoch 0)', await ledger.register(h('a3'), 1, 1, { from: a, value: ETH }));
    await ledger.register(h('b1'), 1, 1, { from: b, value: ETH }); // item 4
    await ledger.register(h('d1'), 1, 1, { from: d, value: ETH }); // item 5, to be slashed
    row('addStake', await ledger.addStake(3, { from: a, value: 1n }));
    row('challenge (the ledger\'s first)', await ledger.challenge(5, h('why'), { from: b, value: 10n ** 15n }));
    row('challenge (later)', await ledger.challenge(2, h('why'), { from: b, value: 10n ** 15n }));
    row('resolve upheld (slashes 1 ETH)', await ledger.resolve(1, true, { from: owner }));
    row('resolve rejected', await ledger.resolve(2, false, { from: owner }));
    row('fund', await ledger.fund({ from: c, value: 1000n }));
    const evs = [{ fee: 999n, items: [2, 3, 4], weights: [1, 2, 3] }];
    row('logAttributions (1 event, 3 items)', await ledger.logAttributions(evs, { from: owner, value: 999n }));
    await closeAndSettle(ledger, { from: owner });
    row('claim', await ledger.claim(0, { from: a }));
    row('claimTo', has('claimTo') ? await ledger.claimTo(0, d, { from: b }) : null);
    row('withdraw', await ledger.withdraw({ from: b }));
    await ledger.fund({ from: c, value: 1n });
    // epoch 1: the first stake change of an identity in an epoch writes its stake checkpoint
    row('register (with stake, first stake change in an epoch)', await ledger.register(h('a4'), 1, 1, { from: a, value: ETH }));
    row('register (with stake, later in the same epoch)', await ledger.register(h('a5'), 1, 1, { from: a, value: ETH }));
    await chain.increaseTime(86_400);
    row('withdrawStake', await ledger.withdrawStake(3, { from: a }));
    if (has('commitRegistration')) {
      const salt = h('salt');
      const cm = await ledger.commitmentOf(c, h('c1'), 1, 1, salt);
      row('commitRegistration', await ledger.commitRegistration(cm, { from: c }));
      row('revealRegistration (fresh hash)', await ledger.revealRegistration(h('c1'), 1, 1, salt, { from: c }));
      const cm2 = await ledger.commitmentOf(c, h('c2'), 1, 1, salt);
      await ledger.commitRegistration(cm2, { from: c });
      await ledger.register(h('c2'), 1, 1, { from: d }); // the front-runner
      row('revealRegistration (takes the hash back)', await ledger.revealRegistration(h('c2'), 1, 1, salt, { from: c }));
      await ledger.challenge(9, h('why'), { from: a, value: 10n ** 15n }); // the front-runner's item
      await chain.increaseTime(3_600);
      row('lapse', await ledger.lapse(await ledger.challengeCount(), { from: c }));
      row('withdrawTo', await ledger.withdrawTo(a, { from: d }));
    } else {
      for (const n of ['commitRegistration', 'revealRegistration (fresh hash)', 'revealRegistration (takes the hash back)', 'lapse', 'withdrawTo']) rows.push([n, null]);
    }
    {
      // a second deployment that accepts duplicates (setParams' selector changes with the Params struct)
      const dup = (await deployLedger(chain, { params: { dailyCap: 0, allowDuplicates: true } })).ledger;
      await dup.register(h('x1'), 1, 1, { from: a });
      await dup.register(h('x2'), 1, 1, { from: a });
      row('register (accepted duplicate, repeat identity)', await dup.register(h('x1'), 1, 1, { from: a }));
    }
    // settlement of 500 payees under the STAKE rule (reads the checkpoint) and PRO_RATA, pages of 500
    for (const [rule, name] of [[0, 'pro-rata'], [1, 'stake']] as const) {
      const snap = await chain.snapshot();
      await ledger.setRule(rule, { from: owner });
      const users = await chain.fundedAccounts(500, 2n * ETH, `gas-payees-${rule}`);
      await chain.sendBatch(users.map((u, i) => ledger.registerTx(h(`p${rule}-${i}`), 1, 1, { from: u, value: ETH, gas: 400_000n })));
      const first = Number(await ledger.itemCount()) - 499;
      const txs = [];
      for (let s = 0; s < 500; s += 200) {
        const part = [];
        for (let e = s; e < Math.min(s + 200, 500); e += 50) {
          const items = Array.from({ length: 50 }, (_, k) => first + e + k);
          part.push({ fee: 10n ** 12n, items, weights: items.map((_, k) => 1 + (k % 7)) });
        }
        txs.push(ledger.logAttributionsTx(part, { from: owner, value: BigInt(part.length) * 10n ** 12n, gas: TX_GAS_CAP }));
      }
      await chain.sendBatch(txs);
      const run = await closeAndSettle(ledger, { from: owner, pageSize: 500 });
      rows.push([`settlement, 500 payees, ${name} (close + score + sum)`, run.totalGas]);
      rows.push([`  largest page (computeScores[500], ${name})`, run.maxTxGas]);
      await chain.revert(snap);
    }
  } finally {
    await chain.close();
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(Object.fromEntries(rows.map(([k, v]) => [k, v === null ? null : Number(v)])), null, 2));
    return;
  }
  console.log('| call | gas |\n| --- | ---: |');
  for (const [k, v] of rows) console.log(`| ${k} | ${v === null ? '—' : v.toLocaleString('en-US')} |`);
}

await main();
process.exit(0);

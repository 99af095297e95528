import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { startNodeChain, deployLedger, LedgerRevertError, ROLES, type LedgerChain } from '../../lib/ledger/index.ts';
import { id } from 'ethers';

/** Local addresses listening on a TCP port, from /proc/net/tcp (hex "0100007F" = 127.0.0.1). */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const rows = [readFileSync('/proc/net/tcp', 'utf8'), readFileSync('/proc/net/tcp6', 'utf8')].join('\n').split('\n');
  return rows.map((r) => r.trim().split(/\s+/)).filter((c) => c[1]?.endsWith(`:${hexPort}`) && c[3] === '0A').map((c) => c[1].split(':')[0]);
}

let chain: LedgerChain;
test.before(async () => { chain = await startNodeChain(); });
test.after(async () => { await chain.close(); });

test('hardhat node: bound to 127.0.0.1 only, deploy, send, batch, events, decoded revert over HTTP', async () => {
  const port = Number(new URL(chain.url!).port);
  assert.is(new URL(chain.url!).hostname, '127.0.0.1');
  assert.equal(listeners(port), ['0100007F']);
  const { ledger, owner } = await deployLedger(chain, { params: { dailyCap: 2 } });
  const [u] = await chain.fundedAccounts(1, 10n ** 18n, 'node-test');
  await ledger.register(id('n1'), 5, 1, { from: u });
  await ledger.register(id('n2'), 5, 1, { from: u });
  try {
    await ledger.register(id('n3'), 5, 1, { from: u });
    assert.unreachable('cap');
  } catch (e) {
    assert.instance(e, LedgerRevertError);
    assert.is((e as LedgerRevertError).reason, 'DailyCapExceeded');
    assert.is((e as LedgerRevertError).where, 'AttributionLedger.register');
  }
  try {
    await ledger.grantRole(ROLES.SETTLER, u, { from: u });
    assert.unreachable('owner');
  } catch (e) {
    assert.is((e as LedgerRevertError).reason, 'NotOwner');
  }
  const txs = Array.from({ length: 20 }, (_, i) => ledger.logAttributionsTx([{ fee: BigInt(i), items: [1, 2], weights: [1, 1 + i] }], { from: owner, value: BigInt(i), gas: 500_000n }));
  const { receipts } = await chain.sendBatch(txs, { receipts: true });
  assert.ok(receipts!.every((r) => r.status === 1n));
  assert.is((await ledger.events('Attributed')).length, 20);
  let volume = 0n; // v floored per (event, item): floor(i·1/(2+i)) + floor(i·(1+i)/(2+i))
  for (let i = 0n; i < 20n; i++) volume += (i * 1n) / (2n + i) + (i * (1n + i)) / (2n + i);
  assert.is(volume, 171n);
  assert.equal(await ledger.accountOf(0, u), { usage: 20n + 210n, score: 0n, volume, claimed: false });
});

test('close() stops the node: the port stops answering', async () => {
  const url = chain.url!;
  await chain.close();
  let failed = false;
  try { await fetch(url, { method: 'POST', body: '{}' }); } catch { failed = true; }
  assert.ok(failed);
  assert.equal(listeners(Number(new URL(url).port)), []);
});

test.run();

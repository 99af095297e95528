import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InterfaceAbi } from 'ethers';
import { generateBinding, BOUND_CONTRACTS } from '../../lib/ledger/gen-bindings.ts';
import { readArtifact } from '../../lib/ledger/compile.ts';
import { AttributionLedgerAbi } from '../../lib/ledger/bindings/AttributionLedger.ts';

test('committed bindings equal what the generator makes from a fresh offline compile', async () => {
  for (const name of BOUND_CONTRACTS) {
    const art = await readArtifact(name);
    const want = generateBinding(name, art.abi as InterfaceAbi, art.sourceName);
    const have = readFileSync(join(import.meta.dirname, '..', '..', 'lib', 'ledger', 'bindings', `${name}.ts`), 'utf8');
    assert.ok(have === want, `lib/ledger/bindings/${name}.ts is stale: run node_modules/.bin/node lib/ledger/gen-bindings.ts`);
  }
  assert.ok(AttributionLedgerAbi.length > 50);
});

test('every custom error in the ABI is declared once; contract stays under the 24,576-byte limit', async () => {
  const art = await readArtifact('AttributionLedger');
  const errors = (art.abi as { type: string; name: string }[]).filter((x) => x.type === 'error').map((x) => x.name);
  assert.equal(new Set(errors).size, errors.length);
  for (const e of ['Unauthorized', 'NotOwner', 'DuplicateContent', 'DailyCapExceeded', 'WrongPhase', 'FeeMismatch', 'Reentrancy', 'TransferFailed']) assert.ok(errors.includes(e), e);
  assert.ok((art.deployedBytecode.length - 2) / 2 < 24_576, `runtime size ${(art.deployedBytecode.length - 2) / 2}`);
});

test.run();

/**
 * Hardhat 3 config for the attribution ledger (contracts/). Compiles OFFLINE with the solc npm package's
 * soljson.js (Debian has no solc and the compiler download is unreachable); the version must match the
 * package. Artefacts go to .cache/hardhat/ (git-ignored), so a fresh clone recompiles in ~3 s.
 * lib/ledger/ builds its runtime environment from this same object (hardhatUserConfig).
 */
import { createRequire } from 'node:module';
import type { HardhatUserConfig } from 'hardhat/config';

const require = createRequire(import.meta.url);

export const hardhatUserConfig: HardhatUserConfig = {
  solidity: {
    version: '0.8.28',
    path: require.resolve('solc/soljson.js'),
    settings: { optimizer: { enabled: true, runs: 200 }, viaIR: false },
  },
  paths: {
    sources: './contracts',
    artifacts: './.cache/hardhat/artifacts',
    cache: './.cache/hardhat/cache',
  },
  networks: {
    // The in-process EDR chain used by lib/ledger (network.create('ledger')); many impersonated senders.
    // Base fee 0 so balance checks in tests are exact to the wei; gas USED is still metered and reported.
    // The base fee only stays 0 while blocks stay under half full (EIP-1559 raises it by ≥ 1 wei above the
    // target, which strands zero-fee txs), hence the large block gas limit; the per-TRANSACTION cap of
    // 16,777,216 (EIP-7825) still applies and is what paginated settlement is designed around.
    ledger: {
      type: 'edr-simulated', chainType: 'l1', allowUnlimitedContractSize: false, loggingEnabled: false,
      initialBaseFeePerGas: 0, blockGasLimit: 10_000_000_000,
    },
  },
};

export default hardhatUserConfig;

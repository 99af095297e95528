/**
 * A chain to talk to: Hardhat's in-process EDR simulator (`network.create()`), or a `hardhat node` child
 * process bound to 127.0.0.1 that this module starts and stops. Both are driven through raw JSON-RPC:
 * explicit nonces and fees, automine off + evm_mine per round for throughput, snapshot/revert, and funded
 * impersonated accounts (no keys, no signing: the simulator accepts eth_sendTransaction from them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import { childEnv, Rng } from '../util/index.ts';
import { hardhatRuntime, LEDGER_ROOT, type Eip1193Provider } from './compile.ts';

export type Hex = `0x${string}`;

export interface TxRequest {
  from: string;
  to?: string;
  data?: string;
  value?: bigint;
  /** Gas limit; default 16,777,216 (the per-transaction cap). Give a tight value for batches so many fit a block. */
  gas?: bigint;
}

export interface Receipt {
  transactionHash: Hex;
  status: bigint;
  gasUsed: bigint;
  blockNumber: bigint;
  contractAddress: string | null;
  logs: { address: string; topics: string[]; data: string }[];
}

/** Error thrown by a provider for a reverted call: message plus the raw revert data when there is any. */
export interface RpcError extends Error {
  data?: unknown;
}

export const TX_GAS_CAP = 16_777_216n;
const toHex = (n: bigint | number) => `0x${n.toString(16)}` as Hex;

export class LedgerChain {
  readonly kind: 'in-process' | 'node';
  readonly provider: Eip1193Provider;
  /** JSON-RPC URL of a `hardhat node` chain (undefined in-process). */
  url: string | undefined;
  /** Process id of a `hardhat node` chain (undefined in-process): its memory is measured separately. */
  pid: number | undefined;
  /** Next nonce per sender, tracked locally so batched sends never ask the chain. */
  private readonly nonces = new Map<string, bigint>();
  private readonly closer: () => Promise<void>;
  private automine = true;

  constructor(kind: 'in-process' | 'node', provider: Eip1193Provider, closer: () => Promise<void>) {
    this.kind = kind;
    this.provider = provider;
    this.closer = closer;
    this.url = undefined;
    this.pid = undefined;
  }

  request<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    return this.provider.request({ method, params }) as Promise<T>;
  }

  async accounts(): Promise<string[]> {
    return this.request<string[]>('eth_accounts');
  }

  async blockNumber(): Promise<bigint> {
    return BigInt(await this.request<string>('eth_blockNumber'));
  }

  async balance(addr: string): Promise<bigint> {
    return BigInt(await this.request<string>('eth_getBalance', [addr, 'latest']));
  }

  async snapshot(): Promise<string> {
    return this.request<string>('evm_snapshot');
  }

  /** Reverts to a snapshot. The snapshot is consumed (take a new one to return again). */
  async revert(id: string): Promise<void> {
    const ok = await this.request<boolean>('evm_revert', [id]);
    if (!ok) throw new LedgerLabError({ kind: 'ledger', problem: `snapshot ${id} does not exist (already reverted?)`, where: 'evm_revert', hint: 'a revert consumes its snapshot; take a new one after reverting' });
    this.nonces.clear();
  }

  async setAutomine(on: boolean): Promise<void> {
    await this.request('evm_setAutomine', [on]);
    this.automine = on;
  }

  async mine(): Promise<void> {
    await this.request('evm_mine');
  }

  async increaseTime(seconds: number): Promise<void> {
    await this.request('evm_increaseTime', [seconds]);
    await this.mine();
  }

  async setBalance(addr: string, wei: bigint): Promise<void> {
    await this.request('hardhat_setBalance', [addr, toHex(wei)]);
  }

  /**
   * n fresh addresses derived from a seed, funded with `wei` each and impersonated, so they can send
   * unsigned eth_sendTransaction calls. Deterministic for a given seed.
   */
  async fundedAccounts(n: number, wei: bigint, seed: string | number = 'ledger-accounts'): Promise<string[]> {
    const next = addressStream(seed);
    const out = Array.from({ length: n }, next);
    await Promise.all(out.flatMap((a) => [this.setBalance(a, wei), this.request('hardhat_impersonateAccount', [a])]));
    return out;
  }

  /**
   * Impersonates addresses without funding them: enough for senders of zero-value transactions, since
   * every transaction here pays zero fees. hardhat_setBalance is what costs memory at scale (EDR keeps
   * each balance override as irregular state: ~15 KB per account measured, docs/adaptive-attacks.md).
   */
  async impersonate(addresses: readonly string[]): Promise<void> {
    await Promise.all(addresses.map((a) => this.request('hardhat_impersonateAccount', [a])));
  }

  /** Drops the locally tracked nonces of senders that will not send again (bounded memory at scale). */
  forgetNonces(addresses: readonly string[]): void {
    for (const a of addresses) this.nonces.delete(a.toLowerCase());
  }

  private async nextNonce(from: string): Promise<bigint> {
    const key = from.toLowerCase();
    let n = this.nonces.get(key);
    if (n === undefined) n = BigInt(await this.request<string>('eth_getTransactionCount', [from, 'pending']));
    this.nonces.set(key, n + 1n);
    return n;
  }

  private txParams(tx: TxRequest, nonce: bigint): Record<string, string> {
    const p: Record<string, string> = {
      from: tx.from, nonce: toHex(nonce), gas: toHex(tx.gas ?? TX_GAS_CAP),
      // Explicit zero fees: with automine off and no fees the simulator re-estimates per tx (58 s / 1,000 tx).
      maxFeePerGas: '0x0', maxPriorityFeePerGas: '0x0',
    };
    if (tx.to) p.to = tx.to;
    if (tx.data) p.data = tx.data;
    if (tx.value) p.value = toHex(tx.value);
    return p;
  }

  /** Sends one transaction and returns its hash; with automine on it is mined when this resolves. */
  async sendTransaction(tx: TxRequest): Promise<Hex> {
    const nonce = await this.nextNonce(tx.from);
    try {
      return await this.request<Hex>('eth_sendTransaction', [this.txParams(tx, nonce)]);
    } catch (err) {
      // A rejected tx did not use its nonce: resync from the chain next time.
      this.nonces.delete(tx.from.toLowerCase());
      throw err;
    }
  }

  async receipt(hash: string): Promise<Receipt> {
    const r = await this.request<Record<string, any> | null>('eth_getTransactionReceipt', [hash]);
    if (!r) throw new LedgerLabError({ kind: 'ledger', problem: `no receipt for ${hash}`, where: 'eth_getTransactionReceipt', hint: 'mine a block first (automine is off?)' });
    return parseReceipt(r);
  }

  /**
   * Batched throughput path: automine off; transactions submitted concurrently with explicit nonces and
   * zero fees in rounds of `round` (default 500), one evm_mine per round (mining again while the mempool
   * is not empty). Rounds keep blocks moderate: one 5,000-tx block mines ~3x slower per tx than ten
   * 500-tx blocks. Returns receipts in submission order when `receipts` is set (one RPC per tx).
   */
  async sendBatch(txs: readonly TxRequest[], opts: { receipts?: boolean; round?: number } = {}): Promise<{ hashes: Hex[]; receipts?: Receipt[]; blocks: number }> {
    const wasAuto = this.automine;
    if (wasAuto) await this.setAutomine(false);
    const round = opts.round ?? 500;
    let blocks = 0;
    const hashes: Hex[] = [];
    try {
      for (let start = 0; start < txs.length; start += round) {
        const part = txs.slice(start, start + round);
        const withNonce: [TxRequest, bigint][] = [];
        for (const tx of part) withNonce.push([tx, await this.nextNonce(tx.from)]);
        // Over HTTP, a bounded number in flight: 500 concurrent fetches open 500 sockets per round, and a
        // 100,000-payee run through `hardhat node` failed with "fetch failed" near its end that way.
        const inFlight = this.kind === 'node' ? 32 : withNonce.length;
        for (let k = 0; k < withNonce.length; k += inFlight) {
          hashes.push(...(await Promise.all(withNonce.slice(k, k + inFlight).map(([tx, n]) => this.request<Hex>('eth_sendTransaction', [this.txParams(tx, n)])))));
        }
        blocks += await this.mineAll();
      }
      const receipts = opts.receipts ? await Promise.all(hashes.map((h) => this.receipt(h))) : undefined;
      return { hashes, receipts, blocks };
    } catch (err) {
      this.nonces.clear();
      throw err;
    } finally {
      if (wasAuto) await this.setAutomine(true);
    }
  }

  /** Mines until the mempool is empty; returns the number of blocks mined. */
  async mineAll(): Promise<number> {
    for (let blocks = 1; ; blocks++) {
      await this.mine();
      const left = (await this.request<unknown[]>('eth_pendingTransactions')).length;
      if (left === 0) return blocks;
      const mined = await this.request<Record<string, any>>('eth_getBlockByNumber', ['latest', false]);
      if ((mined.transactions as unknown[]).length === 0) {
        throw new LedgerLabError({
          kind: 'ledger', problem: `${left} transactions stay pending: the last mined block took none`, where: 'LedgerChain.sendBatch',
          hint: 'zero-fee transactions strand once the base fee rises above 0 (a block over half full); keep blockGasLimit large (hardhat.config.ts) or fund senders and pass fees',
        });
      }
    }
  }

  async close(): Promise<void> {
    await this.closer();
  }
}

/**
 * A deterministic stream of fresh addresses from a seed: the same seed gives the same sequence, so n
 * addresses drawn one chunk at a time equal fundedAccounts(n, …, seed).
 */
export function addressStream(seed: string | number): () => string {
  const rng = new Rng(seed);
  return () => {
    let hex = '0x';
    for (let k = 0; k < 5; k++) hex += rng.nextUint32().toString(16).padStart(8, '0');
    return hex;
  };
}

export function parseReceipt(r: Record<string, any>): Receipt {
  return {
    transactionHash: r.transactionHash, status: BigInt(r.status), gasUsed: BigInt(r.gasUsed), blockNumber: BigInt(r.blockNumber),
    contractAddress: r.contractAddress ?? null, logs: r.logs,
  };
}

/**
 * In-process simulated chain (fastest: ~2,000 tx/s batched on 2 cores). Each call creates an independent
 * chain. Close it when done.
 *
 * @example
 * const chain = await startInProcessChain();
 * const [deployer] = await chain.accounts();
 * await chain.close();
 */
export async function startInProcessChain(): Promise<LedgerChain> {
  const hre = await hardhatRuntime();
  const conn = await hre.network.create('ledger');
  return new LedgerChain('in-process', conn.provider, () => conn.close());
}

/** Minimal JSON-RPC over HTTP (fetch); errors keep the revert data in `.data` like the in-process provider. */
export function httpProvider(url: string, state?: () => string): Eip1193Provider {
  let id = 0;
  return {
    async request({ method, params }) {
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params: params ?? [] }) });
      } catch (err) {
        // fetch's own message is only "fetch failed"; the socket error is in its cause.
        const c = (err as { cause?: { code?: string; message?: string } }).cause;
        throw new LedgerLabError({ kind: 'ledger', problem: `${method} over HTTP failed: ${c?.code ?? ''} ${c?.message ?? (err as Error).message}`.trim(), where: url, hint: state?.() ?? 'is the node still running?', cause: err });
      }
      const body = (await res.json()) as { result?: unknown; error?: { message: string; data?: unknown } };
      if (body.error) {
        const err = new Error(body.error.message) as RpcError;
        const d = body.error.data as any;
        err.data = typeof d === 'string' ? d : d?.data ?? d;
        throw err;
      }
      return body.result;
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `hardhat node --network ledger` on 127.0.0.1 (never another interface) as a child process and
 * connects over HTTP; close() stops the child. 3–4x slower per transaction than in-process.
 */
export async function startNodeChain(opts: { port?: number; timeoutMs?: number } = {}): Promise<LedgerChain> {
  const port = opts.port ?? (await freePort());
  const cli = join(LEDGER_ROOT, 'node_modules', 'hardhat', 'dist', 'src', 'cli.js');
  const child: ChildProcess = spawn(process.execPath, [cli, 'node', '--network', 'ledger', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: LEDGER_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv({ HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true', DO_NOT_TRACK: '1' }),
  });
  // If this process ends without close(), the node must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let output = '';
  // Only the tail is kept (for error hints): the node may log every request of a 10⁵-transaction run.
  const keep = (d: Buffer) => { output = (output + d).slice(-4096); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const provider = httpProvider(url, () => (child.exitCode !== null || child.signalCode !== null
    ? `hardhat node exited (${child.exitCode ?? child.signalCode}): ${output.slice(-800) || 'no output'}`
    : `hardhat node (pid ${child.pid}) still running; its last output: ${output.slice(-400) || 'none'}`));
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new LedgerLabError({ kind: 'ledger', problem: `hardhat node exited with code ${child.exitCode}`, where: url, hint: output.slice(-800) || 'no output' });
    }
    try {
      await provider.request({ method: 'eth_chainId' });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new LedgerLabError({ kind: 'ledger', problem: 'hardhat node did not answer in time', where: url, hint: output.slice(-800) || 'no output' });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const chain = new LedgerChain('node', provider, stop);
  chain.url = url;
  chain.pid = child.pid;
  return chain;
}

/**
 * A deployed contract driven over raw JSON-RPC with ethers' ABI coder (no ethers provider/signer in the
 * hot path: Contract + Wallet + wait() manages only ~150 tx/s). Reverts become LedgerRevertError naming
 * the contract, the function and the decoded reason (custom error with its arguments, require string or
 * panic code). Generated bindings in ./bindings/ subclass this with one typed method per function.
 */
import { Interface, type ParamType, type Result, type InterfaceAbi, type FunctionFragment } from 'ethers';
import { LedgerLabError } from '../errors.ts';
import type { LedgerChain, Receipt, TxRequest, RpcError } from './chain.ts';
import { readArtifact } from './compile.ts';

export interface SendOptions {
  from: string;
  value?: bigint;
  gas?: bigint;
}

export interface ReadOptions {
  from?: string;
  blockTag?: string;
}

export interface DecodedLog {
  name: string;
  args: Record<string, unknown>;
  address: string;
}

/** A revert decoded from a contract call: `reason` is the custom error name (or "Error"/"Panic"). */
export class LedgerRevertError extends LedgerLabError {
  readonly contract: string;
  readonly fn: string;
  readonly reason: string;
  readonly args: unknown[];

  constructor(d: { contract: string; fn: string; reason: string; args: unknown[]; detail: string; cause?: unknown }) {
    super({
      kind: 'ledger', problem: `${d.contract}.${d.fn} reverted: ${d.detail}`, where: `${d.contract}.${d.fn}`,
      hint: hintFor(d.reason), cause: d.cause,
    });
    this.name = 'LedgerRevertError';
    this.contract = d.contract;
    this.fn = d.fn;
    this.reason = d.reason;
    this.args = d.args;
  }
}

function hintFor(reason: string): string {
  switch (reason) {
    case 'Unauthorized': return 'the sender lacks the role; the owner grants it with grantRole(role, account)';
    case 'NotOwner': return 'only the owner may call this';
    case 'DuplicateContent': return 'this content hash is registered already; setParams({allowDuplicates: true}) to study undefended designs';
    case 'DailyCapExceeded': return 'wait for the next UTC day (evm_increaseTime 86400 on a dev chain) or raise dailyCap';
    case 'WrongPhase': return 'settle in order: closeEpoch → computeScores pages → sumPayouts pages; claims open after scoring; an epoch closes only after the previous one is scored';
    case 'CommitmentExpired': return 'reveal within revealWindow seconds of commitRegistration, or commit again';
    case 'UnknownCommitment': return 'reveal with the sender, hash, size, Datanet and salt of the commitment (commitmentOf gives it)';
    case 'ResolutionDeadlinePassed': return 'the challenge is past its deadline: anyone may lapse(challengeId) it now';
    case 'ResolutionPending': return 'a challenge can be lapsed only from its deadline on (challengeOf(id).deadline)';
    case 'TransferFailed': return 'the recipient refuses ETH: claimTo(e, to) / withdrawTo(to) pay another address';
    case 'FeeMismatch': return 'msg.value must equal the sum of the batch fees';
    default: return 'see the custom error in contracts/ for the condition that failed';
  }
}

/** Turns decoded values into plain JS: tuples become objects keyed by component name, arrays stay arrays. */
export function plain(value: unknown, type: ParamType): unknown {
  if (type.isTuple()) {
    const r = value as Result;
    const o: Record<string, unknown> = {};
    type.components.forEach((c, i) => (o[c.name || String(i)] = plain(r[i], c)));
    return o;
  }
  if (type.isArray()) return Array.from(value as Result, (v) => plain(v, type.arrayChildren));
  return value;
}

const WORD = 2n ** 256n;

/** A 32-byte ABI word encoder for a static elementary type, or null (then ethers encodes). Range-checked. */
function staticWordEncoder(p: ParamType): ((v: unknown) => string) | null {
  const t = p.type;
  const bad = (v: unknown) => new LedgerLabError({ kind: 'ledger', problem: `value ${String(v)} does not fit ${t} ${p.name}`, where: `ABI encoding of ${p.name}` });
  let m: RegExpExecArray | null;
  if ((m = /^uint(\d+)$/.exec(t))) {
    const max = 2n ** BigInt(m[1]);
    return (v) => {
      const n = BigInt(v as bigint | number);
      if (n < 0n || n >= max) throw bad(v);
      return n.toString(16).padStart(64, '0');
    };
  }
  if ((m = /^int(\d+)$/.exec(t))) {
    const half = 2n ** (BigInt(m[1]) - 1n);
    return (v) => {
      const n = BigInt(v as bigint | number);
      if (n < -half || n >= half) throw bad(v);
      return (n < 0n ? WORD + n : n).toString(16).padStart(64, '0');
    };
  }
  if (t === 'address') {
    return (v) => {
      if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(v)) throw bad(v);
      return v.slice(2).toLowerCase().padStart(64, '0');
    };
  }
  if (t === 'bool') return (v) => (v === true ? '1' : v === false ? '0' : (() => { throw bad(v); })()).padStart(64, '0');
  if (t === 'bytes32') {
    return (v) => {
      if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(v)) throw bad(v);
      return v.slice(2).toLowerCase();
    };
  }
  return null;
}

export class LedgerContract {
  readonly chain: LedgerChain;
  readonly address: string;
  readonly contractName: string;
  readonly iface: Interface;

  constructor(chain: LedgerChain, contractName: string, address: string, abi: InterfaceAbi) {
    this.chain = chain;
    this.contractName = contractName;
    this.address = address;
    this.iface = new Interface(abi);
  }

  // Fragment lookup by name re-parses on every call; cached. Functions whose inputs are all static words
  // (uint, int, address, bool, bytes32) are encoded by hand: ethers' coder costs ~0.25 ms per call, as much
  // as a fifth of the simulator's time for a register() transaction.
  private readonly fragments = new Map<string, { f: FunctionFragment; words: ((v: unknown) => string)[] | null }>();

  encode(fn: string, args: readonly unknown[]): string {
    let e = this.fragments.get(fn);
    if (!e) {
      const f = this.iface.getFunction(fn);
      if (!f) throw new LedgerLabError({ kind: 'ledger', problem: `${this.contractName} has no function ${fn}`, where: this.contractName, hint: 'regenerate bindings: node_modules/.bin/node lib/ledger/gen-bindings.ts' });
      const words = f.inputs.map(staticWordEncoder);
      this.fragments.set(fn, (e = { f, words: words.every((w) => w !== null) ? (words as ((v: unknown) => string)[]) : null }));
    }
    if (e.words && args.length === e.words.length) {
      let out = e.f.selector;
      for (let i = 0; i < args.length; i++) out += e.words[i](args[i]);
      return out;
    }
    return this.iface.encodeFunctionData(e.f, args as unknown[]);
  }

  /** A transaction for LedgerChain.sendBatch. */
  tx(fn: string, args: readonly unknown[], opts: SendOptions): TxRequest {
    return { from: opts.from, to: this.address, data: this.encode(fn, args), value: opts.value, gas: opts.gas };
  }

  /** Sends and mines (automine on); returns the receipt or throws LedgerRevertError. */
  async send(fn: string, args: readonly unknown[], opts: SendOptions): Promise<Receipt> {
    let hash: string;
    try {
      hash = await this.chain.sendTransaction(this.tx(fn, args, opts));
    } catch (err) {
      throw this.decodeError(err, fn);
    }
    const r = await this.chain.receipt(hash);
    if (r.status !== 1n) throw await this.replayFailure(fn, this.tx(fn, args, opts));
    return r;
  }

  /** eth_call; a single output is unwrapped, several become an object keyed by output name. */
  async read(fn: string, args: readonly unknown[] = [], opts: ReadOptions = {}): Promise<any> {
    const f = this.iface.getFunction(fn);
    if (!f) throw new LedgerLabError({ kind: 'ledger', problem: `${this.contractName} has no function ${fn}`, where: this.contractName });
    let out: string;
    try {
      out = await this.chain.request<string>('eth_call', [{ to: this.address, from: opts.from, data: this.encode(fn, args) }, opts.blockTag ?? 'latest']);
    } catch (err) {
      throw this.decodeError(err, fn);
    }
    const res = this.iface.decodeFunctionResult(f, out);
    if (f.outputs.length === 1) return plain(res[0], f.outputs[0]);
    const o: Record<string, unknown> = {};
    f.outputs.forEach((p, i) => (o[p.name || String(i)] = plain(res[i], p)));
    return o;
  }

  /** Re-runs a failed (mined, status 0) transaction as eth_call at the latest block to recover its reason. */
  async replayFailure(fn: string, tx: TxRequest): Promise<LedgerRevertError> {
    try {
      await this.chain.request('eth_call', [{ from: tx.from, to: tx.to, data: tx.data, value: tx.value ? `0x${tx.value.toString(16)}` : undefined, gas: `0x${(tx.gas ?? 16_777_216n).toString(16)}` }, 'latest']);
    } catch (err) {
      return this.decodeError(err, fn);
    }
    return new LedgerRevertError({ contract: this.contractName, fn, reason: 'Unknown', args: [], detail: 'transaction failed (status 0) but succeeds on replay; likely out of gas or state changed in the same block' });
  }

  /** Maps a provider error to LedgerRevertError (custom error / Error(string) / Panic), keeping the cause. */
  decodeError(err: unknown, fn: string): LedgerRevertError {
    const e = err as RpcError;
    const data = typeof e?.data === 'string' ? e.data : undefined;
    if (data && data.length >= 10) {
      try {
        const parsed = this.iface.parseError(data);
        if (parsed) {
          const args = Array.from(parsed.args);
          const shown = args.map((a) => (typeof a === 'bigint' ? a.toString() : String(a))).join(', ');
          const reason = parsed.name;
          return new LedgerRevertError({ contract: this.contractName, fn, reason, args, detail: `${reason}(${shown})`, cause: err });
        }
      } catch { /* not an error of this ABI: fall through to the message */ }
    }
    const msg = (e as Error)?.message ?? String(err);
    return new LedgerRevertError({ contract: this.contractName, fn, reason: 'Unknown', args: [], detail: msg, cause: err });
  }

  /** Decodes this contract's logs in a receipt. */
  parseLogs(receipt: Receipt): DecodedLog[] {
    const out: DecodedLog[] = [];
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.address.toLowerCase()) continue;
      const p = this.iface.parseLog(log);
      if (p) out.push({ name: p.name, args: plain(p.args, { isTuple: () => true, components: p.fragment.inputs } as unknown as ParamType) as Record<string, unknown>, address: log.address });
    }
    return out;
  }

  /** Reads this contract's events (optionally one name) from a block range via eth_getLogs. */
  async events(name?: string, fromBlock: bigint | number = 0n, toBlock: bigint | number | 'latest' = 'latest'): Promise<DecodedLog[]> {
    const topics = name ? [this.iface.getEvent(name)!.topicHash] : [];
    const hex = (b: bigint | number | 'latest') => (b === 'latest' ? b : `0x${b.toString(16)}`);
    const logs = await this.chain.request<{ address: string; topics: string[]; data: string }[]>('eth_getLogs', [{ address: this.address, topics, fromBlock: hex(fromBlock), toBlock: hex(toBlock) }]);
    return this.parseLogs({ logs } as Receipt);
  }
}

/** Deploys a compiled contract (constructor args ABI-encoded) and returns its address. */
export async function deployContract(chain: LedgerChain, contractName: string, args: readonly unknown[], from: string): Promise<{ address: string; receipt: Receipt; abi: InterfaceAbi }> {
  const art = await readArtifact(contractName);
  const iface = new Interface(art.abi as InterfaceAbi);
  const data = art.bytecode + iface.encodeDeploy(args as unknown[]).slice(2);
  let hash: string;
  try {
    hash = await chain.sendTransaction({ from, data });
  } catch (err) {
    throw new LedgerContract(chain, contractName, '0x', art.abi as InterfaceAbi).decodeError(err, 'constructor');
  }
  const receipt = await chain.receipt(hash);
  if (receipt.status !== 1n || !receipt.contractAddress) {
    throw new LedgerLabError({ kind: 'ledger', problem: `deploying ${contractName} failed`, where: `${contractName}.constructor`, hint: 'check constructor arguments' });
  }
  return { address: receipt.contractAddress, receipt, abi: art.abi as InterfaceAbi };
}

import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import { LedgerLabError, environmentReport, environmentSummary } from '../../index.ts';
import { runLedgerBench, formatLedgerBench, ledgerBenchJson, RULE_NAMES, type RuleId } from '../../ledger/index.ts';

export const ledgerBenchCommand: Command = {
  name: 'ledger bench',
  summary: 'attribution ledger throughput and gas: deploy, 10k contributions, 10k attribution events, settle, claim',
  usage: 'ledgerlab ledger bench [--contributions N] [--accounts N] [--events N] [--events-per-tx N] [--items N] [--round N] [--page N] [--rule pro-rata|stake|volume-cap|sqrt|reputation] [--curve 100,1000,5000] [--node] [--json]',
  help: [
    'Runs on an in-process Hardhat (EDR) chain; --node uses a `hardhat node` child process on 127.0.0.1 instead.',
    'Transactions are raw eth_sendTransaction from impersonated accounts with explicit nonces and zero fees,',
    'automine off and one evm_mine per round of --round transactions. Settlement is paginated (--page payees/tx).',
  ].join('\n'),
  options: {
    contributions: { type: 'string' }, accounts: { type: 'string' }, events: { type: 'string' }, 'events-per-tx': { type: 'string' },
    items: { type: 'string' }, round: { type: 'string' }, page: { type: 'string' }, rule: { type: 'string' }, curve: { type: 'string' }, node: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(args) {
    const ruleName = (args.values.rule as string | undefined) ?? 'pro-rata';
    const rule = Number(Object.entries(RULE_NAMES).find(([, n]) => n === ruleName)?.[0] ?? -1);
    if (rule < 0) throw new LedgerLabError({ kind: 'usage', problem: `unknown rule "${ruleName}"`, where: '--rule', hint: `use ${Object.values(RULE_NAMES).join(', ')}` });
    const json = Boolean(args.values.json);
    const curve = args.values.curve === undefined ? [] : String(args.values.curve).split(',').map((x) => Number(x.trim()));
    if (curve.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new LedgerLabError({ kind: 'usage', problem: `--curve expects comma-separated positive integers, got "${String(args.values.curve)}"`, where: '--curve' });
    }
    const result = await runLedgerBench({
      contributions: numberFlag(args, 'contributions', 10_000, { int: true, min: 1 }),
      accounts: numberFlag(args, 'accounts', 500, { int: true, min: 1 }),
      events: numberFlag(args, 'events', 10_000, { int: true, min: 1 }),
      eventsPerTx: numberFlag(args, 'events-per-tx', 50, { int: true, min: 1 }),
      itemsPerEvent: numberFlag(args, 'items', 3, { int: true, min: 1 }),
      round: numberFlag(args, 'round', 500, { int: true, min: 1 }),
      pageSize: numberFlag(args, 'page', 500, { int: true, min: 1 }),
      rule: rule as RuleId,
      chain: args.values.node ? 'node' : 'in-process',
      curve,
      log: json || process.env.LEDGERLAB_QUIET === '1' ? undefined : (l) => console.error(l),
    });
    const env = await environmentReport();
    if (json) {
      console.log(JSON.stringify({ environment: env, ...(ledgerBenchJson(result) as object) }, null, 2));
      return;
    }
    console.log(`${environmentSummary(env)}\n${formatLedgerBench(result)}`);
  },
};

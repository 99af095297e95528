import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import {
  LedgerLabError, writeFileAtomic, generateAds, toAdvertiseGenJsonl, loadDataset, BpeTokenizer, CharTokenizer,
  encodeExamples, BatchIterator, summarizePadding, type PaddingStrategy, SPECIAL_IDS,
} from '../../index.ts';

export const dataSynthCommand: Command = {
  name: 'data synth',
  summary: 'write seeded synthetic ad copy in AdvertiseGen JSONL format',
  usage: 'ledgerlab data synth [--seed N] [--t X] [--count N] [--lang zh|en|both] [--out FILE]',
  help: 'Same (seed, t, index) → same record. --t moves along the drift schedule (0 = clean start).',
  options: { seed: { type: 'string' }, t: { type: 'string' }, count: { type: 'string' }, lang: { type: 'string' }, out: { type: 'string' } },
  async run(args) {
    const lang = (args.values.lang as string | undefined) ?? 'zh';
    if (!['zh', 'en', 'both'].includes(lang)) throw new LedgerLabError({ kind: 'usage', problem: `--lang must be zh, en or both, got "${lang}"`, where: '--lang' });
    const records = generateAds({ seed: numberFlag(args, 'seed', 0, { int: true }), lang: lang as 'zh' | 'en' | 'both' }, numberFlag(args, 't', 0, { min: 0 }), numberFlag(args, 'count', 100, { int: true, min: 1 }));
    const text = toAdvertiseGenJsonl(records);
    if (args.values.out) {
      writeFileAtomic(args.values.out as string, text);
      console.error(`wrote ${records.length} records to ${args.values.out}`);
    } else process.stdout.write(text);
  },
};

export const dataPaddingCommand: Command = {
  name: 'data padding',
  summary: 'padding waste of `longest` vs `max_length` batching on a dataset (one epoch)',
  usage: 'ledgerlab data padding FILE [--tokenizer char|bpe] [--vocab N] [--max-source N] [--max-target N] [--batch N] [--json]',
  options: {
    tokenizer: { type: 'string' }, vocab: { type: 'string' }, 'max-source': { type: 'string' }, 'max-target': { type: 'string' },
    batch: { type: 'string' }, json: { type: 'boolean' },
  },
  positionals: [1, 1],
  async run(args) {
    const examples = await loadDataset(args.positionals[0]);
    const kind = (args.values.tokenizer as string | undefined) ?? 'char';
    if (kind !== 'char' && kind !== 'bpe') throw new LedgerLabError({ kind: 'usage', problem: `--tokenizer must be char or bpe, got "${kind}"`, where: '--tokenizer' });
    const vocabSize = numberFlag(args, 'vocab', 2000, { int: true, min: 16 });
    const texts = examples.flatMap((e) => [e.source, e.target]);
    const tok = kind === 'bpe' ? BpeTokenizer.train(texts, { vocabSize }) : CharTokenizer.train(texts, { vocabSize });
    const limits = { maxSource: numberFlag(args, 'max-source', 64, { int: true, min: 1 }), maxTarget: numberFlag(args, 'max-target', 128, { int: true, min: 1 }) };
    const encoded = encodeExamples(tok, examples, limits);
    const batchSize = numberFlag(args, 'batch', 4, { int: true, min: 1 });
    const rows = (['longest', 'max_length'] as PaddingStrategy[]).flatMap((padding) =>
      [false, true].map((groupByLength) => {
        const it = new BatchIterator(encoded, { ...limits, padding, padId: SPECIAL_IDS.pad, batchSize, seed: 0, groupByLength });
        const s = summarizePadding(Array.from({ length: it.batchesPerEpoch }, () => it.next()));
        return { padding, groupByLength, ...s, tokensPerExample: (s.realTokens + s.padTokens) / s.examples };
      }),
    );
    if (args.values.json) {
      console.log(JSON.stringify({ file: args.positionals[0], examples: examples.length, tokenizer: kind, vocabSize: tok.vocabSize, ...limits, batchSize, rows }, null, 2));
      return;
    }
    console.log(`${examples.length} examples, ${kind} tokenizer (${tok.vocabSize} tokens), source ≤ ${limits.maxSource}, target ≤ ${limits.maxTarget}, batch ${batchSize}`);
    console.log('padding     order     real tokens  pad tokens  pad share  tokens/example');
    for (const r of rows) {
      console.log(`${r.padding.padEnd(11)} ${(r.groupByLength ? 'grouped' : 'random').padEnd(9)} ${String(r.realTokens).padStart(11)}  ${String(r.padTokens).padStart(10)}  ${(100 * r.padFraction).toFixed(1).padStart(8)}%  ${r.tokensPerExample.toFixed(1).padStart(14)}`);
    }
  },
};

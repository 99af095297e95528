import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import { LedgerLabError, readScoreFile, scoreChinese, scoreEnglish, ROUGE_TYPES, ZH_KEYS, type BootstrapCI } from '../../index.ts';

const fmt = (c: BootstrapCI, digits: number): string => `${c.mean.toFixed(digits)} [${c.lo.toFixed(digits)}, ${c.hi.toFixed(digits)}]`;

/** distinct-1/2 (corpus-level, no interval) and repetition (seq-rep-4, per-item mean with its interval). */
function printDiversity(corpus: Record<string, unknown>, unit: string): void {
  console.log(`  diversity of the predictions (${unit}, fractions):`);
  console.log(`  ${'distinct-1'.padEnd(11)} ${(corpus['distinct-1'] as number).toFixed(4)}`);
  console.log(`  ${'distinct-2'.padEnd(11)} ${(corpus['distinct-2'] as number).toFixed(4)}`);
  console.log(`  ${'repetition'.padEnd(11)} ${fmt(corpus.repetition as BootstrapCI, 4)}`);
}

export const scoreCommand: Command = {
  name: 'score',
  summary: 'ROUGE-1/2/L/Lsum + BLEU-4 (+ distinct-1/2, repetition) of predictions vs references (rouge_score / nltk; --lang zh: LLaMA-Factory), with bootstrap 95% CIs',
  usage: 'ledgerlab score FILE.jsonl [--lang en|zh] [--stemmer] [--json] [--resamples N] [--seed N]',
  help: [
    'Each line: {"prediction": "...", "reference": "..." | ["...", ...]}. Every line is checked before scoring;',
    'a malformed line stops the command with its file:line and nothing is scored.',
    '  --lang en   rouge_score 0.1.2 rouge1/rouge2/rougeL/rougeLsum (P/R/F, 0–1; several references: best F per',
    '              type) and nltk sentence_bleu BLEU-4 with method3 smoothing on text.lower().split()',
    '  --lang zh   jieba + rouge_chinese rouge-1/rouge-2/rouge-l F and character BLEU-4, ×100 rounded to 4 decimals',
    '  --stemmer   Porter stemming (NLTK) of English tokens longer than 3 characters',
    'Corpus values are per-item means with percentile-bootstrap 95% intervals (--resamples 1000, --seed 0).',
    'Diversity of the predictions: distinct-1/2 = distinct n-grams / n-grams over all predictions; repetition =',
    'seq-rep-4 (1 − distinct 4-grams / 4-grams within a prediction), mean with interval; zh on jieba words.',
  ].join('\n'),
  positionals: [1, 1],
  options: {
    lang: { type: 'string' }, stemmer: { type: 'boolean' }, json: { type: 'boolean' },
    resamples: { type: 'string' }, seed: { type: 'string' },
  },
  async run(args) {
    const lang = (args.values.lang as string | undefined) ?? 'en';
    if (lang !== 'en' && lang !== 'zh') {
      throw new LedgerLabError({ kind: 'usage', problem: `--lang must be en or zh, got "${lang}"`, where: '--lang' });
    }
    if (lang === 'zh' && args.values.stemmer) {
      throw new LedgerLabError({ kind: 'usage', problem: '--stemmer applies to English only', where: '--stemmer', hint: 'drop --stemmer with --lang zh (jieba segments Chinese; nothing is stemmed)' });
    }
    const resamples = numberFlag(args, 'resamples', 1000, { int: true, min: 1 });
    const seed = numberFlag(args, 'seed', 0, { int: true });
    const file = args.positionals[0];
    const records = readScoreFile(file); // throws on the first bad line, before anything is printed
    if (records.length === 0) {
      throw new LedgerLabError({ kind: 'data', problem: 'no records to score', where: file, hint: 'the file is empty or only has blank lines' });
    }
    if (lang === 'zh') {
      const r = scoreChinese(records, { resamples, seed });
      if (args.values.json) { console.log(JSON.stringify({ items: r.items, corpus: r.corpus })); return; }
      console.log(`${records.length} items, zh (jieba + rouge_chinese, ×100), mean [95% CI, ${resamples} bootstrap resamples, seed ${seed}]`);
      for (const k of ZH_KEYS) console.log(`  ${k.padEnd(8)} ${fmt(r.corpus[k] as BootstrapCI, 4)}`);
      printDiversity(r.corpus, 'jieba words');
      return;
    }
    const r = scoreEnglish(records, { stemmer: Boolean(args.values.stemmer), resamples, seed });
    for (const w of r.warnings) console.error(`warning: ${file}:${w.line}: ${w.message}`);
    if (args.values.json) {
      const items = r.items.map((it, i) => {
        const ws = r.warnings.filter((w) => w.line === records[i].line).map((w) => w.message);
        return ws.length ? { ...it, warnings: ws } : it;
      });
      console.log(JSON.stringify({ items, corpus: r.corpus }));
      return;
    }
    console.log(`${records.length} items, en (rouge_score${args.values.stemmer ? ' + Porter stemmer' : ''}; nltk BLEU-4 method3), mean F [95% CI, ${resamples} bootstrap resamples, seed ${seed}]`);
    for (const k of ROUGE_TYPES) console.log(`  ${k.padEnd(9)} ${fmt((r.corpus[k] as Record<string, BootstrapCI>).fmeasure, 4)}`);
    console.log(`  ${'bleu4'.padEnd(9)} ${fmt(r.corpus.bleu4 as BootstrapCI, 4)}`);
    printDiversity(r.corpus, 'rouge_score tokens');
  },
};

import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import { LedgerLabError, benchScore, environmentReport, environmentSummary, formatStat } from '../../index.ts';

export const benchScoreCommand: Command = {
  name: 'bench score',
  summary: 'metric speed: pairs/s for ROUGE-1/2/L/Lsum + BLEU-4 on synthetic ~60-word pairs',
  usage: 'ledgerlab bench score [--lang en|zh] [--pairs N] [--words N] [--stemmer] [--repeats N] [--warmup N] [--json]',
  help: 'Times full passes over --pairs (10000) prediction/reference pairs of --words (60) words; prints the median and IQR.',
  options: {
    lang: { type: 'string' }, pairs: { type: 'string' }, words: { type: 'string' }, stemmer: { type: 'boolean' },
    repeats: { type: 'string' }, warmup: { type: 'string' }, json: { type: 'boolean' },
  },
  async run(args) {
    const lang = (args.values.lang as string | undefined) ?? 'en';
    if (lang !== 'en' && lang !== 'zh') throw new LedgerLabError({ kind: 'usage', problem: `--lang must be en or zh, got "${lang}"`, where: '--lang' });
    const r = await benchScore({
      lang, stemmer: Boolean(args.values.stemmer),
      pairs: numberFlag(args, 'pairs', 10_000, { int: true, min: 1 }),
      words: numberFlag(args, 'words', 60, { int: true, min: 1 }),
      repeats: numberFlag(args, 'repeats', 5, { int: true, min: 1 }),
      warmup: numberFlag(args, 'warmup', 1, { int: true, min: 0 }),
    });
    const env = await environmentReport();
    if (args.values.json) { console.log(JSON.stringify({ environment: env, ...r, ms: { ...r.ms, samples: r.ms.samples } }, null, 2)); return; }
    console.log(`metric bench — ${environmentSummary(env)}; ${r.pairs} pairs × ~${r.words} words, lang ${r.lang}${r.stemmer ? ', stemmer' : ''}`);
    console.log(`  pass      ${formatStat(r.ms, 'ms', 0)}`);
    console.log(`  pairs/s   ${Math.round(r.pairsPerSecond.median)} (IQR ${Math.round(r.pairsPerSecond.q1)}–${Math.round(r.pairsPerSecond.q3)})`);
  },
};

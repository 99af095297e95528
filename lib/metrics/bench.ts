/**
 * Speed of the metric code: score N synthetic prediction/reference pairs of ~W words (English: Zipf-like
 * draws from a fixed vocabulary, the prediction a perturbed copy of the reference so LCS and n-gram overlap
 * do real work; Chinese: the same built from common Chinese words), timed with warm-up, reported as pairs/s.
 */
import { LedgerLabError } from '../errors.ts';
import { Rng } from '../util/index.ts';
import { timeRepeats, type Stat } from '../measure/index.ts';
import { rougeScores } from './rouge.ts';
import { bleu4En } from './bleu.ts';
import { zhScores } from './zh.ts';

export interface ScoreBenchOptions {
  lang?: 'en' | 'zh';
  pairs?: number;
  words?: number;
  stemmer?: boolean;
  repeats?: number;
  warmup?: number;
  seed?: number;
}

export interface ScoreBenchResult {
  lang: 'en' | 'zh';
  pairs: number;
  words: number;
  stemmer: boolean;
  /** Milliseconds per full pass over all pairs. */
  ms: Stat;
  /** pairs/s: median and the IQR bounds (from the q3 and q1 pass times). */
  pairsPerSecond: { median: number; q1: number; q3: number };
}

const EN_WORDS = ('the a of and to in is was for on with as by at from that it this are be an or which has have ' +
  'restaurant food coffee shop pub city centre riverside price range cheap moderate high customer rating family ' +
  'friendly children near serves italian french chinese japanese english indian fast located area located named ' +
  'place called offers average low excellent good not kids welcome venue eat type there called situated where ' +
  'running generously organized nationalization conditional relational hopeful happiness decisions').split(' ');
const ZH_WORDS = '简约 而 不 简单 的 牛仔 外套 白色 衣身 十分 百搭 多处 有 做旧 破洞 设计 打破 单调 乏味 增加 一丝 造型 看点 后背 趣味 刺绣 装饰 丰富 层次感 彰显 别样 时尚 。 ，'.split(' ');

function makePairs(vocab: string[], n: number, words: number, seed: number, joiner: string): [string, string][] {
  const rng = new Rng(seed);
  const draw = (): string => vocab[Math.floor(vocab.length * rng.next() ** 2)]; // skewed: frequent words repeat
  const out: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    const ref = Array.from({ length: words }, draw);
    const pred = ref.map((w) => (rng.next() < 0.3 ? draw() : w)).filter(() => rng.next() > 0.1);
    out.push([pred.join(joiner), ref.join(joiner)]);
  }
  return out;
}

export async function benchScore(opts: ScoreBenchOptions = {}): Promise<ScoreBenchResult> {
  const lang = opts.lang ?? 'en';
  const pairs = opts.pairs ?? 10_000;
  const words = opts.words ?? 60;
  const stemmer = opts.stemmer ?? false;
  const data = makePairs(lang === 'en' ? EN_WORDS : ZH_WORDS, pairs, words, opts.seed ?? 1, lang === 'en' ? ' ' : '');
  let sink = 0;
  const pass = lang === 'en'
    ? () => { for (const [p, r] of data) sink += rougeScores(r, p, { stemmer }).rougeLsum.fmeasure + bleu4En([r], p); }
    : () => { for (const [p, r] of data) sink += zhScores(p, r)['rouge-l']; };
  const ms = await timeRepeats(pass, { warmup: opts.warmup ?? 1, repeats: opts.repeats ?? 5 });
  if (!Number.isFinite(sink)) throw new LedgerLabError({ kind: 'runtime', code: 'metrics.non_finite', problem: 'benchmark produced a non-finite score' });
  const rate = (t: number): number => pairs / (t / 1000);
  return { lang, pairs, words, stemmer, ms, pairsPerSecond: { median: rate(ms.median), q1: rate(ms.q3), q3: rate(ms.q1) } };
}

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '../../lib/paths.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import {
  BpeTokenizer, BYTE_TO_CHAR, CharTokenizer, FIRST_MERGE_ID, loadAdvertiseGen, loadE2E, loadTokenizer, pretokenize,
  saveTokenizer, SPECIAL_IDS, tokenizerFromJson, trainBpeMerges, type Merge,
} from '../../lib/data/index.ts';

const AG = join(paths.datasets, 'advertisegen', 'dev-sample.jsonl');
const E2E = join(paths.datasets, 'e2e', 'devset.csv');
const id = (ch: string) => ch.charCodeAt(0) + 5; // byte ids start after the 5 specials

const SAMPLES = [
  '简约而不简单的牛仔外套，白色的衣身十分百搭。',
  'There is a place in the city centre, Alimentum, that is not family-friendly.',
  'emoji 👩🏽‍💻🇨🇳✨ and ZWJ: 👨‍👩‍👧‍👦',
  '  leading, trailing  \t tabs\r\nCRLF\n\n\u3000全角空格\u00a0nbsp ',
  '这款 denim jacket 很百搭！It\'s 100% cotton, 不起球。',
  '',
  ' ',
  '\u0000\u0001 control bytes \u007f',
];

test('GPT-2 byte-to-unicode table and pre-tokenizer', () => {
  assert.is(BYTE_TO_CHAR[0x20], 'Ġ');
  assert.is(BYTE_TO_CHAR[0x0a], 'Ċ');
  assert.is(BYTE_TO_CHAR[0x41], 'A');
  assert.is(BYTE_TO_CHAR[0x00], 'Ā');
  assert.is(BYTE_TO_CHAR[0xad], 'Ń');
  assert.is(new Set(BYTE_TO_CHAR).size, 256);
  assert.equal(pretokenize("Hi there, it's 2 cats"), ['Hi', ' there', ',', ' it', "'s", ' 2', ' cats']);
  assert.equal(pretokenize('a  b\n'), ['a', ' ', ' b', '\n']);
  for (const s of SAMPLES) assert.is(pretokenize(s).join(''), s);
});

test('hand-computed merges: counts, overlapping runs ("aaa") and tie-breaking', () => {
  // "aaab", " aaab": (a,a)=4 -> 'aa'. Then (aa,a)=2 and (a,b)=2 tie; 'a' < 'aa' so (a,b) wins -> 'ab'.
  // Then (aa,ab)=2 -> 'aaab'. (Ġ,aaab)=1 is below minFrequency 2: stop at 3 merges.
  const m = trainBpeMerges(['aaab aaab'], { vocabSize: 1000 });
  assert.equal(m, [[id('a'), id('a')], [id('a'), id('b')], [261, 262]]);
  const tok = new BpeTokenizer(m);
  assert.is(tok.tokenString(263), 'aaab');
  assert.equal(tok.encode('aaab aaab'), [263, id(' '), 263]);
  assert.equal(tok.encode('aaaa'), [261, 261]);
  assert.equal(tok.encode('aab'), [261, id('b')]); // (a,a) has the lower rank, so it is applied before (a,b)
  // "abab ab" with minFrequency 1: (a,b)=3 -> 'ab'; then (ab,ab)=1 and (Ġ,ab)=1 tie, 'ab' < 'Ġ' (U+0120).
  const m2 = trainBpeMerges(['abab ab'], { vocabSize: 1000, minFrequency: 1 });
  assert.equal(m2, [[id('a'), id('b')], [261, 261], [id(' '), 261]]);
  // vocabSize caps the number of merges.
  assert.equal(trainBpeMerges(['abab ab'], { vocabSize: 262, minFrequency: 1 }), [[id('a'), id('b')]]);
});

/** Reference trainer: recount every pair after every merge (slow, obviously correct). */
function naiveMerges(corpus: string[], vocabSize: number, minFreq = 2): Merge[] {
  const counts = new Map<string, number>();
  for (const t of corpus) for (const w of pretokenize(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts].map(([w, c]) => ({ s: Array.from(new TextEncoder().encode(w), (b) => b + 5), c }));
  const str = ['', '', '', '', '', ...BYTE_TO_CHAR];
  const merges: Merge[] = [];
  while (FIRST_MERGE_ID + merges.length < vocabSize) {
    const pc = new Map<number, number>();
    for (const { s, c } of words) for (let i = 0; i + 1 < s.length; i++) pc.set(s[i] * 1048576 + s[i + 1], (pc.get(s[i] * 1048576 + s[i + 1]) ?? 0) + c);
    let best: [number, number, number] | null = null;
    for (const [k, c] of pc) {
      const a = Math.floor(k / 1048576), b = k % 1048576;
      if (!best || c > best[2] || (c === best[2] && (str[a] < str[best[0]] || (str[a] === str[best[0]] && str[b] < str[best[1]])))) best = [a, b, c];
    }
    if (!best || best[2] < minFreq) break;
    const [a, b] = best;
    const c = FIRST_MERGE_ID + merges.length;
    merges.push([a, b]);
    str.push(str[a] + str[b]);
    for (const w of words) {
      const out: number[] = [];
      for (let i = 0; i < w.s.length; ) if (i + 1 < w.s.length && w.s[i] === a && w.s[i + 1] === b) { out.push(c); i += 2; } else out.push(w.s[i++]);
      w.s = out;
    }
  }
  return merges;
}

let corpus: string[] = [];

test('incremental training equals the recount-everything reference on real zh + en text', async () => {
  const ag = await loadAdvertiseGen(AG);
  const e2e = await loadE2E(E2E);
  corpus = [...ag.flatMap((e) => [e.source, e.target]), ...e2e.flatMap((e) => [e.source, ...e.references])];
  const small = [...ag.slice(0, 60).map((e) => e.target), ...e2e.slice(0, 30).flatMap((e) => e.references)];
  const fast = trainBpeMerges(small, { vocabSize: 700 });
  assert.is(fast.length, 700 - FIRST_MERGE_ID);
  assert.equal(fast, naiveMerges(small, 700));
});

test('round-trips exactly: Chinese, English, emoji, whitespace, control bytes, unseen text', () => {
  const tok = BpeTokenizer.train(corpus, { vocabSize: 2000 });
  assert.is(tok.vocabSize, 2000);
  for (const s of SAMPLES) assert.is(tok.decode(tok.encode(s)), s);
  for (const s of corpus.slice(0, 500)) assert.is(tok.decode(tok.encode(s)), s);
  // Learned merges compress: Chinese ad copy well under 3 bytes/char.
  const zh = corpus[1];
  assert.ok(tok.encode(zh).length < [...zh].length, `${tok.encode(zh).length} tokens for ${[...zh].length} chars`);
  // Specials decode by name unless skipped; encode never produces them.
  assert.is(tok.decode([SPECIAL_IDS.bos, ...tok.encode('hi'), SPECIAL_IDS.eos]), '<bos>hi<eos>');
  assert.is(tok.decode([SPECIAL_IDS.bos, ...tok.encode('hi'), SPECIAL_IDS.eos], { skipSpecial: true }), 'hi');
  assert.ok(tok.encode('<eos>').every((i) => i >= 5));
  // A cut multi-byte character decodes to U+FFFD instead of throwing.
  assert.is(new BpeTokenizer([]).decode([0xe7 + 5]), '\ufffd');
});

test('char tokenizer: frequency order, <unk>, exact round-trip on known characters', () => {
  const tok = CharTokenizer.train(['简约外套', '简约', '外 套'], { vocabSize: 100 });
  // Frequencies: 简 2, 约 2, 外 2, 套 2, ' ' 1; ties by code point (外 U+5916 < 套 U+5957 < 简 U+7B80 < 约 U+7EA6).
  assert.equal(tok.chars, ['外', '套', '简', '约', ' ']);
  assert.equal(tok.encode('简约'), [7, 8]);
  assert.equal(tok.encode('简A约'), [7, SPECIAL_IDS.unk, 8]);
  assert.is(tok.decode(tok.encode('外套 简约')), '外套 简约');
  assert.is(tok.decode(tok.encode('简A')), '简<unk>');
  assert.is(CharTokenizer.train(['aab'], { vocabSize: 6 }).vocabSize, 6); // capped: only 'a'
  const big = CharTokenizer.train(corpus, { vocabSize: 5000 });
  for (const s of corpus.slice(0, 200)) assert.is(big.decode(big.encode(s)), s);
  const emoji = CharTokenizer.train(['👩🏽x'], { vocabSize: 50 });
  assert.is(emoji.decode(emoji.encode('x👩🏽')), 'x👩🏽'); // code points, not UTF-16 halves
});

function loadErr(text: string): LedgerLabError {
  try {
    tokenizerFromJson(text, 'tok.json');
  } catch (e) {
    assert.instance(e, LedgerLabError);
    return e as LedgerLabError;
  }
  throw new Error('expected a throw');
}

test('save/load: versioned JSON, identical behaviour, located errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-tok-'));
  const bpe = BpeTokenizer.train(corpus.slice(0, 300), { vocabSize: 500 });
  const p = join(dir, 'sub', 'bpe.json');
  saveTokenizer(bpe, p);
  const file = JSON.parse(readFileSync(p, 'utf8'));
  assert.is(file.format, 'ledgerlab-tokenizer');
  assert.is(file.version, 1);
  assert.is(file.kind, 'bpe');
  const again = loadTokenizer(p);
  for (const s of [...SAMPLES, ...corpus.slice(0, 50)]) assert.equal(again.encode(s), bpe.encode(s));
  const chr = CharTokenizer.train(corpus.slice(0, 50), { vocabSize: 300 });
  saveTokenizer(chr, join(dir, 'char.json'));
  const chr2 = loadTokenizer(join(dir, 'char.json'));
  assert.is(chr2.kind, 'char');
  assert.equal(chr2.encode(corpus[1]), chr.encode(corpus[1]));

  let e = loadErr(JSON.stringify({ ...file, version: 2 }));
  assert.is(e.where, 'tok.json: version');
  assert.is(e.problem, 'unsupported tokenizer version 2; this LedgerLab reads version 1');
  assert.is(e.kind, 'data');
  e = loadErr(JSON.stringify({ ...file, format: 'hf-tokenizers' }));
  assert.is(e.where, 'tok.json: format');
  e = loadErr(JSON.stringify({ ...file, merges: [[102, 103], [102, 999]] }));
  assert.is(e.where, 'tok.json: merges[1]');
  e = loadErr(JSON.stringify({ ...file, vocabSize: 12 }));
  assert.is(e.where, 'tok.json: vocabSize');
  e = loadErr(JSON.stringify({ ...file, kind: 'wordpiece' }));
  assert.is(e.where, 'tok.json: kind');
  e = loadErr('{\n  "format": "ledgerlab-tokenizer",\n  "version": 1,,\n}');
  assert.is(e.where, 'tok.json:3:16');
  writeFileSync(join(dir, 'old.json'), JSON.stringify({ ...file, version: 0 }));
  try {
    loadTokenizer(join(dir, 'old.json'));
    assert.unreachable();
  } catch (err) {
    assert.is((err as LedgerLabError).where, `${join(dir, 'old.json')}: version`);
  }
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '../../lib/paths.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import {
  CsvParser, loadAdvertiseGen, loadE2E, loadPromptResponse, parseAdvertiseGen, parseE2E, parseMeaningRepresentation,
  parsePromptResponse, detectLang,
} from '../../lib/data/index.ts';
import { contentId } from '../../lib/data/ids.ts';

const AG = join(paths.datasets, 'advertisegen', 'dev-sample.jsonl');
const E2E = join(paths.datasets, 'e2e', 'devset.csv');

function dataErr(fn: () => unknown): LedgerLabError {
  try {
    fn();
  } catch (err) {
    assert.instance(err, LedgerLabError);
    assert.is((err as LedgerLabError).kind, 'data');
    return err as LedgerLabError;
  }
  throw new Error('expected a throw');
}

async function dataErrAsync(fn: () => Promise<unknown>): Promise<LedgerLabError> {
  try {
    await fn();
  } catch (err) {
    assert.instance(err, LedgerLabError);
    return err as LedgerLabError;
  }
  throw new Error('expected a throw');
}

const LINE1 = '{"content": "类型#上衣*材质#牛仔布*颜色#白色*风格#简约*图案#刺绣*衣样式#外套*衣款式#破洞", "summary": "简约而不简单的牛仔外套，白色的衣身十分百搭。"}';

test('AdvertiseGen: a real line parses into attributes, source, target, references', () => {
  const [ex] = parseAdvertiseGen(LINE1, 'ag.jsonl');
  assert.equal(ex.attributes, [
    { key: '类型', value: '上衣' }, { key: '材质', value: '牛仔布' }, { key: '颜色', value: '白色' }, { key: '风格', value: '简约' },
    { key: '图案', value: '刺绣' }, { key: '衣样式', value: '外套' }, { key: '衣款式', value: '破洞' },
  ]);
  assert.is(ex.source, '类型#上衣*材质#牛仔布*颜色#白色*风格#简约*图案#刺绣*衣样式#外套*衣款式#破洞');
  assert.is(ex.target, '简约而不简单的牛仔外套，白色的衣身十分百搭。');
  assert.equal(ex.references, [ex.target]);
  assert.is(ex.lang, 'zh');
  assert.is(ex.id, contentId('ag', ex.source, ex.target));
  assert.match(ex.id, /^ag-[0-9a-f]{16}$/);
});

test('AdvertiseGen: repeated keys kept in order; a value may contain "#"', () => {
  const [ex] = parseAdvertiseGen('{"content":"风格#复古*风格#文艺*图案#A#B","summary":"s"}');
  assert.equal(ex.attributes, [{ key: '风格', value: '复古' }, { key: '风格', value: '文艺' }, { key: '图案', value: 'A#B' }]);
});

test('AdvertiseGen: identical records get unique, stable ids; blank lines are skipped', () => {
  const exs = parseAdvertiseGen(`${LINE1}\n\n${LINE1}\n`);
  assert.is(exs.length, 2);
  assert.is(exs[1].id, `${exs[0].id}~2`);
});

test('AdvertiseGen: malformed lines name file:line (and column for JSON)', () => {
  const text = `${LINE1}\n{"content": "类型#裙", "summary": }\n`;
  let e = dataErr(() => parseAdvertiseGen(text, 'ag.jsonl'));
  assert.is(e.where, 'ag.jsonl:2:32');
  assert.match(e.problem, 'invalid JSON');
  e = dataErr(() => parseAdvertiseGen(`${LINE1}\n${LINE1}\n{"content": "类型#裙"}`, 'ag.jsonl'));
  assert.is(e.where, 'ag.jsonl:3');
  assert.is(e.problem, 'field "summary" is missing');
  e = dataErr(() => parseAdvertiseGen('{"content": 5, "summary": "x"}', 'ag.jsonl'));
  assert.is(e.problem, 'field "content" must be a string, got number 5');
  e = dataErr(() => parseAdvertiseGen('["content"]', 'ag.jsonl'));
  assert.is(e.problem, 'expected a JSON object, got an array');
  e = dataErr(() => parseAdvertiseGen('{"content": "类型#裙*宽松", "summary": "x"}', 'ag.jsonl'));
  assert.is(e.problem, `content item 2 "宽松" has no '#' between key and value`);
  assert.is(e.where, 'ag.jsonl:1');
  e = dataErr(() => parseAdvertiseGen('{"content": "类型#", "summary": "x"}', 'ag.jsonl'));
  assert.is(e.problem, 'content item 1 "类型#" has an empty value');
  e = dataErr(() => parseAdvertiseGen('{"content": "类型#裙", "summary": "x"', 'ag.jsonl'));
  assert.is(e.problem, 'invalid JSON: the line ends early');
  assert.ok(e.hint?.includes('"content"'));
});

test('AdvertiseGen: the real dev sample streams 870 examples; a bad line in a file names path:line', async () => {
  const exs = await loadAdvertiseGen(AG);
  assert.is(exs.length, 870);
  assert.is(new Set(exs.map((e) => e.id)).size, 870);
  assert.equal(exs[0].attributes.length, 7);
  assert.is(exs[2].attributes.filter((a) => a.key === '图案').length, 3);
  assert.ok(exs.every((e) => e.lang === 'zh'));
  const dir = mkdtempSync(join(tmpdir(), 'll-data-'));
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, `${LINE1}\r\n${LINE1}\r\n{"content": "类型#裙", "summary": 3}\r\n`);
  const e = await dataErrAsync(() => loadAdvertiseGen(bad));
  assert.is(e.where, `${bad}:3`);
  assert.is(e.problem, 'field "summary" must be a string, got number 3');
  const missing = await dataErrAsync(() => loadAdvertiseGen(join(dir, 'nope.jsonl')));
  assert.is(missing.kind, 'io');
});

test('CSV: quotes, commas, doubled quotes and newlines inside quotes (RFC 4180)', () => {
  const p = new CsvParser('x.csv');
  assert.equal(p.push('a,"b,c",d', 1), [{ fields: ['a', 'b,c', 'd'], line: 1, endLine: 1 }]);
  assert.equal(p.push('"say ""hi""",', 2), [{ fields: ['say "hi"', ''], line: 2, endLine: 2 }]);
  assert.equal(p.push('"multi', 3), []);
  assert.equal(p.push('', 4), []);
  assert.equal(p.push('line""",z', 5), [{ fields: ['multi\n\nline"', 'z'], line: 3, endLine: 5 }]);
  assert.equal(p.push('', 6), [{ fields: [''], line: 6, endLine: 6 }]);
  p.end();
});

test('CSV: unbalanced quote, stray quote and text after a closing quote are located errors', () => {
  let e = dataErr(() => parseE2E('mr,ref\n"name[A]",ok\n"name[B]","never closed\nmore text\n', 'e2e.csv'));
  assert.is(e.where, 'e2e.csv:3');
  assert.is(e.problem, 'unbalanced quote: the quoted field opened at column 11 is never closed');
  e = dataErr(() => parseE2E('mr,ref\nname[A],he said "hi"\n', 'e2e.csv'));
  assert.is(e.where, 'e2e.csv:2');
  assert.is(e.problem, 'a quote inside an unquoted field (column 17)');
  e = dataErr(() => parseE2E('mr,ref\n"name[A]"x,ref\n', 'e2e.csv'));
  assert.is(e.problem, 'unexpected "x" after a closing quote (column 10)');
});

test('E2E: MR parsing, grouping of references, field-count and header errors', () => {
  assert.equal(parseMeaningRepresentation('name[The Eagle], priceRange[£20-25], customer rating[3 out of 5]', 'w'), [
    { key: 'name', value: 'The Eagle' }, { key: 'priceRange', value: '£20-25' }, { key: 'customer rating', value: '3 out of 5' },
  ]);
  const csv = 'mr,ref\r\n"name[A], area[city centre]","A is central, ""nice"""\r\nname[B],B one\r\n"name[A], area[city centre]","Two\r\nlines"\r\n';
  const exs = parseE2E(csv, 'e.csv');
  assert.is(exs.length, 2);
  assert.equal(exs[0].references, ['A is central, "nice"', 'Two\nlines']);
  assert.is(exs[0].target, 'A is central, "nice"');
  assert.equal(exs[0].attributes, [{ key: 'name', value: 'A' }, { key: 'area', value: 'city centre' }]);
  assert.equal(exs[1].references, ['B one']);
  let e = dataErr(() => parseE2E('mr,ref\nname[A],x,y\n', 'e.csv'));
  assert.is(e.where, 'e.csv:2');
  assert.is(e.problem, 'expected 2 fields, got 3');
  e = dataErr(() => parseE2E('meaning,text\nname[A],x\n', 'e.csv'));
  assert.is(e.where, 'e.csv:1');
  e = dataErr(() => parseE2E('mr,ref\nname A,x\n', 'e.csv'));
  assert.is(e.problem, 'mr item 1 "name A" is not key[value]');
  e = dataErr(() => parseE2E('mr,ref\nname[A],\n', 'e.csv'));
  assert.is(e.problem, 'field "ref" is empty');
});

test('E2E: the real dev set groups 4,672 rows into 547 MRs with all references kept', async () => {
  const exs = await loadE2E(E2E);
  assert.is(exs.length, 547);
  assert.is(exs.reduce((s, e) => s + e.references.length, 0), 4672);
  assert.is(new Set(exs.map((e) => e.id)).size, 547);
  const first = exs[0];
  assert.is(first.source, 'name[Alimentum], area[city centre], familyFriendly[no]');
  assert.is(first.references.length, 6);
  assert.is(first.target, 'There is a place in the city centre, Alimentum, that is not family-friendly.');
  assert.is(first.references[3], 'Alimentum is not a family-friendly arena and is located in the city centre.');
  const keys = new Set(exs.flatMap((e) => e.attributes.map((a) => a.key)));
  assert.equal([...keys].sort(), ['area', 'customer rating', 'eatType', 'familyFriendly', 'food', 'name', 'near', 'priceRange']);
});

test('generic JSONL prompt/response: fields, optional id and references, errors', async () => {
  const exs = parsePromptResponse('{"prompt":"Hi","response":"Hello!"}\n{"prompt":"你好","response":"你好！","id":"x1","references":["你好！","您好"]}\n', 'pr.jsonl');
  assert.equal(exs[0], { id: contentId('pr', 'Hi', 'Hello!'), source: 'Hi', target: 'Hello!', references: ['Hello!'], attributes: [], lang: 'en' });
  assert.equal(exs[1].references, ['你好！', '您好']);
  assert.is(exs[1].id, 'x1');
  assert.is(exs[1].lang, 'zh');
  let e = dataErr(() => parsePromptResponse('{"prompt":"a"}', 'pr.jsonl'));
  assert.is(e.problem, 'field "response" is missing');
  e = dataErr(() => parsePromptResponse('{"prompt":"a","response":"b","references":[1]}', 'pr.jsonl'));
  assert.is(e.problem, 'field "references" must be a non-empty array of strings, got an array');
  const dir = mkdtempSync(join(tmpdir(), 'll-data-'));
  const f = join(dir, 'pr.jsonl');
  writeFileSync(f, '{"prompt":"a","response":"b"}\n{"prompt":"a","response":null}\n');
  const e2 = await dataErrAsync(() => loadPromptResponse(f));
  assert.is(e2.where, `${f}:2`);
  assert.is(e2.problem, 'field "response" must be a string, got null');
});

test('detectLang: zh, en, mixed', () => {
  assert.is(detectLang('简约的牛仔外套'), 'zh');
  assert.is(detectLang('A slim denim jacket'), 'en');
  assert.is(detectLang('这款 denim jacket 很百搭'), 'mixed');
  assert.is(detectLang('这款BRAND针织两件套连衣裙，简约的纯色半高领针织上衣'), 'zh');
});

test.run();

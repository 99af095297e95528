// LLaMA-Factory's alpaca and sharegpt formats (JSON arrays and JSONL, column/tag maps, dataset_info.json), the chat
// templates that turn them into prompts, `ledgerlab data inspect`, and training on them through `ledgerlab run`.
// The training files are made from the real shared datasets (AdvertiseGen sample, E2E dev set) at test time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadDataset, detectFormat, namedTemplate, jinjaTemplate, renderChat, loadE2E, loadAdvertiseGen, paths, LedgerLabError,
  type ChatMessage,
} from '../../lib/index.ts';
import { ledgerlab, repoRoot } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-chat-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const fails = async (f: () => Promise<unknown>): Promise<LedgerLabError> => {
  try {
    await f();
  } catch (err) {
    assert.instance(err, LedgerLabError);
    return err as LedgerLabError;
  }
  throw new Error('expected an error');
};

const convo: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Q1' }, { role: 'assistant', content: 'A1' },
  { role: 'user', content: 'Q2' }, { role: 'assistant', content: 'A2' },
];

test('named templates render LLaMA-Factory\'s prefix / prompt / separator, the last reply is the target', () => {
  const r = (name: string, m = convo) => renderChat({ messages: m }, namedTemplate(name));
  assert.equal(r('alpaca'), { source: 'Be brief.\n\n### Instruction:\nQ1\n\n### Response:\nA1\n\n### Instruction:\nQ2\n\n### Response:\n', target: 'A2' });
  assert.is(r('alpaca', convo.slice(1, 3)).source, 'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nQ1\n\n### Response:\n', 'default system text');
  assert.is(r('chatglm2', convo.slice(1)).source, '[Round 1]\n\n问：Q1\n\n答：A1\n\n[Round 2]\n\n问：Q2\n\n答：');
  assert.is(r('default', convo.slice(1, 3)).source.endsWith("questions.\nHuman: Q1\nAssistant: "), true);
  assert.is(r('chatml').source, '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1\n<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\n');
  assert.is(r('empty', convo.slice(1, 3)).source, 'Q1');
  const qwenLike = "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
  assert.is(renderChat({ messages: convo.slice(1, 3) }, jinjaTemplate(qwenLike)).source, '<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\n');
});

test('alpaca as a JSON array: instruction + "\\n" + input after the history; bad records are file:line errors', async () => {
  const good = write('a.json', JSON.stringify([
    { instruction: 'Summarise', input: 'the text', output: 'Short.', system: 'Sys' },
    { instruction: 'Go on', output: 'More.', history: [['Hi', 'Hello']] },
  ], null, 2));
  assert.is(detectFormat(good), 'alpaca');
  const ex = await loadDataset(good, undefined, { renderer: namedTemplate('alpaca') });
  assert.equal(ex.map((e) => [e.source, e.target]), [
    ['Sys\n\n### Instruction:\nSummarise\nthe text\n\n### Response:\n', 'Short.'],
    ['Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nHi\n\n### Response:\nHello\n\n### Instruction:\nGo on\n\n### Response:\n', 'More.'],
  ]);
  assert.match(ex[0].id, /^al-[0-9a-f]{16}$/);
  const missing = write('b.json', '[\n  {"instruction": "x", "output": "y"},\n  {"instruction": "x"}\n]\n');
  const e1 = await fails(() => loadDataset(missing, 'alpaca'));
  assert.is(e1.where, `${missing}:3`);
  assert.match(e1.problem, 'field "output" is missing');
  const syntax = write('c.json', '[\n  {"instruction": "x",\n   "output": "y",,\n  }\n]\n');
  const e2 = await fails(() => loadDataset(syntax, 'alpaca'));
  assert.is(e2.where, `${syntax}:3:18`);
  const hist = write('d.jsonl', '{"instruction": "x", "output": "y", "history": [["only one"]]}\n');
  assert.match((await fails(() => loadDataset(hist, 'alpaca'))).problem, 'field "history"[0] must be a [query, response] pair of strings');
});

test('sharegpt: from/value and OpenAI messages, JSONL; turns must alternate and end with the assistant', async () => {
  const sg = write('s.jsonl', [
    JSON.stringify({ conversations: [{ from: 'human', value: 'Q1' }, { from: 'gpt', value: 'A1' }, { from: 'human', value: 'Q2' }, { from: 'gpt', value: 'A2' }], system: 'S' }),
    '',
    JSON.stringify({ conversations: [{ from: 'system', value: 'S2' }, { from: 'human', value: 'Q' }, { from: 'gpt', value: 'A' }] }),
  ].join('\n') + '\n');
  assert.is(detectFormat(sg), 'sharegpt');
  const ex = await loadDataset(sg, undefined, { renderer: namedTemplate('chatglm2') });
  assert.equal(ex.map((e) => [e.source, e.target]), [['S\n\n[Round 1]\n\n问：Q1\n\n答：A1\n\n[Round 2]\n\n问：Q2\n\n答：', 'A2'], ['S2\n\n[Round 1]\n\n问：Q\n\n答：', 'A']]);
  const oa = write('o.json', JSON.stringify([{ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Yo' }] }]));
  assert.equal((await loadDataset(oa, 'sharegpt')).map((e) => [e.source, e.target]), [['Hi', 'Yo']]);
  const twice = write('t.jsonl', JSON.stringify({ conversations: [{ from: 'human', value: 'a' }, { from: 'human', value: 'b' }] }) + '\n');
  const e1 = await fails(() => loadDataset(twice, 'sharegpt'));
  assert.is(e1.where, `${twice}:1`);
  assert.is(e1.problem, 'conversations[1]: expected a gpt turn, got human');
  const endsUser = write('u.jsonl', '\n' + JSON.stringify({ conversations: [{ from: 'human', value: 'a' }] }) + '\n');
  const e2 = await fails(() => loadDataset(endsUser, 'sharegpt'));
  assert.equal([e2.where, e2.problem], [`${endsUser}:2`, 'the conversation must end with a gpt turn']);
  const badRole = write('r.jsonl', JSON.stringify({ conversations: [{ from: 'bot', value: 'a' }] }) + '\n');
  assert.match((await fails(() => loadDataset(badRole, 'sharegpt'))).problem, 'conversations[0].from is "bot"; expected human, gpt or system');
});

/** Real data in LLaMA-Factory's formats: E2E dev set as alpaca (JSON array), AdvertiseGen sample as sharegpt (JSONL). */
async function realChatFiles(): Promise<{ alpaca: string; sharegpt: string; info: string }> {
  const e2e = (await loadE2E(join(paths.datasets, 'e2e', 'devset.csv'))).slice(0, 60);
  const alpaca = write('e2e-alpaca.json', JSON.stringify(e2e.map((e) => ({ instruction: 'Describe the restaurant.', input: e.source, output: e.target })), null, 1));
  const ag = (await loadAdvertiseGen(join(paths.datasets, 'advertisegen', 'dev-sample.jsonl'))).slice(0, 60);
  const sharegpt = write('adgen-sharegpt.jsonl', ag.map((e) => JSON.stringify({ conversations: [{ from: 'human', value: e.source }, { from: 'gpt', value: e.target }] })).join('\n') + '\n');
  const renamed = write('e2e-renamed.jsonl', e2e.slice(0, 5).map((e) => JSON.stringify({ q: e.source, a: e.target })).join('\n') + '\n');
  const info = write('dataset_info.json', JSON.stringify({ e2e_renamed: { file_name: 'e2e-renamed.jsonl', formatting: 'alpaca', columns: { prompt: 'q', response: 'a' } } }));
  void renamed;
  return { alpaca, sharegpt, info };
}

test('`ledgerlab data inspect` on real data: detected format, count, the first examples as the model sees them', async () => {
  const { alpaca, sharegpt } = await realChatFiles();
  const e2e = (await loadE2E(join(paths.datasets, 'e2e', 'devset.csv')))[0];
  const r = ledgerlab(['data', 'inspect', alpaca, '--template', 'alpaca', '--limit', '1', '--json']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), {
    format: 'alpaca', count: 60,
    examples: [{ source: `Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nDescribe the restaurant.\n${e2e.source}\n\n### Response:\n`, target: e2e.target }],
  });
  const s = ledgerlab(['data', 'inspect', sharegpt, '--json']);
  const j = JSON.parse(s.stdout);
  assert.equal([j.format, j.count, j.examples.length], ['sharegpt', 60, 3]);
  assert.match(j.examples[0].source, /^类型#/);
  const e = ledgerlab(['data', 'inspect', join(paths.datasets, 'e2e', 'devset.csv'), '--json', '--limit', '0']);
  assert.equal(JSON.parse(e.stdout), { format: 'e2e', count: 547, examples: [] });
  const human = ledgerlab(['data', 'inspect', sharegpt, '--limit', '1']);
  assert.match(human.stdout, `${sharegpt}: sharegpt, 60 examples (template empty)`);
  const bad = ledgerlab(['data', 'inspect', alpaca, '--format', 'parquet']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, 'unknown format "parquet"');
});

test('an alpaca file, a sharegpt file and a dataset_info.json entry train through `ledgerlab run`', async () => {
  const { alpaca, sharegpt, info } = await realChatFiles();
  const root = mkdtempSync(join(tmpdir(), 'll-chat-run-'));
  const base = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/finetune-tiny.json'), 'utf8'));
  const runs: [string, Record<string, unknown>][] = [
    ['chat-alpaca', { source: 'file', path: alpaca, template: 'alpaca', tokenizer: 'bpe', vocab: 300, evalCount: 8, maxSource: 96, maxTarget: 48 }],
    ['chat-sharegpt', { source: 'file', path: sharegpt, format: 'sharegpt', template: 'chatglm2', evalCount: 8, maxSource: 64, maxTarget: 48 }],
  ];
  for (const [name, data] of runs) {
    const file = write(`${name}.json`, JSON.stringify({ ...base, name, config: { ...base.config, data, model: { ...base.config.model, context: 160 } } }));
    const r = ledgerlab(['run', file], { env: { LEDGERLAB_RESULTS: root } });
    assert.is(r.code, 0, `${name}: ${r.stderr}`);
  }
  const records = readdirSync(root).filter((d) => d.startsWith('chat-')).map((d) => JSON.parse(readFileSync(join(root, d, 'run.json'), 'utf8')));
  assert.equal(records.map((x) => x.status), ['finished', 'finished']);
  for (const x of records) assert.is(x.summary.steps, 6);
  // dataset_info.json with a column map: the entry's file, formatting and columns.
  const viaInfo = write('chat-info.json', JSON.stringify({ kind: 'finetune', name: 'chat-info', config: { data: { datasetInfo: info, dataset: 'e2e_renamed', evalCount: 1 } } }));
  const plan = ledgerlab(['data', 'inspect', join(dir, 'e2e-renamed.jsonl'), '--format', 'alpaca', '--json']);
  assert.is(plan.code, 1, 'without the column map the file is not alpaca');
  // --json: the error comes as one JSON line on stderr (lib/errors.ts errorJson).
  assert.match((JSON.parse(plan.stderr) as { error: { problem: string } }).error.problem, 'field "instruction" is missing');
  const { prepareTask, DataSchema } = await import('../../lib/index.ts');
  const task = await prepareTask(DataSchema.parse({ datasetInfo: info, dataset: 'e2e_renamed', evalCount: 1 }));
  assert.is(task.manifest.examples, 5);
  assert.is(task.manifest.path, join(dir, 'e2e-renamed.jsonl'));
  void viaInfo;
});

test.run();

/**
 * Issue 20 point 9: non-UTF-8 bytes must not become U+FFFD silently, and a line over the (configurable)
 * length limit is an error. Every dataset loader, the score input and config files decode strictly.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAdvertiseGen, loadE2E, loadPromptResponse, loadDataset, fileLines, DEFAULT_MAX_LINE_BYTES } from '../../lib/data/index.ts';
import { utf8ErrorOffset, decodeUtf8 } from '../../lib/util/utf8.ts';
import { Rng } from '../../lib/util/random.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { ledgerlab } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-enc-'));
const file = (name: string, bytes: Uint8Array | string) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
const ag = (content: string, summary: string) => JSON.stringify({ content, summary });
// "简约" in GBK is 0xBC 0xF2 0xD4 0xBC: not UTF-8.
const gbk = Buffer.from([0xbc, 0xf2, 0xd4, 0xbc]);

async function located(p: Promise<unknown>): Promise<LedgerLabError> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, LedgerLabError);
    return err as LedgerLabError;
  }
  throw new Error('expected a LedgerLabError');
}

test('utf8ErrorOffset agrees with a fatal TextDecoder on 3000 seeded random byte strings', () => {
  const rng = new Rng('utf8-fuzz');
  const fatal = new TextDecoder('utf-8', { fatal: true });
  let invalid = 0;
  for (let i = 0; i < 3000; i++) {
    const n = rng.int(12);
    // Mostly high bytes, so multi-byte sequences (valid and broken) are common.
    const b = Uint8Array.from({ length: n }, () => (rng.next() < 0.3 ? rng.int(0x80) : 0x80 + rng.int(0x80)));
    let ok = true;
    try { fatal.decode(b); } catch { ok = false; }
    const at = utf8ErrorOffset(b);
    assert.is(at === -1, ok, `bytes ${[...b].join(',')}`);
    if (!ok) {
      invalid++;
      // The prefix before the reported offset is valid UTF-8.
      fatal.decode(b.subarray(0, at));
    }
  }
  assert.ok(invalid > 1000 && invalid < 3000, `${invalid} invalid`);
  assert.is(utf8ErrorOffset(Buffer.from('类型#上衣 ok 🎉')), -1);
  assert.is(utf8ErrorOffset(Buffer.from([0xed, 0xa0, 0x80])), 0, 'a UTF-16 surrogate encoded in UTF-8 is invalid');
  assert.is(utf8ErrorOffset(Buffer.from([0x61, 0xc0, 0xaf])), 1, 'an overlong encoding is invalid');
});

test('decodeUtf8 names line and column (in characters) of the first bad byte', () => {
  const bytes = Buffer.concat([Buffer.from('第一行\n类型#上衣'), gbk, Buffer.from('\n')]);
  const e = (() => { try { decodeUtf8(bytes, 'x.jsonl'); } catch (err) { return err as LedgerLabError; } })()!;
  assert.is(e.where, 'x.jsonl:2:6');
  assert.is(e.problem, 'the file is not valid UTF-8 (bytes 0xBC 0xF2 0xD4 0xBC)');
  assert.match(e.hint!, /iconv -f GBK -t UTF-8/);
});

test('AdvertiseGen, prompt/response and E2E loaders: a GBK byte is an error at file:line:col', async () => {
  const before = '{"content": "类型#裙", "summary": "';
  const a = file('ag.jsonl', Buffer.concat([Buffer.from(ag('类型#上衣', '好看') + '\n' + before), gbk, Buffer.from('"}\n')]));
  const ea = await located(loadAdvertiseGen(a));
  assert.is(ea.where, `${a}:2:${before.length + 1}`);
  assert.is(ea.kind, 'data');
  const p = file('pr.jsonl', Buffer.concat([Buffer.from('{"prompt": "caf'), Buffer.from([0xe9]), Buffer.from('", "response": "x"}\n')]));
  assert.is((await located(loadPromptResponse(p))).where, `${p}:1:16`);
  const c = file('e2e.csv', Buffer.concat([Buffer.from('mr,ref\r\n"name[The Eagle]","The Eagle is a caf'), Buffer.from([0xe9]), Buffer.from('."\r\n')]));
  assert.is((await located(loadE2E(c))).where, `${c}:2:38`);
  assert.is((await located(loadDataset(c))).where, `${c}:2:38`);
});

test('valid files still load: BOM, CRLF and a last line without newline', async () => {
  const a = file('ok.jsonl', '\ufeff' + ag('类型#上衣', '好看') + '\r\n' + ag('类型#裙', '漂亮'));
  assert.equal((await loadAdvertiseGen(a)).map((e) => e.target), ['好看', '漂亮']);
});

test('a line over the limit is an error at file:line; the limit comes from the option or LEDGERLAB_MAX_LINE_BYTES', async () => {
  assert.is(DEFAULT_MAX_LINE_BYTES, 1048576);
  const long = ag('类型#上衣', 'x'.repeat(200));
  const p = file('long.jsonl', ag('类型#上衣', 'ok') + '\n' + long + '\n');
  const e = await located(loadAdvertiseGen(p, { maxLineBytes: 100 }));
  assert.is(e.where, `${p}:2`);
  assert.is(e.problem, 'line is longer than 100 bytes');
  assert.match(e.hint!, /data\.maxLineBytes/);
  assert.is((await loadAdvertiseGen(p, { maxLineBytes: Buffer.byteLength(long) })).length, 2, 'a line exactly at the limit is fine');
  // A huge line spanning many read chunks is refused before it is held whole.
  const huge = file('huge.jsonl', '{"content": "' + 'a'.repeat(3 * 1024 * 1024));
  assert.is((await located(loadAdvertiseGen(huge))).problem, 'line is longer than 1048576 bytes');
  const code = `
    import { fileLines } from ${JSON.stringify(join(import.meta.dirname, '../../lib/data/lines.ts'))};
    try { for await (const l of fileLines(${JSON.stringify(p)})) {} console.log('no error'); } catch (e) { console.log(e.where, e.problem); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, LEDGERLAB_MAX_LINE_BYTES: '150' } });
  assert.is(r.stdout.trim(), `${p}:2 line is longer than 150 bytes`);
  const bad = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, LEDGERLAB_MAX_LINE_BYTES: 'lots' } });
  assert.is(bad.stdout.trim(), 'LEDGERLAB_MAX_LINE_BYTES LEDGERLAB_MAX_LINE_BYTES must be a positive integer, got "lots"');
  const lines: string[] = [];
  for await (const l of fileLines(p)) lines.push(l.text);
  assert.equal(lines, [ag('类型#上衣', 'ok'), long]);
});

test('ledgerlab score and experiment files: invalid UTF-8 is a located error, exit 1, no stack trace', () => {
  const s = file('preds.jsonl', Buffer.concat([Buffer.from('{"prediction": "a", "reference": "a"}\n{"prediction": "'), gbk, Buffer.from('", "reference": "b"}\n')]));
  const r = ledgerlab(['score', s]);
  assert.is(r.code, 1);
  assert.is(r.stderr.split('\n').slice(0, 2).join('\n'), `error (data): the file is not valid UTF-8 (bytes 0xBC 0xF2 0xD4 0xBC)\n  where: ${s}:2:17`);
  const x = file('exp.json', Buffer.concat([Buffer.from('{\n  "kind": "speedup",\n  "name": "caf'), Buffer.from([0xe9]), Buffer.from('"\n}\n')]));
  const rx = ledgerlab(['run', x, '--root', join(dir, 'results')]);
  assert.is(rx.code, 1);
  assert.match(rx.stderr, `where: ${x}:3:15`);
  assert.not.match(rx.stderr, /\n\s+at /);
});

test.run();

/**
 * Issue 27, high 4: `ledgerlab data fetch advertisegen --dir D` against a hub whose listing names split files
 * outside D (`../…/train.json`, absolute paths, dot segments, backslashes). The fetch must be refused with a
 * located error before anything is written, and nothing may appear outside D. The hub answers any such path
 * (its `fallback` file), as a hostile server would.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerlabAsync as cli, repoRoot } from '../helpers/cli.ts';
import { startFakeHub, type HubFile } from '../helpers/fake-hub.ts';
import { LedgerLabError, fetchDataset } from '../../lib/index.ts';

const COMMIT = 'abcdefabcdefabcdefabcdefabcdefabcdefabcd';
const LINE = Buffer.from(JSON.stringify({ content: '类型#裙', summary: '好看' }) + '\n');


/** A listing with a good dev split and the given train file name; any path under the repo serves LINE. */
const hubWith = (trainName: string) => startFakeHub({
  repo: 'HasturOfficial/adgen', commit: COMMIT, repoType: 'dataset',
  files: [{ name: 'dev.json', bytes: LINE, lfs: false }] as HubFile[],
  rewriteListing: (b) => ({ ...b, siblings: [...b.siblings, { rfilename: trainName }] }),
  fallback: { name: trainName, bytes: LINE, lfs: false },
});

const everything = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

test('a sibling named ../escape/train.json: exit 1, a located error, nothing written outside --dir (CLI)', async () => {
  const top = mkdtempSync(join(tmpdir(), 'll-adgen-sec-'));
  const dir = join(top, 'inside');
  const hub = await hubWith('../escape/train.json');
  try {
    const r = await cli(['data', 'fetch', 'advertisegen', '--dir', dir, '--json'], { HF_ENDPOINT: hub.endpoint });
    assert.is(r.code, 1, r.stdout);
    const e = JSON.parse(r.stderr.trim().split('\n').pop()!).error;
    assert.is(e.code, 'io.hub_refused');
    assert.match(e.problem, /"\.\.\/escape\/train\.json", which is not a plain relative file name/);
    assert.match(e.where, /\/api\/datasets\/HasturOfficial\/adgen \(listing\)$/);
    assert.equal(everything(top).filter((p) => !p.startsWith('inside')), []);
    assert.not.ok(existsSync(join(top, 'escape')));
  } finally {
    await hub.close();
  }
});

test('absolute, dot-segment, backslash and control-character names are refused the same way (API)', async () => {
  for (const name of ['/tmp/ll-abs/train.json', 'a/../../train.json', './train.json', 'data//train.json', 'train\\..\\x.json', 'train\n.json', 'data/./train.json']) {
    const top = mkdtempSync(join(tmpdir(), 'll-adgen-sec-'));
    const dir = join(top, 'inside');
    const hub = await hubWith(name);
    try {
      const err = await fetchDataset('advertisegen', { dir, endpoint: hub.endpoint }).then(() => undefined, (e) => e);
      assert.instance(err, LedgerLabError, `${JSON.stringify(name)}: ${err}`);
      assert.is((err as LedgerLabError).code, 'io.hub_refused', name);
      assert.equal(everything(top).filter((p) => !p.startsWith('inside')), [], name);
      assert.is(hub.log.filter((l) => l.method === 'GET' && l.url.includes('/resolve/')).length, 0, `${name}: nothing downloaded`);
    } finally {
      await hub.close();
    }
  }
  assert.not.ok(existsSync('/tmp/ll-abs/train.json'));
});

test('a subfolder of --dir that is a symlink out of it is not written through', async () => {
  const top = mkdtempSync(join(tmpdir(), 'll-adgen-sec-'));
  const dir = join(top, 'inside');
  mkdirSync(join(top, 'elsewhere'), { recursive: true });
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(top, 'elsewhere'), join(dir, 'data'));
  const hub = await hubWith('data/train.json');
  try {
    const err = await fetchDataset('advertisegen', { dir, endpoint: hub.endpoint }).then(() => undefined, (e) => e);
    assert.instance(err, LedgerLabError, String(err));
    assert.match((err as LedgerLabError).problem, /would be written outside/);
    assert.equal(readdirSync(join(top, 'elsewhere')), []);
  } finally {
    await hub.close();
  }
});

test.run();

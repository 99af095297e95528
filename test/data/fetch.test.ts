/**
 * `ledgerlab data fetch` against loopback servers: AdvertiseGen from a server speaking the hub's dataset
 * protocol (test/helpers/fake-hub.ts with repoType "dataset": listing, HEAD, LFS redirect to a CDN, a transfer
 * broken off and resumed with Range), including a parquet-only repository converted to JSONL; E2E from a
 * server speaking GitHub's contents API (sha/size/download_url) whose raw URL redirects, with a broken-off
 * transfer, a corrupted file (git sha1 mismatch: located error, partial deleted) and the manifest check.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ledgerlabAsync as cli, repoRoot } from '../helpers/cli.ts';
import { startFakeHub, sha256, gitSha1, sendBytes, type HubFile } from '../helpers/fake-hub.ts';
import { paths } from '../../lib/paths.ts';
import { fetchDataset, adgenSplit, LedgerLabError } from '../../lib/index.ts';


const ADGEN = readFileSync(join(paths.datasets, 'advertisegen', 'dev-sample.jsonl'));
const lines = ADGEN.toString('utf8').trim().split('\n');
const TRAIN = Buffer.from(lines.slice(0, 700).join('\n') + '\n');
const DEV = Buffer.from(lines.slice(700).join('\n') + '\n');
const COMMIT = 'abcdefabcdefabcdefabcdefabcdefabcdefabcd';

test('split names: train*, dev* / validation*, json/jsonl/parquet only', () => {
  assert.equal(['train.json', 'dev.json', 'data/validation-00000-of-00001.parquet', 'data/train-00000-of-00001.parquet', 'README.md', 'test.json', 'devices.json'].map(adgenSplit), ['train', 'dev', 'dev', 'train', undefined, undefined, undefined]);
});

test('advertisegen: dataset repo via HF_ENDPOINT, LFS through the CDN, a broken transfer resumed, sha256 manifest; a second run downloads nothing', async () => {
  const files: HubFile[] = [
    { name: '.gitattributes', bytes: Buffer.from('*.json filter=lfs diff=lfs merge=lfs -text\n'), lfs: false },
    { name: 'README.md', bytes: Buffer.from('# adgen\n'), lfs: false },
    { name: 'train.json', bytes: TRAIN, lfs: true },
    { name: 'dev.json', bytes: DEV, lfs: true },
  ];
  const hub = await startFakeHub({ repo: 'HasturOfficial/adgen', commit: COMMIT, files, repoType: 'dataset', breakAfter: new Map([['train.json', 50_000]]) });
  const dir = mkdtempSync(join(tmpdir(), 'll-adgen-'));
  try {
    const r = await cli(['data', 'fetch', 'advertisegen', '--dir', dir, '--json'], { HF_ENDPOINT: hub.endpoint });
    assert.is(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal([j.dataset, j.revision, j.source], ['advertisegen', COMMIT, `${hub.endpoint}/datasets/HasturOfficial/adgen`]);
    assert.equal(j.files.map((f: { name: string; split: string }) => [f.name, f.split]).sort(), [['dev.json', 'dev'], ['train.json', 'train']]);
    const train = j.files.find((f: { name: string }) => f.name === 'train.json');
    assert.equal([train.checked, train.sha256, train.retries, train.downloaded, train.path], ['sha256', sha256(TRAIN), 1, true, join(dir, 'train.json')]);
    assert.ok(readFileSync(join(dir, 'train.json')).equals(TRAIN));
    assert.ok(readFileSync(join(dir, 'dev.json')).equals(DEV));
    // the resume asked the CDN for the rest
    assert.ok(hub.log.some((l) => l.server === 'cdn' && l.range === 'bytes=50000-'), JSON.stringify(hub.log));
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.equal(m.files.map((f: { name: string; size: number; sha256: string }) => [f.name, f.size, f.sha256]).sort(), [['dev.json', DEV.length, sha256(DEV)], ['train.json', TRAIN.length, sha256(TRAIN)]]);
    assert.not.ok(readdirSync(dir).includes('README.md'));
    const again = await fetchDataset('advertisegen', { dir, endpoint: hub.endpoint });
    assert.ok(again.files.every((f) => !f.downloaded));
  } finally {
    await hub.close();
  }
});

test('advertisegen: a parquet-only repository is also written as JSONL (content/summary per line)', async () => {
  const rows = lines.slice(0, 5).map((l) => JSON.parse(l) as { content: string; summary: string });
  const pq = (rs: typeof rows) => Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'content', data: rs.map((r) => r.content) }, { name: 'summary', data: rs.map((r) => r.summary) }] }));
  const files: HubFile[] = [
    { name: 'data/train-00000-of-00001.parquet', bytes: pq(rows.slice(0, 3)), lfs: true },
    { name: 'data/validation-00000-of-00001.parquet', bytes: pq(rows.slice(3)), lfs: true },
  ];
  const hub = await startFakeHub({ repo: 'HasturOfficial/adgen', commit: COMMIT, files, repoType: 'dataset' });
  const dir = mkdtempSync(join(tmpdir(), 'll-adgen-pq-'));
  try {
    const r = await fetchDataset('advertisegen', { dir, endpoint: hub.endpoint });
    const train = r.files.find((f) => f.split === 'train')!;
    assert.is(train.path, join(dir, 'data', 'train-00000-of-00001.jsonl'));
    assert.equal(readFileSync(train.path, 'utf8').trim().split('\n').map((l) => JSON.parse(l)), rows.slice(0, 3));
  } finally {
    await hub.close();
  }
});

/** GitHub's contents API and raw host in one loopback server: /repos/O/R/contents/F, /raw/F → 302 → /blob/F. */
async function fakeGithub(files: Map<string, Buffer>, o: { breakAfter?: Map<string, number>; corrupt?: Set<string> } = {}) {
  const log: string[] = [];
  const broken = new Set<string>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://x');
    log.push(`${req.method} ${url.pathname}${req.headers.range ? ` ${req.headers.range}` : ''}`);
    const api = /^\/repos\/tuetschek\/e2e-dataset\/contents\/(.+)$/.exec(url.pathname);
    if (api && url.searchParams.get('ref') === 'master' && files.has(api[1])) {
      const b = files.get(api[1])!;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: api[1], path: api[1], sha: gitSha1(b), size: b.length, type: 'file', download_url: `${base}/raw/${api[1]}` }));
      return;
    }
    const raw = /^\/raw\/(.+)$/.exec(url.pathname);
    if (raw) { res.writeHead(302, { location: `/blob/${raw[1]}?token=x` }).end(); return; }
    const blob = /^\/blob\/(.+)$/.exec(url.pathname);
    if (blob && files.has(blob[1])) {
      let bytes = files.get(blob[1])!;
      if (o.corrupt?.has(blob[1])) { bytes = Buffer.from(bytes); bytes[10] ^= 0xff; }
      const cut = o.breakAfter?.get(blob[1]);
      sendBytes(req, res, bytes, { 'content-type': 'text/plain' }, cut !== undefined && !broken.has(blob[1]) ? (broken.add(blob[1]), cut) : undefined);
      return;
    }
    res.writeHead(404).end('{"message":"Not Found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { api: `${base}/repos/tuetschek/e2e-dataset`, log, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const DEVSET = readFileSync(join(paths.datasets, 'e2e', 'devset.csv'));
const e2eFiles = () => new Map([
  ['trainset.csv', Buffer.from(DEVSET.toString('utf8').split('\n').slice(0, 3000).join('\n') + '\n')],
  ['devset.csv', DEVSET],
  ['testset_w_refs.csv', Buffer.from(DEVSET.toString('utf8').split('\n').slice(0, 40).join('\n') + '\n')],
]);

test('e2e: GitHub contents API via LEDGERLAB_E2E_URL, redirected raw URL, broken transfer resumed, git sha1 + size checked, sha256 manifest', async () => {
  const files = e2eFiles();
  const gh = await fakeGithub(files, { breakAfter: new Map([['devset.csv', 300_000]]) });
  const dir = mkdtempSync(join(tmpdir(), 'll-e2e-'));
  try {
    const r = await cli(['data', 'fetch', 'e2e', '--dir', dir, '--json'], { LEDGERLAB_E2E_URL: gh.api });
    assert.is(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.files.map((f: { name: string; split: string }) => [f.name, f.split]), [['trainset.csv', 'train'], ['devset.csv', 'dev'], ['testset_w_refs.csv', 'test']]);
    for (const f of j.files) {
      const b = files.get(f.name)!;
      assert.equal([f.checked, f.etag, f.size, f.sha256], ['git-sha1', gitSha1(b), b.length, sha256(b)], f.name);
      assert.ok(readFileSync(join(dir, f.name)).equals(b), f.name);
    }
    const dev = j.files.find((f: { name: string }) => f.name === 'devset.csv');
    assert.is(dev.retries, 1);
    assert.ok(gh.log.includes('GET /blob/devset.csv bytes=300000-'), gh.log.join('\n'));
    assert.ok(gh.log.includes('GET /raw/devset.csv'));
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.equal([m.dataset, m.source, m.revision], ['e2e', gh.api, 'master']);
    assert.equal(m.files.map((f: { sha256: string }) => f.sha256), [...files.values()].map(sha256));

    // The upstream changes a file: the manifest check refuses it, naming the manifest.
    const changed = new Map(files);
    changed.set('testset_w_refs.csv', Buffer.from('mr,ref\n"name[X]","X."\n'));
    const gh2 = await fakeGithub(changed);
    try {
      await fetchDataset('e2e', { dir, e2eUrl: gh2.api });
      assert.unreachable('accepted a changed upstream file');
    } catch (e) {
      assert.instance(e, LedgerLabError);
      assert.match((e as Error).message, /testset_w_refs\.csv now has sha256 [0-9a-f]{64}; the manifest recorded/);
      assert.is((e as LedgerLabError).where, join(dir, 'manifest.json'));
    } finally {
      await gh2.close();
    }
  } finally {
    await gh.close();
  }
});

test('e2e: corrupted bytes fail the git sha1 check naming the file, and leave no partial file behind', async () => {
  const gh = await fakeGithub(e2eFiles(), { corrupt: new Set(['trainset.csv']) });
  const dir = mkdtempSync(join(tmpdir(), 'll-e2e-bad-'));
  try {
    const r = await cli(['data', 'fetch', 'e2e', '--dir', dir], { LEDGERLAB_E2E_URL: gh.api });
    assert.is(r.code === 0, false);
    assert.match(r.stderr, /trainset\.csv: git-sha1 of the download is [0-9a-f]{40}, the hub announced/);
    assert.not.ok(existsSync(join(dir, 'trainset.csv')));
    assert.equal(readdirSync(join(dir, '.cache', 'huggingface', 'download')), []);
    assert.not.ok(existsSync(join(dir, 'manifest.json')));
    writeFileSync(join(dir, 'x'), '');
  } finally {
    await gh.close();
  }
});

test.run();

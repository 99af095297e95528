// Fuzz test (issue 27): the workbench's paths under random encodings — percent-encoding of any character,
// double encoding, dot segments, repeated slashes, case changes, trailing slashes, backslashes — sent raw to a
// real server. Without the token every answer is 401, 403 or 404 and carries no run data; with it, enough of
// the same mutations reach the real routes to show the fuzz exercises them. Seeded (LEDGERLAB_FUZZ_SEED,
// default 27) and bounded by a time budget (LEDGERLAB_FUZZ_MS, default 12 s).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../lib/util/index.ts';
import { startUi, type UiServer } from '../../lib/ui/index.ts';
import { tempRoot } from './browser.ts';
import { raw, writeRun } from './synthetic.ts';

const seed = process.env.LEDGERLAB_FUZZ_SEED ?? '27';
const budgetMs = Number(process.env.LEDGERLAB_FUZZ_MS ?? 12_000);
const SECRET = 'FUZZ-CANARY-run-data';
const root = tempRoot('fuzz');
let ui: UiServer;

const GETS = ['/api/runs', '/api/runs/fuzzrun', '/api/runs/fuzzrun/events', '/api/info', '/api/reports', '/api/experiments', '/api/kinds', '/api/chat/models',
  '/api/sim', '/api/sim/fuzzrun', '/api/sim/fuzzrun/cell', '/files/fuzzrun/run.json', '/files/fuzzrun/metrics.jsonl', '/files/reports/rep/report.html'];
const POSTS = ['/api/runs', '/api/validate', '/api/runs/fuzzrun/cancel', '/api/runs/fuzzrun/resume', '/api/reports', '/api/generate'];

const hex = (c: string, rng: Rng) => [...Buffer.from(c)].map((b) => `%${b.toString(16).padStart(2, '0')}`).map((e) => (rng.int(2) ? e.toUpperCase() : e)).join('');

/** One random mutation of a path (the query is left alone). */
const MUTATIONS: ((p: string, rng: Rng) => string)[] = [
  (p, rng) => [...p].map((c) => (c !== '/' && rng.int(3) === 0 ? hex(c, rng) : c)).join(''),            // encode some characters
  (p, rng) => [...p].map((c) => (rng.int(5) === 0 ? hex(c, rng) : c)).join(''),                           // … separators too
  (p, rng) => p.replace(/[a-z]/, (c) => hex(c, rng).replace('%', '%25')),                                // double encoding
  (p, rng) => insertAt(p, rng, ['/.', '/./', '/x/..', '/%2e', '/%2E%2E', '/..', '/.%2e'][rng.int(7)]),      // dot segments
  (p, rng) => insertAt(p, rng, '/'),                                                                      // repeated slash
  (p, rng) => [...p].map((c) => (rng.int(3) === 0 ? c.toUpperCase() : c)).join(''),                       // case
  (p) => `${p}/`,                                                                                          // trailing slash
  (p, rng) => p.replace(/\//g, (s) => (rng.int(2) ? '\\' : rng.int(2) ? '%5c' : s)),                       // backslashes
  (p) => `/static/..${p}`, (p) => `/vendor/..${p}`, (p) => `//${p}`,                                       // public prefixes
];

function insertAt(p: string, rng: Rng, what: string): string {
  const slashes = [...p.matchAll(/\//g)].map((m) => m.index!);
  const at = slashes[rng.int(slashes.length)];
  return p.slice(0, at) + what + p.slice(at);
}

function mutate(p: string, rng: Rng): string {
  // A third are the paths the router decodes back to the route itself (the bypass of issue 27): only encoding.
  if (rng.int(3) === 0) return MUTATIONS[0](p, rng);
  let out = p;
  for (let n = 1 + rng.int(3); n > 0; n--) out = MUTATIONS[rng.int(MUTATIONS.length)](out, rng);
  // An origin-form request target starts with "/" (anything else never reaches the router: Node's parser refuses it).
  return out.startsWith('/') ? out : `/${out}`;
}

test.before(async () => {
  writeRun(root, 'fuzzrun', { kind: 'simulate', summary: { secret: SECRET }, metrics: [{ step: 1, loss: 1, note: SECRET }] });
  mkdirSync(join(root, 'reports', 'rep'), { recursive: true });
  writeFileSync(join(root, 'reports', 'rep', 'report.html'), `<html>${SECRET}</html>`);
  ui = await startUi({ root, port: 0, token: 'fuzz-test-token-12345' });
});
test.after(async () => {
  await ui.close();
  rmSync(root, { recursive: true, force: true });
});

test('no mutation of any route path answers without the token (401/403/404, no run data)', async () => {
  const rng = new Rng(`ui-path-fuzz-${seed}`);
  const t0 = Date.now();
  let cases = 0, reached = 0, probed = 0;
  const bad: string[] = [];
  while (Date.now() - t0 < budgetMs && cases < 3000) {
    const post = rng.int(3) === 0;
    const target = post ? POSTS[rng.int(POSTS.length)] : GETS[rng.int(GETS.length)];
    const path = mutate(target, rng);
    const method = post ? 'POST' : ['GET', 'GET', 'HEAD', 'POST'][rng.int(4)];
    const headers: Record<string, string> = rng.int(4) === 0 ? { 'x-ledgerlab-token': 'fuzz-test-token-12346' } : {};
    const r = await raw(ui.port, path, { method, headers, ...(method === 'POST' ? { body: { runs: ['fuzzrun'], kind: 'simulate', name: 'fuzz', model: 'run:fuzzrun', prompt: 'a' } } : {}), timeoutMs: 10_000 }).catch((e) => { throw new Error(`${method} ${path}: ${e.message}`); });
    cases++;
    if (![401, 403, 404].includes(r.status) || r.body.includes(SECRET) || r.body.includes(root)) bad.push(`${method} ${path} → ${r.status} ${r.body.slice(0, 120)}`);
    if (method === 'GET' && cases % 4 === 0) {
      // The same mutation with the token: counts how often the fuzz reaches a real route.
      probed++;
      const ok = await raw(ui.port, path, { headers: { 'x-ledgerlab-token': ui.token }, timeoutMs: 10_000 });
      if (ok.status === 200) reached++;
    }
  }
  assert.equal(bad.slice(0, 10), [], `${bad.length} of ${cases} answered without the token`);
  assert.ok(cases >= 200, `only ${cases} cases in ${budgetMs} ms`);
  assert.ok(reached >= probed / 10, `only ${reached} of ${probed} mutated paths reached a route with the token: the fuzz does not exercise the routes`);
  console.log(`  ${cases} mutated requests without the token, all refused; ${reached}/${probed} reached a route with it (seed ${seed})`);
});

test.run();

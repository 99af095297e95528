// Issue 27, the workbench's surface, against a real server on 127.0.0.1 and real run folders in a temp root:
// the token cannot be walked around by percent-encoding; cancel signals only the very process that started
// a run; run.json cannot point the server at files outside the results root; the event stream answers for
// very long runs and says when it fails; artefact lists, malformed lines and report names are handled.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startUi, type UiServer } from '../../lib/ui/index.ts';
import { processStartTicks } from '../../lib/util/index.ts';
import { repoRoot } from '../helpers/cli.ts';
import { tempRoot } from './browser.ts';
import { raw, sse, writeRun } from './synthetic.ts';

const base = tempRoot('sec');
const root = join(base, 'results');
const outside = join(base, 'outside');
const CANARY = 'CANARY-outside-the-results-root';
let ui: UiServer;
const children: ChildProcess[] = [];
const auth = () => ({ 'x-ledgerlab-token': ui.token });
const get = (path: string, o: Parameters<typeof raw>[2] = {}) => raw(ui.port, path, o);

/** A long-lived process that is not a LedgerLab run (a forged run.json may name it). */
function bystander(): ChildProcess {
  const c = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(c);
  return c;
}
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

test.before(async () => {
  mkdirSync(root, { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret.jsonl'), JSON.stringify({ step: 1, loss: 4242.5, canary: CANARY }) + '\n');
  writeRun(root, 'plain', { metrics: [{ step: 1, loss: 2.5 }, { step: 2, loss: 2.25 }, { step: 3, loss: 2 }] });
  ui = await startUi({ root, port: 0, token: 'security-test-token-1234' });
});
test.after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await ui.close();
  rmSync(base, { recursive: true, force: true });
});

test('High 1: percent-encoded paths reach the same routes and need the same token', async () => {
  const attempts: [string, string, unknown?][] = [
    ['GET', '/%61pi/runs'], ['GET', '/%61pi/runs/plain'], ['GET', '/%61%70%69/runs'], ['GET', '/api/%72uns'], ['GET', '/%61pi/reports'],
    ['GET', '/%61pi/runs/plain/%65vents'], ['GET', '/%61pi/info'], ['GET', '/%61pi/compare?ids=plain,plain'], ['GET', '/%66iles/plain/run.json'],
    ['POST', '/%61pi/runs', { kind: 'toy', name: 'x', config: {} }], ['POST', '/%61pi/validate', { kind: 'toy', name: 'x' }],
    ['POST', '/%61pi/reports', { runs: ['plain'] }], ['POST', '/%61pi/runs/plain/cancel', {}], ['POST', '/%61pi/runs/plain/resume', {}],
    ['HEAD', '/%61pi/runs'],
  ];
  for (const [method, path, body] of attempts) {
    const r = await get(path, { method, body });
    assert.is(r.status, 401, `${method} ${path} → ${r.status} ${r.body.slice(0, 200)}`);
    assert.not.match(r.body, 'plain');
  }
  // The router does decode them: with the token the same URLs are the real routes.
  const runs = await get('/%61pi/runs', { headers: auth() });
  assert.is(runs.status, 200);
  assert.equal(JSON.parse(runs.body).map((r: { id: string }) => r.id), ['plain']);
  // A run-folder file reached through an encoded prefix is still served sandboxed (no scripts, no token).
  const file = await get('/%66iles/plain/run.json', { headers: auth() });
  assert.is(file.status, 200);
  assert.match(String(file.headers['content-security-policy']), /^sandbox; /);
});

test('Medium 5: a run records its process start time; cancel signals only that very process', async () => {
  // A real run: lib/results startRun in a child process, then cancelled through the API.
  const script = `const m = await import(${JSON.stringify(join(repoRoot, 'lib/results/index.ts'))}); await m.startRun({ root: ${JSON.stringify(root)}, runId: 'live', kind: 'toy', name: 'live', config: {}, seeds: [0], environment: {} }); console.log('ready'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((res) => child.stdout!.on('data', (d) => { if (String(d).includes('ready')) res(); }));
  const rec = JSON.parse(readFileSync(join(root, 'live', 'run.json'), 'utf8'));
  assert.is(rec.process.pid, child.pid);
  assert.is(rec.process.startTicks, processStartTicks(child.pid!));

  // Forged records: pid -1 (every process), 0 and 1, a process group, a bystander without or with a wrong start time.
  const other = bystander();
  const forged: [string, Record<string, unknown>][] = [
    ['minus-one', { pid: -1, startTicks: 0 }], ['zero', { pid: 0, startTicks: 0 }], ['init', { pid: 1, startTicks: processStartTicks(1) ?? 0 }],
    ['group', { pid: -other.pid!, startTicks: processStartTicks(other.pid!) }], ['no-start', { pid: other.pid! }],
    ['reused', { pid: other.pid!, startTicks: (processStartTicks(other.pid!) ?? 0) + 1 }],
  ];
  for (const [id, proc] of forged) {
    writeRun(root, id, { status: 'running', process: proc as { pid: number } });
    const r = await get(`/api/runs/${id}/cancel`, { method: 'POST', headers: auth(), body: {} });
    assert.is(r.status, 400, `${id} → ${r.status} ${r.body}`);
    assert.ok(alive(other.pid!), `${id}: the bystander was signalled`);
  }
  assert.match(JSON.parse((await get('/api/runs/reused/cancel', { method: 'POST', headers: auth(), body: {} })).body).error, 'is not the process that started run reused');
  for (const id of ['..', '..%2F..%2Fplain', '%2e%2e', 'a%00b']) {
    const r = await get(`/api/runs/${id}/cancel`, { method: 'POST', headers: auth(), body: {} });
    assert.ok(r.status === 404 || r.status === 400, `${id} → ${r.status}`);
  }

  const ok = await get('/api/runs/live/cancel', { method: 'POST', headers: auth(), body: {} });
  assert.is(ok.status, 200, ok.body);
  assert.equal(JSON.parse(ok.body), { signalled: child.pid });
  const code = await new Promise((res) => child.on('exit', (c) => res(c)));
  assert.is(code, 130);
  assert.is(JSON.parse(readFileSync(join(root, 'live', 'run.json'), 'utf8')).status, 'interrupted');
});

test('Medium 7: run.json artifacts and symlinked run folders cannot read outside the results root', async () => {
  writeRun(root, 'up', { artifacts: { metrics: '../../outside/secret.jsonl', predictions: '../../outside/secret.jsonl' } });
  writeRun(root, 'abs', { artifacts: { metrics: join(outside, 'secret.jsonl'), predictions: join(outside, 'secret.jsonl') } });
  writeRun(root, 'linked-file', {});
  symlinkSync(join(outside, 'secret.jsonl'), join(root, 'linked-file', 'metrics.jsonl'));
  const away = join(outside, 'run-away');
  writeRun(outside, 'run-away', { metrics: [{ step: 1, loss: 1, canary: CANARY }] });
  symlinkSync(away, join(root, 'escaped'));
  for (const id of ['up', 'abs', 'linked-file']) {
    const r = await get(`/api/runs/${id}`, { headers: auth() });
    assert.is(r.status, 200, `${id}: ${r.body}`);
    assert.not.match(r.body, CANARY, id);
    assert.not.match(r.body, '4242.5', id);
    const events = await sse(ui.port, `/api/runs/${id}/events`, ui.token);
    assert.not.match(JSON.stringify(events), '4242.5', `${id} events`);
  }
  assert.match(JSON.parse((await get('/api/runs/up', { headers: auth() })).body).warnings[0].message, 'leads outside the run folder');
  assert.is((await get('/api/runs/escaped', { headers: auth() })).status, 404);
  assert.is((await get('/api/runs/escaped/events', { headers: auth() })).status, 404);
  assert.is((await get('/api/compare?ids=plain,escaped', { headers: auth() })).status, 404);
  assert.is((await get('/api/runs/escaped/resume', { method: 'POST', headers: auth(), body: {} })).status, 404);
  assert.not.match((await get('/api/runs', { headers: auth() })).body, 'escaped');
  assert.is((await get('/api/generate', { method: 'POST', headers: auth(), body: { model: `run:${away}`, prompt: 'a' } })).status, 404);

  // Code below the UI (the sim sweep, report building) reads a run's files itself: such runs are refused first.
  writeFileSync(join(outside, 'table.json'), JSON.stringify([{ design: CANARY, attack: 'a', seeds: 1, metrics: { capturedShare: { mean: 0.5, lo: 0.4, hi: 0.6, sd: 0.1, n: 2 } } }]));
  const simConfig = JSON.parse(readFileSync(join(repoRoot, 'experiments', 'sim-quick.json'), 'utf8')).config;
  writeRun(root, 'sim-out', { kind: 'simulate', config: simConfig, artifacts: { metrics: 'metrics.jsonl', table: '../../outside/table.json' }, metrics: [] });
  const sim = await get('/api/sim/sim-out', { headers: auth() });
  assert.is(sim.status, 400, sim.body);
  assert.not.match(sim.body, CANARY);
  const rep = await get('/api/reports', { method: 'POST', headers: auth(), body: { runs: ['up'], name: 'from-outside' } });
  assert.is(rep.status, 400, rep.body);
  assert.match(JSON.parse(rep.body).error, 'leads outside the run folder');
  assert.not.ok(existsSync(join(root, 'reports', 'from-outside')));
});

test('Medium 9: /events answers for a run with 130,000 metric lines, and a failure ends the stream with an error event', async () => {
  const lines = Array.from({ length: 130_000 }, (_, i) => ({ step: i + 1, loss: 3 - i / 1e5, lr: 0.001 }));
  writeRun(root, 'long', { metrics: lines, config: { train: { steps: 130_000 } } });
  const events = await sse(ui.port, '/api/runs/long/events', ui.token, 60_000);
  const metrics = events.filter(([e]) => e === 'metrics').map(([, d]) => d as { count: number; progress: { step: number }; chart?: unknown; lines: unknown[] });
  assert.equal(events.at(-1), ['end', { status: 'finished' }]);
  assert.is(metrics.at(-1)!.count, 130_000);
  assert.is(metrics.at(-1)!.progress.step, 130_000);
  assert.ok(metrics.at(-1)!.chart);
  assert.ok(metrics.every((m) => m.lines.length <= 1000));
  const page = JSON.parse((await get('/api/runs/long', { headers: auth() })).body);
  assert.is(page.lines, 130_000);
  assert.equal(page.progress, { step: 130_000, total: 130_000, fraction: 1 });

  // A running run (this process) whose run.json turns unreadable mid-stream: an `error` event, then the end.
  writeRun(root, 'breaks', { status: 'running', process: { pid: process.pid, startTicks: processStartTicks(process.pid) }, metrics: [{ step: 1, loss: 1 }] });
  setTimeout(() => writeFileSync(join(root, 'breaks', 'run.json'), '{ torn'), 600);
  const broken = await sse(ui.port, '/api/runs/breaks/events', ui.token, 20_000);
  const last = broken.at(-1)!;
  assert.is(last[0], 'error', JSON.stringify(broken));
  assert.match((last[1] as { error: string }).error, 'run record is not valid JSON');
});

test('Low: the artefact list does not follow links out of the run folder; a dangling link is no 500', async () => {
  const dir = writeRun(root, 'arte', { metrics: [{ step: 1, loss: 1 }] });
  writeFileSync(join(dir, 'kept.txt'), 'inside');
  symlinkSync(join(outside, 'secret.jsonl'), join(dir, 'out-link.jsonl'));
  symlinkSync(join(dir, 'kept.txt'), join(dir, 'in-link.txt'));
  symlinkSync(join(dir, 'no-such-file'), join(dir, 'dangling'));
  symlinkSync(outside, join(dir, 'out-dir'));
  const r = await get('/api/runs/arte', { headers: auth() });
  assert.is(r.status, 200, r.body);
  const paths = JSON.parse(r.body).artefacts.map((a: { path: string }) => a.path).sort();
  assert.equal(paths, ['in-link.txt', 'kept.txt', 'metrics.jsonl', 'run.json']);
});

test('Low: one malformed metrics line gives the rest of the run and a warning at file:line', async () => {
  writeRun(root, 'torn', { metrics: '{"step":1,"loss":2}\n{"step":2,"loss":\n{"step":3,"loss":1.5}\n' });
  const r = await get('/api/runs/torn', { headers: auth() });
  assert.is(r.status, 200, r.body);
  const body = JSON.parse(r.body);
  assert.is(body.lines, 2);
  assert.equal(body.warnings.map((w: { where: string }) => w.where), ['torn/metrics.jsonl:2']);
  assert.match(body.warnings[0].message, 'invalid JSON line');
  assert.equal(body.charts.loss.data.values.map((v: { x: number }) => v.x), [1, 3]);
  const events = await sse(ui.port, '/api/runs/torn/events', ui.token);
  assert.equal((events[0][1] as { warnings: { where: string }[] }).warnings.map((w) => w.where), ['torn/metrics.jsonl:2']);
});

test('Low: report names stay one folder under reports/, and an existing report is replaced only when asked', async () => {
  const before = readdirSync(root).sort();
  for (const name of ['..', '.', '-x', 'a/b', '../../escape', '.hidden', '']) {
    const r = await get('/api/reports', { method: 'POST', headers: auth(), body: { runs: ['plain'], name } });
    assert.is(r.status, 400, `${JSON.stringify(name)} → ${r.status} ${r.body}`);
  }
  assert.equal(readdirSync(root).sort(), before);
  assert.not.ok(existsSync(join(base, 'report.html')) || existsSync(join(root, 'report.html')));
  const first = await get('/api/reports', { method: 'POST', headers: auth(), body: { runs: ['plain'], name: 'mine' } });
  assert.is(first.status, 201, first.body);
  const html = join(root, 'reports', 'mine', 'report.html');
  writeFileSync(html, 'kept');
  const again = await get('/api/reports', { method: 'POST', headers: auth(), body: { runs: ['plain'], name: 'mine' } });
  assert.is(again.status, 409, again.body);
  assert.match(JSON.parse(again.body).hint, 'overwrite');
  assert.is(readFileSync(html, 'utf8'), 'kept');
  const replaced = await get('/api/reports', { method: 'POST', headers: auth(), body: { runs: ['plain'], name: 'mine', overwrite: true } });
  assert.is(replaced.status, 201, replaced.body);
  assert.match(readFileSync(html, 'utf8'), '<html');
});

test.run();

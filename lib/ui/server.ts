/**
 * The workbench server: Fastify on 127.0.0.1 by default. Every /api and /files request needs the session
 * token (auth.ts); binding any other host requires the caller to accept that the token is the only lock.
 * Static assets (lib/ui/static) and the two vega bundles from node_modules are served as fixed files, run
 * folders through files.ts (never outside the results root).
 *
 * @example
 * const ui = await startUi({ root: 'results' });   // port 0 = any free port
 * console.log(ui.url);                              // http://127.0.0.1:8484/?token=…
 * await ui.close();
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { LedgerLabError } from '../errors.ts';
import { paths } from '../paths.ts';
import { guard, generateToken, isLoopback, matchedRoute } from './auth.ts';
import { contentType, registerFiles, resolveInside } from './files.ts';
import { Launcher, fieldIssues } from './launch.ts';
import { ChatModels } from './chat/index.ts';
import { registerChatRoutes, registerEstimateRoutes, registerReportRoutes, registerRunRoutes, registerSimRoutes } from './routes/index.ts';

export interface UiOptions {
  /** Results root (default paths.results). */
  root?: string;
  host?: string;
  /** 0 = a free port. Default 8484. */
  port?: number;
  /** Session token; generated when absent. */
  token?: string;
  /** Folders whose *.json experiment files the launch page offers (default experiments/). */
  experimentDirs?: string[];
}

export interface UiServer {
  url: string;
  host: string;
  port: number;
  token: string;
  root: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8484;
const STATIC = join(dirname(fileURLToPath(import.meta.url)), 'static');
const VENDOR: Record<string, string> = {
  'vega.min.js': join(paths.root, 'node_modules', 'vega', 'build', 'vega.min.js'),
  'vega-lite.min.js': join(paths.root, 'node_modules', 'vega-lite', 'build', 'vega-lite.min.js'),
};

function httpStatus(err: LedgerLabError): number {
  if (err.code === 'report.exists') return 409;
  if (/^no (run|cell|such)/.test(err.problem)) return 404;
  return err.kind === 'runtime' ? 500 : 400;
}

export async function buildApp(o: { root: string; token: string; loopbackOnly: boolean; experimentDirs?: string[] }): Promise<{ app: FastifyInstance; launcher: Launcher; models: ChatModels }> {
  // Loaded on first use, so importing lib/index.ts (notebooks, the CLI) does not load the web server.
  const { default: Fastify } = await import('fastify');
  const app = Fastify({
    logger: false, bodyLimit: 1 << 20,
    // A URL whose percent-encoding does not decode matches no route: 404, the same as any other unknown path
    // (it is refused before the hooks run, so it never reaches a handler).
    frameworkErrors: (err, _req, reply) => (reply as FastifyReply).code(err.code === 'FST_ERR_BAD_URL' ? 404 : 400).send({ error: err.code === 'FST_ERR_BAD_URL' ? 'no route (the URL is not valid percent-encoding)' : err.message }),
  });
  const launcher = new Launcher(o.root, o.experimentDirs);
  const models = new ChatModels(o.root);
  app.addHook('onRequest', guard(o.token, o.loopbackOnly));
  app.addHook('onSend', async (req, reply, payload) => {
    // No page of ours is framed by another site, and nothing loads from outside this server. Files from run
    // folders (reports, artefacts) are sandboxed: no scripts, and no access to the page's token.
    reply.header('x-frame-options', 'SAMEORIGIN');
    // Decided on the matched route, not the raw URL (`/%66iles/…` is the same route).
    reply.header('content-security-policy', matchedRoute(req) === '/files/*'
      ? "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; font-src data:"
      : "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-eval'; frame-src 'self'");
    return payload;
  });
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof LedgerLabError && err.code === 'launch.invalid') return reply.code(400).send({ error: err.message, issues: fieldIssues(err) });
    if (err instanceof LedgerLabError) return reply.code(httpStatus(err)).send({ error: err.problem, where: err.where, hint: err.hint });
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send({ error: (err as Error).message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }));

  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(readFileSync(join(STATIC, 'index.html'))));
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());
  app.get('/static/*', async (req, reply) => {
    const rel = (req.params as { '*': string })['*'];
    const r = /^[A-Za-z0-9/_.-]+$/.test(rel) ? resolveInside(STATIC, rel) : { status: 403 as const };
    if (r.status !== 200) return reply.code(r.status).send({ error: 'no such asset' });
    return reply.type(contentType(r.path)).send(readFileSync(r.path));
  });
  app.get('/vendor/:file', async (req, reply) => {
    const path = VENDOR[(req.params as { file: string }).file];
    if (!path) return reply.code(404).send({ error: 'no such asset' });
    reply.header('cache-control', 'max-age=3600');
    return reply.type('text/javascript; charset=utf-8').send(readFileSync(path));
  });
  app.get('/api/info', async () => ({ root: o.root, kinds: launcher.kinds().map((k) => k.kind) }));

  registerFiles(app, o.root);
  registerRunRoutes(app, o.root, launcher);
  registerChatRoutes(app, o.root, models);
  registerReportRoutes(app, o.root);
  registerSimRoutes(app, o.root);
  registerEstimateRoutes(app);
  return { app, launcher, models };
}

export async function startUi(opts: UiOptions = {}): Promise<UiServer> {
  const host = opts.host ?? '127.0.0.1';
  const root = resolve(opts.root ?? paths.results);
  mkdirSync(root, { recursive: true });
  if (!existsSync(root)) throw new LedgerLabError({ kind: 'io', problem: 'results root does not exist', where: root });
  const token = opts.token ?? generateToken();
  if (opts.token !== undefined && opts.token.length < 8) throw new LedgerLabError({ kind: 'usage', problem: 'the token must be at least 8 characters', where: '--token' });
  const { app, launcher, models } = await buildApp({ root, token, loopbackOnly: isLoopback(host), experimentDirs: opts.experimentDirs });
  try {
    await app.listen({ host, port: opts.port ?? DEFAULT_PORT });
  } catch (err) {
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
      throw new LedgerLabError({
        kind: 'usage', where: code === 'EADDRNOTAVAIL' ? '--host' : '--port', cause: err,
        problem: code === 'EADDRINUSE' ? `port ${opts.port ?? DEFAULT_PORT} is already in use` : code === 'EACCES' ? `no permission to listen on port ${opts.port ?? DEFAULT_PORT}` : `${host} is not an address of this machine`,
        hint: code === 'EADDRNOTAVAIL' ? 'use 127.0.0.1 (default) or an address of one of this machine\'s interfaces' : 'pick another with --port N, or --port 0 for any free port',
      });
    }
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? DEFAULT_PORT);
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/?token=${token}`, host, port, token, root, app,
    async close() {
      launcher.stopAll();
      await app.close();
      await models.close();
    },
  };
}

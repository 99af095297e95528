/**
 * File serving under the results root and nowhere else: the requested path is decoded, resolved against the
 * root, and its real path (symlinks followed) must still lie inside the root's real path. Anything else is a
 * 403 (outside) or 404 (missing); directories are not listed.
 */
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.json': 'application/json; charset=utf-8', '.jsonl': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8', '.log': 'text/plain; charset=utf-8', '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.pdf': 'application/pdf', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

const inside = (root: string, p: string) => {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..'));
};

/**
 * Resolves a path relative to `root`. Returns `{ status: 403 }` for anything that leaves the root (`..`,
 * absolute paths, NUL bytes, symlinks pointing out), `{ status: 404 }` when missing (a dangling link too) or
 * not of the kind asked for (a file by default, or a folder), else the real path.
 */
export function resolveInside(root: string, rel: string, kind: 'file' | 'dir' = 'file'): { status: 200; path: string } | { status: 403 | 404 } {
  if (rel.includes('\0') || isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) return { status: 403 };
  if (!existsSync(root)) return { status: 404 };
  const realRoot = realpathSync(root);
  const p = resolve(realRoot, rel);
  if (!inside(realRoot, p)) return { status: 403 };
  if (!existsSync(p)) return { status: 404 };
  const real = realpathSync(p);
  if (!inside(realRoot, real)) return { status: 403 };
  const st = statSync(real);
  return (kind === 'file' ? st.isFile() : st.isDirectory()) ? { status: 200, path: real } : { status: 404 };
}

/** GET /files/<path under the results root>. */
export function registerFiles(app: FastifyInstance, root: string): void {
  app.get('/files/*', async (req, reply) => {
    // Everything after the first segment, still encoded: that segment may be `files` in any encoding the
    // router accepts (`/%66iles/…`), and decoding here (once) is what catches encoded separators below.
    const raw = (req.raw.url ?? '').split('?')[0].replace(/^\/[^/]*\//, '');
    let rel: string;
    try {
      rel = decodeURIComponent(raw);
    } catch {
      return reply.code(400).send({ error: 'bad path encoding' });
    }
    const r = resolveInside(root, rel);
    if (r.status !== 200) return reply.code(r.status).send({ error: r.status === 403 ? 'outside the results root' : 'no such file' });
    reply.header('content-type', contentType(r.path));
    reply.header('x-content-type-options', 'nosniff');
    return reply.send(createReadStream(r.path));
  });
}

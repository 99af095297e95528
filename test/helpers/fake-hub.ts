/**
 * A loopback server speaking the Hugging Face hub's download protocol (see lib/hub/protocol.ts): the
 * /api/models listing, HEAD/GET on resolve URLs with X-Repo-Commit / ETag / X-Linked-Etag / X-Linked-Size,
 * LFS files redirected (302) to a second server standing in for the CDN (another host:port, signed query),
 * HTTP Range, 401 for a gated repo without the token, 404 with X-Error-Code, a renamed repo answering with a
 * relative 307. Knobs make it break a transfer off mid-body, ignore Range, or serve corrupted bytes.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubFile { name: string; bytes: Buffer; lfs: boolean }

export interface FakeHubOptions {
  repo: string;
  commit: string;
  files: HubFile[];
  /** Require `Authorization: Bearer <token>` on the hub (not on the CDN). */
  token?: string;
  /** An old repo id that answers with a relative redirect to `repo`. */
  renamedFrom?: string;
  /** File name -> bytes after which the CDN drops the connection, on the first GET of that file only. */
  breakAfter?: Map<string, number>;
  /** Files whose bytes the CDN serves with one byte flipped. */
  corrupt?: Set<string>;
  /** A dataset repository: /api/datasets/… and /datasets/…/resolve/… (default a model repository). */
  repoType?: 'model' | 'dataset';
  /** A hostile or broken hub (security tests), each knob off by default: */
  /** Answer listings for any revision (not only main and the commit). */
  anyRevision?: boolean;
  /** Rewrites the listing body before it is sent. */
  rewriteListing?: (body: { sha: string; siblings: Array<{ rfilename: string }> }) => unknown;
  /** Rewrites the headers of a resolve answer (HEAD and GET, LFS redirect or regular file). */
  rewriteHeaders?: (file: string, headers: Record<string, string>) => Record<string, string>;
  /** Answers a CDN GET instead of the normal handler when it returns true. */
  cdnOverride?: (file: string, req: IncomingMessage, res: ServerResponse, bytes: Buffer) => boolean;
  /** Served as a regular file for any resolve path of the repository that names no file (URLs with dot segments). */
  fallback?: HubFile;
}

export interface RequestLog { server: 'hub' | 'cdn'; method: string; url: string; range?: string; authorization?: string }

export interface FakeHub { endpoint: string; cdn: string; log: RequestLog[]; close(): Promise<void> }

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
export const gitSha1 = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; base: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

/** Writes bytes[start..] honouring `Range: bytes=N-`; `breakAt` drops the socket after that many body bytes. */
export function sendBytes(req: IncomingMessage, res: ServerResponse, bytes: Buffer, headers: Record<string, string>, breakAt?: number): void {
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = m ? Number(m[1]) : 0;
  if (start > bytes.length) { res.writeHead(416, headers).end(); return; }
  const body = bytes.subarray(start);
  res.writeHead(m ? 206 : 200, { ...headers, 'content-length': String(body.length), 'accept-ranges': 'bytes', ...(m ? { 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}) });
  if (req.method === 'HEAD') { res.end(); return; }
  if (breakAt !== undefined && breakAt < body.length) {
    res.write(body.subarray(0, breakAt), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  res.end(body);
}

export async function startFakeHub(o: FakeHubOptions): Promise<FakeHub> {
  const seg = o.repoType === 'dataset' ? 'datasets' : 'models';
  const pre = o.repoType === 'dataset' ? 'datasets/' : '';
  const log: RequestLog[] = [];
  const broken = new Set<string>();
  const byName = new Map(o.files.map((f) => [f.name, f]));
  const bySha = new Map(o.files.filter((f) => f.lfs).map((f) => [sha256(f.bytes), f]));
  const record = (server: RequestLog['server'], req: IncomingMessage) => log.push({
    server, method: req.method!, url: req.url!, ...(req.headers.range ? { range: req.headers.range } : {}), ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
  });

  const cdn = await listen((req, res) => {
    record('cdn', req);
    const m = /^\/repos\/[0-9a-f]{2}\/([0-9a-f]{64})\?X-Amz-Signature=[0-9a-f]+$/.exec(req.url!);
    const f = m && bySha.get(m[1]!);
    if (!f) { res.writeHead(403).end('AccessDenied'); return; }
    let bytes = f.bytes;
    if (o.corrupt?.has(f.name)) { bytes = Buffer.from(bytes); bytes[bytes.length >> 1] ^= 0xff; }
    if (o.cdnOverride?.(f.name, req, res, bytes)) return;
    const cut = o.breakAfter?.get(f.name);
    const breakAt = cut !== undefined && !broken.has(f.name) ? (broken.add(f.name), cut) : undefined;
    sendBytes(req, res, bytes, { 'content-type': 'application/octet-stream' }, breakAt);
  });

  const hub = await listen((req, res) => {
    record('hub', req);
    const url = new URL(req.url!, 'http://x');
    if (o.renamedFrom) {
      for (const prefix of [`/api/models/${o.renamedFrom}/`, `/${o.renamedFrom}/`]) {
        if (url.pathname.startsWith(prefix)) {
          res.writeHead(307, { location: prefix.replace(o.renamedFrom, o.repo) + url.pathname.slice(prefix.length) + url.search }).end();
          return;
        }
      }
    }
    if (o.token && req.headers.authorization !== `Bearer ${o.token}`) {
      res.writeHead(401, { 'x-error-code': 'GatedRepo', 'x-error-message': 'Access to model is restricted. You must have access to it and be authenticated to access it.' }).end();
      return;
    }
    const api = new RegExp(`^/api/${seg}/${o.repo}/revision/([^/]+)$`).exec(url.pathname);
    if (api && req.method === 'GET') {
      const rev = decodeURIComponent(api[1]!);
      if (rev !== 'main' && rev !== o.commit && !o.anyRevision) { res.writeHead(404, { 'x-error-code': 'RevisionNotFound', 'x-error-message': `Invalid rev id: ${rev}` }).end(); return; }
      const withBlobs = url.searchParams.get('blobs') === 'true';
      const body = {
        _id: 'x', id: o.repo, modelId: o.repo, sha: o.commit, private: false,
        siblings: o.files.map((f) => ({ rfilename: f.name, ...(withBlobs ? { size: f.bytes.length, blobId: gitSha1(f.bytes), ...(f.lfs ? { lfs: { sha256: sha256(f.bytes), size: f.bytes.length, pointerSize: 134 } } : {}) } : {}) })),
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o.rewriteListing ? o.rewriteListing(body) : body));
      return;
    }
    const resolve = new RegExp(`^/${pre}${o.repo}/resolve/([^/]+)/(.+)$`).exec(url.pathname);
    const rewrite = (file: string, h: Record<string, string>) => (o.rewriteHeaders ? o.rewriteHeaders(file, h) : h);
    if (o.fallback && url.pathname.startsWith(`/${pre}${o.repo}/`) && !(resolve && byName.has(decodeURIComponent(resolve[2]!)))) {
      const fb = o.fallback;
      sendBytes(req, res, fb.bytes, rewrite(fb.name, { 'x-repo-commit': o.commit, etag: `"${gitSha1(fb.bytes)}"`, 'content-type': 'text/plain; charset=utf-8' }));
      return;
    }
    if (resolve && (req.method === 'GET' || req.method === 'HEAD')) {
      const rev = decodeURIComponent(resolve[1]!);
      const f = byName.get(decodeURIComponent(resolve[2]!));
      if (rev !== 'main' && rev !== o.commit && !o.anyRevision) { res.writeHead(404, { 'x-error-code': 'RevisionNotFound' }).end(); return; }
      if (!f) { res.writeHead(404, { 'x-error-code': 'EntryNotFound', 'x-repo-commit': o.commit }).end(); return; }
      if (f.lfs) {
        const sha = sha256(f.bytes);
        const sig = createHash('md5').update(sha).digest('hex');
        res.writeHead(302, rewrite(f.name, {
          location: `${cdn.base}/repos/${sha.slice(0, 2)}/${sha}?X-Amz-Signature=${sig}`, 'x-repo-commit': o.commit, 'x-linked-etag': `"${sha}"`,
          'x-linked-size': String(f.bytes.length), etag: `"${gitSha1(Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha}\nsize ${f.bytes.length}\n`))}"`,
        })).end();
        return;
      }
      sendBytes(req, res, f.bytes, rewrite(f.name, { 'x-repo-commit': o.commit, etag: `"${gitSha1(f.bytes)}"`, 'content-type': 'text/plain; charset=utf-8' }));
      return;
    }
    res.writeHead(404, { 'x-error-code': 'RepoNotFound' }).end();
  });

  return {
    endpoint: hub.base, cdn: cdn.base, log,
    close: () => Promise.all([hub.server, cdn.server].map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); }))).then(() => undefined),
  };
}

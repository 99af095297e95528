/**
 * Who may talk to the workbench. Authorisation is decided on the route the router matched, never on the raw
 * URL: the router decodes percent-encoding (`/%61pi/runs` is `/api/runs`), so a prefix test on the raw text
 * can be walked around. Deny by default: of the routes, only those in PUBLIC_ROUTES (the page shell and its
 * static assets, which hold no data) answer without the token, every other one needs it; a URL that matches
 * no route goes to the not-found handler, which answers 404 and nothing else. The token travels in the
 * header `x-ledgerlab-token`, as `Authorization: Bearer`, or as `?token=` where a browser cannot set headers
 * (EventSource, links to files). Comparisons are constant-time. On a loopback bind the Host header must name
 * loopback too, so a web page on another origin cannot reach the server through DNS rebinding.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const TOKEN_HEADER = 'x-ledgerlab-token';

/** Route patterns (as registered) that answer GET/HEAD without the token: they serve no run data. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['/', '/favicon.ico', '/static/*', '/vendor/:file']);

export function generateToken(): string {
  return randomBytes(18).toString('base64url');
}

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries, from the header, a bearer authorization or the query string. */
export function requestToken(req: FastifyRequest): string | undefined {
  const h = req.headers[TOKEN_HEADER];
  if (typeof h === 'string' && h) return h;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const q = (req.query as Record<string, unknown> | undefined)?.token;
  return typeof q === 'string' ? q : undefined;
}

/** The registered pattern of the route the router matched (`/api/runs/:id`), or undefined when none did. */
export function matchedRoute(req: FastifyRequest): string | undefined {
  return req.routeOptions?.url;
}

/** True for a GET or HEAD that the router sent to one of PUBLIC_ROUTES, and for a URL no route matches (→ 404). */
export function isPublic(req: FastifyRequest): boolean {
  const route = matchedRoute(req);
  if (route === undefined) return true;
  return PUBLIC_ROUTES.has(route) && (req.method === 'GET' || req.method === 'HEAD');
}

/** A Fastify onRequest hook: 421 for a foreign Host on loopback, then 401 without the right token off PUBLIC_ROUTES. */
export function guard(token: string, loopbackOnly: boolean) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (loopbackOnly) {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
      if (!isLoopback(host)) return reply.code(421).send({ error: `host "${host}" is not this loopback server` });
    }
    if (isPublic(req)) return;
    const given = requestToken(req);
    if (!given || !sameToken(given, token)) {
      return reply.code(401).send({ error: given ? 'wrong token' : `missing token (send header ${TOKEN_HEADER}, or ?token=)` });
    }
  };
}

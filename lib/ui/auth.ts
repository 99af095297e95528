/**
 * Who may talk to the workbench. Every /api and /files request carries the session token (header
 * `x-ledgerlab-token`, `Authorization: Bearer`, or `?token=` where a browser cannot set headers: EventSource,
 * links to files); comparisons are constant-time. On a loopback bind the Host header must name loopback too, so
 * a web page on another origin cannot reach the server through DNS rebinding.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const TOKEN_HEADER = 'x-ledgerlab-token';

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

/** A Fastify onRequest hook: 401 without the right token on protected paths, 421 for a foreign Host on loopback. */
export function guard(token: string, loopbackOnly: boolean) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (loopbackOnly) {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
      if (!isLoopback(host)) return reply.code(421).send({ error: `host "${host}" is not this loopback server` });
    }
    const path = req.url.split('?')[0];
    if (!path.startsWith('/api/') && !path.startsWith('/files/')) return;
    const given = requestToken(req);
    if (!given || !sameToken(given, token)) {
      return reply.code(401).send({ error: given ? 'wrong token' : `missing token (send header ${TOKEN_HEADER}, or ?token=)` });
    }
  };
}

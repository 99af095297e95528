/**
 * POST /api/generate streams a model's answer as newline-delimited JSON: `{"token": "…"}` per generated
 * piece, then `{"done": true, "tokens": N, "ms": T}` (or `{"error": "…"}`). GET /api/chat/models lists what
 * can be chatted with.
 */
import type { FastifyInstance } from 'fastify';
import { LedgerLabError, formatError } from '../../errors.ts';
import { s } from '../../config/index.ts';
import { chatTargets, type ChatModels } from '../chat/index.ts';

export const GenerateSchema = s.object({
  model: s.string({ nonEmpty: true }).describe('run:<run id>, dir:<checkpoint folder>[+<adapter folder>] (under LEDGERLAB_MODEL_DIRS), or another registered source'),
  prompt: s.string({ nonEmpty: true }),
  temperature: s.number({ min: 0, max: 5 }).default(0.8),
  topP: s.number({ exclusiveMin: 0, max: 1 }).default(0.95),
  maxNew: s.int({ min: 1, max: 512 }).default(64),
  seed: s.int({ min: 0 }).default(0),
});

export function registerChatRoutes(app: FastifyInstance, root: string, models: ChatModels): void {
  app.get('/api/chat/models', async () => chatTargets(root));

  app.post('/api/generate', async (req, reply) => {
    const body = GenerateSchema.parse(req.body ?? {}, 'POST /api/generate body');
    const model = await models.get(body.model);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    const t0 = performance.now();
    let n = 0;
    let gone = false;
    res.on('close', () => { gone = true; });
    try {
      for await (const token of model.stream(body.prompt, { maxNew: body.maxNew, temperature: body.temperature, topP: body.topP, seed: body.seed })) {
        if (gone) break;
        n++;
        res.write(JSON.stringify({ token }) + '\n');
      }
      res.write(JSON.stringify({ done: true, tokens: n, ms: Math.round(performance.now() - t0) }) + '\n');
    } catch (err) {
      res.write(JSON.stringify({ error: err instanceof LedgerLabError ? err.problem : formatError(err) }) + '\n');
    }
    res.end();
  });
}

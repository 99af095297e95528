/**
 * POST /api/estimate: the estimate of what the launch form is about to start (lib/estimate, `cpu` preset), or
 * the reason there is none. Reads no files: the form's model is a LedgerLab shape or it gets a reason.
 */
import type { FastifyInstance } from 'fastify';
import { estimate, formatEstimate, launchEstimateInput, type TrainingEstimate } from '../../estimate/index.ts';

export function registerEstimateRoutes(app: FastifyInstance): void {
  app.post('/api/estimate', async (req) => {
    const body = (req.body ?? {}) as { kind?: unknown; config?: unknown };
    const r = launchEstimateInput(String(body.kind ?? ''), body.config);
    if ('reason' in r) return { estimate: null, reason: r.reason };
    let e: TrainingEstimate;
    try {
      e = estimate(r.input);
    } catch (err) {
      // the form shows why rather than an HTTP error: an estimate is advice, never a reason to block a launch
      return { estimate: null, reason: (err as Error).message };
    }
    return { estimate: { trainableParams: e.trainableParams, peftLine: e.peftLine, memory: e.memory, step: e.step }, text: formatEstimate(e) };
  });
}

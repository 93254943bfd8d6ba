/**
 * A review body: its state (what it reviews, when due) and reporting its results for one part;
 * its experts' and chair's routes (review-expert.ts, review-chair.ts) register here too.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withRfc3339Instants } from '../../client/instants';
import { cycleWorkflowId } from '../../workflows/ids';
import type { PortalContext } from '../context';
import { registerChairRoutes } from './review-chair';
import { registerExpertRoutes } from './review-expert';
import { registerReviewPages } from './review-pages';
import { bodyParams, errorResponses, instant, reviewPartSchema, reviewReportBody } from '../schemas';

const reviewStateSchema = z.object({ bodyId: z.string(), dueAt: instant, parts: z.array(reviewPartSchema) });

export function registerReviewRoutes(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme/bodies/:body';
  const tags = ['review body'];

  api.get(
    prefix,
    {
      schema: {
        tags,
        summary: '评审机构状态 / what a review body reviews and when it is due',
        params: bodyParams,
        response: { 200: reviewStateSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, body } = request.params;
      await ctx.auth.require(request, reply, programme, [{ kind: 'body', id: body }]);
      const state = await ctx.api.reviewState(cycleWorkflowId(programme), body);
      return withRfc3339Instants({ bodyId: state.bodyId, dueAt: state.dueAt, parts: state.parts }) as z.infer<
        typeof reviewStateSchema
      >;
    },
  );

  api.post(
    `${prefix}/reports`,
    {
      schema: {
        tags,
        summary: '报送初评结果 / report a part’s review results',
        params: bodyParams,
        body: reviewReportBody,
        response: { 200: reviewPartSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, body } = request.params;
      const principal = await ctx.auth.require(request, reply, programme, [{ kind: 'body', id: body }]);
      const part = await ctx.auth
        .clientFor(principal)
        .reportReview(cycleWorkflowId(programme), body, request.body);
      return withRfc3339Instants(part) as z.infer<typeof reviewPartSchema>;
    },
  );
  registerExpertRoutes(app, ctx);
  registerChairRoutes(app, ctx);
  registerReviewPages(app, ctx);
}

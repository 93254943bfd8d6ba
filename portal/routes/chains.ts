/**
 * Chains of cycles for the secretariat: the chain's status as API (forwarded, accepted, refused
 * with reasons, per child) and as a page.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withRfc3339Instants } from '../../client/instants';
import type { Party } from '../../domain/credentials';
import { cycleWorkflowId } from '../../workflows/ids';
import type { PortalContext } from '../context';
import { chainsPage } from '../pages/chains';
import { errorResponses, programmeParams } from '../schemas';

const SECRETARIAT: Party[] = [{ kind: 'secretariat' }];

const forwardOutcomeSchema = z.object({
  nominationId: z.string(),
  idempotencyKey: z.string(),
  listId: z.string(),
  fieldId: z.string().optional(),
  parentListId: z.string(),
  parentFieldId: z.string().optional(),
  outcome: z.enum(['accepted', 'refused']),
  parentNominationId: z.string().optional(),
  refusal: z
    .object({
      code: z.string(),
      message: z.string(),
      field: z.string().optional(),
      rule: z.string().optional(),
      fix: z.string().optional(),
    })
    .optional(),
});

const outcomesShape = { accepted: z.array(forwardOutcomeSchema), refused: z.array(forwardOutcomeSchema) };

export const chainStatusSchema = z.object({
  cycleId: z.string(),
  parent: z
    .object({ cycleId: z.string(), unitId: z.string(), collectionClosesAt: z.string().optional() })
    .optional()
    .describe('the cycle this one recommends into, and its collection close for this unit'),
  forwardedAt: z.string().optional(),
  ...outcomesShape,
  children: z.array(
    z.object({
      cycleId: z.string(),
      unitId: z.string(),
      deadlines: z.object({
        collectionClosesAt: z.string(),
        preliminaryReviewDueAt: z.string(),
        finalReviewDueAt: z.string(),
      }),
      forwardedAt: z.string().optional(),
      ...outcomesShape,
    }),
  ),
});

export function registerChainRoutes(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/cycles/:programme/chain',
    {
      schema: {
        tags: ['secretariat'],
        summary:
          '推荐链：已推荐、已接受、被拒及原因 / the chain: forwarded, accepted, refused with reasons, per child',
        params: programmeParams,
        response: { 200: chainStatusSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      await ctx.auth.require(request, reply, request.params.programme, SECRETARIAT);
      const status = await ctx.api.chain.status(cycleWorkflowId(request.params.programme));
      return withRfc3339Instants(status) as z.infer<typeof chainStatusSchema>;
    },
  );

  app.get<{ Params: { programme: string } }>('/s/:programme/chain', async (request, reply) => {
    const { programme } = request.params;
    const principal = await ctx.auth.require(request, reply, programme, SECRETARIAT);
    const status = await ctx.api.chain.status(cycleWorkflowId(programme));
    return reply.type('text/html; charset=utf-8').send(
      chainsPage({
        programmeId: programme,
        status,
        viewer: { party: principal.party, programmeId: programme, csrf: ctx.auth.csrfOf(principal) },
      }),
    );
  });
}

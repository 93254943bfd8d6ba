/**
 * The secretariat: the year's dashboard (timeline, progress per list, who owes what, the mail
 * plan with hold/release), extensions, pause and resume, and the audit log, as API and page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { KczgClient } from '../../client/api';
import { parseInstant } from '../../client/cli/context';
import { withRfc3339Instants } from '../../client/instants';
import { buildMailPlan, programmeNow } from '../../client/mail-plan';
import { RejectionError } from '../../client/requests';
import type { Party } from '../../domain/credentials';
import { cycleWorkflowId } from '../../workflows/ids';
import type { ExtendRequest } from '../../workflows/messages';
import type { PortalContext } from '../context';
import { apiErrorOf } from '../errors';
import { secretariatPage } from '../pages/secretariat';
import { cycleStatusSchema, errorResponses, extendBody, programmeParams, reasonBody } from '../schemas';

const SECRETARIAT: Party[] = [{ kind: 'secretariat' }];
const statusOut = (status: unknown) => withRfc3339Instants(status) as z.infer<typeof cycleStatusSchema>;

/** An instant as the CLI takes it (RFC 3339 or Beijing wall time), refused as INVALID otherwise. */
export async function instantOf(value: string, field: string): Promise<number> {
  try {
    return await parseInstant(value, field);
  } catch (error) {
    const rejection = (error as { rejection?: ConstructorParameters<typeof RejectionError>[0] }).rejection;
    throw rejection ? new RejectionError(rejection) : error;
  }
}

/** The cycle's full status (the audit log is routes/audit.ts). */
function registerReads(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme';
  const tags = ['secretariat'];
  const guard = (request: FastifyRequest, reply: FastifyReply) =>
    ctx.auth.require(request, reply, (request.params as { programme: string }).programme, SECRETARIAT);

  api.get(
    `${prefix}/status`,
    {
      schema: {
        tags,
        summary: '周期全状态 / the cycle’s full status',
        params: programmeParams,
        response: { 200: cycleStatusSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      await guard(request, reply);
      return statusOut(await ctx.api.status(cycleWorkflowId(request.params.programme)));
    },
  );
}

/** Extend, pause and resume with a reason; hold and release mailings. */
function registerSteering(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme';
  const tags = ['secretariat'];
  const guard = (request: FastifyRequest, reply: FastifyReply) =>
    ctx.auth.require(request, reply, (request.params as { programme: string }).programme, SECRETARIAT);

  api.post(
    `${prefix}/extend`,
    {
      schema: {
        tags,
        summary: '延期 / extend a stage, a unit or a list part, with a reason',
        params: programmeParams,
        body: extendBody,
        response: { 200: cycleStatusSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = await guard(request, reply);
      const until = await instantOf(request.body.until, 'until');
      const extend: ExtendRequest = { scope: request.body.scope, until, reason: request.body.reason };
      return statusOut(
        await ctx.auth.clientFor(principal).extend(cycleWorkflowId(request.params.programme), extend),
      );
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    api.post(
      `${prefix}/${action}`,
      {
        schema: {
          tags,
          summary: action === 'pause' ? '暂停 / pause the cycle' : '恢复 / resume the cycle',
          params: programmeParams,
          body: reasonBody,
          response: { 200: cycleStatusSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = await guard(request, reply);
        const client = ctx.auth.clientFor(principal);
        const cycleId = cycleWorkflowId(request.params.programme);
        return statusOut(
          await (action === 'pause'
            ? client.pause(cycleId, request.body.reason)
            : client.resume(cycleId, request.body.reason)),
        );
      },
    );
  }

  api.post(
    `${prefix}/mailings/:reminder/:action`,
    {
      schema: {
        tags,
        summary: '暂扣或放行一次计划邮件 / hold or release one planned mailing',
        params: programmeParams.extend({
          reminder: z.string().min(1).max(200),
          action: z.enum(['hold', 'release']),
        }),
        response: { 200: cycleStatusSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = await guard(request, reply);
      const { programme, reminder, action } = request.params;
      return statusOut(
        await ctx.auth.clientFor(principal).mailHold(cycleWorkflowId(programme), reminder, action === 'hold'),
      );
    },
  );
}

function registerPages(app: FastifyInstance, ctx: PortalContext): void {
  const render = async (
    request: FastifyRequest<{ Params: { programme: string } }>,
    reply: FastifyReply,
    extra: { error?: unknown; notice?: string } = {},
  ) => {
    const { programme } = request.params;
    const principal = await ctx.auth.require(request, reply, programme, SECRETARIAT);
    const cycleId = cycleWorkflowId(programme);
    const [status, prog, units] = await Promise.all([
      ctx.api.status(cycleId),
      ctx.programmeOf(programme),
      ctx.api.reader.unitStates(cycleId),
    ]);
    const refusal = extra.error === undefined ? undefined : apiErrorOf(extra.error);
    if (refusal) reply.code(refusal.status);
    return reply.type('text/html; charset=utf-8').send(
      secretariatPage({
        programme: prog,
        status,
        units,
        mailPlan: buildMailPlan({ programme: prog, status, now: programmeNow(status, Date.now()) }),
        viewer: { party: principal.party, programmeId: programme, csrf: ctx.auth.csrfOf(principal) },
        ...(refusal ? { error: refusal.body } : {}),
        ...(extra.notice ? { notice: extra.notice } : {}),
      }),
    );
  };
  type Req = FastifyRequest<{ Params: { programme: string } }>;
  type Run = (client: KczgClient, cycleId: string, form: Record<string, string>) => Promise<unknown>;
  /** A form's action under the secretariat's credential; a refusal re-renders the page with it. */
  const act = async (request: Req, reply: FastifyReply, run: Run) => {
    const principal = await ctx.auth.require(request, reply, request.params.programme, SECRETARIAT);
    try {
      const form = (request.body ?? {}) as Record<string, string>;
      await run(ctx.auth.clientFor(principal), cycleWorkflowId(request.params.programme), form);
    } catch (error) {
      return render(request, reply, { error });
    }
    return reply.redirect(`/s/${request.params.programme}?done=1`, 303);
  };

  app.get<{ Params: { programme: string }; Querystring: { done?: string } }>(
    '/s/:programme',
    (request, reply) => render(request, reply, request.query.done ? { notice: '已完成 / done' } : {}),
  );
  app.post<{ Params: { programme: string } }>('/s/:programme/extend', (request, reply) =>
    act(request, reply, async (client, cycleId, f) =>
      client.extend(cycleId, {
        scope: { kind: 'unit', unitId: f.unit ?? '' },
        until: await instantOf(f.until ?? '', 'until'),
        reason: f.reason ?? '',
      }),
    ),
  );
  app.post<{ Params: { programme: string } }>('/s/:programme/pause', (request, reply) =>
    act(request, reply, (client, cycleId, f) =>
      f.action === 'resume' ? client.resume(cycleId, f.reason ?? '') : client.pause(cycleId, f.reason ?? ''),
    ),
  );
  app.post<{ Params: { programme: string } }>('/s/:programme/mail', (request, reply) =>
    act(request, reply, (client, cycleId, f) =>
      client.mailHold(cycleId, f.reminder ?? '', f.action === 'hold'),
    ),
  );
}

export function registerSecretariatRoutes(app: FastifyInstance, ctx: PortalContext): void {
  registerReads(app, ctx);
  registerSteering(app, ctx);
  registerPages(app, ctx);
}

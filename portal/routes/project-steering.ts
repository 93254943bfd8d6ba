/**
 * The secretariat's steering of funded projects and of the programme's next year, over HTTP:
 * extend a project's report due, pause and resume it, hold and release its mail; create,
 * read, fire and delete the Schedule that opens next year. Secretariat only; refusals are the
 * workflows' own (INVALID, WRONG_STAGE, NOT_ALLOWED, UNKNOWN_NOMINATION) with the statuses of
 * portal/errors.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { KczgClient } from '../../client/api';
import { withRfc3339Instants } from '../../client/instants';
import { ScheduleApi } from '../../client/schedule-api';
import type { Party } from '../../domain/credentials';
import { HOLD_ALL } from '../../domain/project-steering';
import { cycleWorkflowId } from '../../workflows/ids';
import type { PortalContext } from '../context';
import { instantOf } from './secretariat';
import { errorResponses, instant, programmeParams, reasonBody } from '../schemas';

const SECRETARIAT: Party[] = [{ kind: 'secretariat' }];
const projectParams = programmeParams.extend({ project: z.string().min(1).max(100) });

const projectStateSchema = z.looseObject({
  projectId: z.string(),
  cycleId: z.string(),
  dues: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      at: instant,
      status: z.enum(['owed', 'submitted', 'accepted']),
      originalAt: instant.optional(),
    }),
  ),
  pausedAt: instant.optional(),
  holds: z.array(z.string()).optional(),
  acceptedAt: instant.optional(),
});

const extendProjectBody = z.object({
  dueId: z
    .string()
    .min(1)
    .max(40)
    .optional()
    .describe('one due, e.g. final-1; omitted: every due not yet accepted'),
  until: z.string().min(1).max(40).describe('RFC 3339 or Beijing "YYYY-MM-DD HH:mm"'),
  reason: z.string().min(1).max(500),
});

const holdBody = z.object({
  reminderId: z
    .string()
    .min(1)
    .max(100)
    .default(HOLD_ALL)
    .describe('all, report:<due> or report:<due>:<reminder>'),
});

const scheduleSchema = z.looseObject({
  scheduleId: z.string(),
  programmeId: z.string(),
  cycleId: z.string(),
  from: z.string(),
  at: instant,
  created: z.boolean(),
  actions: z.number(),
  notes: z.array(z.string()).optional(),
});

const openNextBody = z.object({
  at: z
    .string()
    .min(1)
    .max(40)
    .optional()
    .describe('when to open; default: when next year’s collection opens'),
  startAt: z.string().min(1).max(40).optional().describe('rehearse: next year’s programme time at its start'),
});

const out = <T>(value: unknown) => withRfc3339Instants(value) as T;

function registerProjectSteering(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme/projects/:project';
  const tags = ['secretariat', 'projects'];
  const client = async (request: FastifyRequest, reply: FastifyReply): Promise<KczgClient> => {
    const { programme } = request.params as { programme: string };
    return ctx.auth.clientFor(await ctx.auth.require(request, reply, programme, SECRETARIAT));
  };
  type State = z.infer<typeof projectStateSchema>;

  api.post(
    `${prefix}/extend`,
    {
      schema: {
        tags,
        summary: '延长项目报告截止时间（一期或全部）/ extend a project’s report due (one or all)',
        params: projectParams,
        body: extendProjectBody,
        response: { 200: projectStateSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, project } = request.params;
      const until = await instantOf(request.body.until, 'until');
      const { dueId, reason } = request.body;
      const state = await (
        await client(request, reply)
      ).project.extend(cycleWorkflowId(programme), project, {
        ...(dueId === undefined ? {} : { dueId }),
        until,
        reason,
      });
      return out<State>(state);
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    api.post(
      `${prefix}/${action}`,
      {
        schema: {
          tags,
          summary: action === 'pause' ? '暂停项目 / pause the project' : '恢复项目 / resume the project',
          params: projectParams,
          body: reasonBody,
          response: { 200: projectStateSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { programme, project } = request.params;
        const projects = (await client(request, reply)).project;
        return out<State>(await projects[action](cycleWorkflowId(programme), project, request.body.reason));
      },
    );
  }

  for (const action of ['hold', 'release'] as const) {
    api.post(
      `${prefix}/mail/${action}`,
      {
        schema: {
          tags,
          summary: action === 'hold' ? '暂缓项目邮件 / hold the project’s mail' : '放行项目邮件 / release it',
          params: projectParams,
          body: holdBody,
          response: { 200: projectStateSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { programme, project } = request.params;
        const projects = (await client(request, reply)).project;
        const state = await projects.mailHold(
          cycleWorkflowId(programme),
          project,
          request.body.reminderId,
          action === 'hold',
        );
        return out<State>(state);
      },
    );
  }
}

function registerNextYear(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme/next-year';
  const tags = ['secretariat', 'schedule'];
  type Schedule = z.infer<typeof scheduleSchema>;
  /** The Schedules of this programme's next year, under the secretariat's credential. */
  const schedules = async (request: FastifyRequest, reply: FastifyReply) => {
    const { programme } = request.params as { programme: string };
    const client = ctx.auth.clientFor(await ctx.auth.require(request, reply, programme, SECRETARIAT));
    const current = await ctx.programmeOf(programme);
    const api = new ScheduleApi(client.client, client.taskQueue);
    return { api, current, next: api.preview(current).programme.id };
  };

  api.post(
    prefix,
    {
      schema: {
        tags,
        summary: '创建开启下一年度的计划（已存在则不改动）/ schedule the next year (idempotent)',
        params: programmeParams,
        body: openNextBody,
        response: { 200: scheduleSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { api: schedule, current } = await schedules(request, reply);
      const at = request.body.at === undefined ? undefined : await instantOf(request.body.at, 'at');
      const startAt =
        request.body.startAt === undefined ? undefined : await instantOf(request.body.startAt, 'startAt');
      const created = await schedule.openNext(current, {
        ...(at === undefined ? {} : { at }),
        ...(startAt === undefined ? {} : { startAt }),
        ...(ctx.config.authPublicKey ? { authPublicKey: ctx.config.authPublicKey } : {}),
      });
      return out<Schedule>(created);
    },
  );

  api.get(
    prefix,
    {
      schema: {
        tags,
        summary: '下一年度的开启计划 / the next year’s Schedule',
        params: programmeParams,
        response: { 200: scheduleSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { api: schedule, next } = await schedules(request, reply);
      return out<Schedule>(await schedule.describe(next));
    },
  );

  api.post(
    `${prefix}/trigger`,
    {
      schema: {
        tags,
        summary: '立即开启下一年度 / open the next year now',
        params: programmeParams,
        response: { 200: scheduleSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { api: schedule, next } = await schedules(request, reply);
      return out<Schedule>(await schedule.trigger(next));
    },
  );

  api.delete(
    prefix,
    {
      schema: {
        tags,
        summary: '删除计划（已开启的周期不受影响）/ delete the Schedule',
        params: programmeParams,
        response: { 200: z.object({ scheduleId: z.string(), deleted: z.literal(true) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { api: schedule, next } = await schedules(request, reply);
      return schedule.remove(next);
    },
  );
}

export function registerProjectSteeringRoutes(app: FastifyInstance, ctx: PortalContext): void {
  registerProjectSteering(app, ctx);
  registerNextYear(app, ctx);
}

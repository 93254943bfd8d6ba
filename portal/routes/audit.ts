/**
 * The cycle's audit log for the secretariat: filtered by actor, action and time, page by page,
 * exported as CSV (Chinese headings, Beijing time, client/audit.ts) or JSON (RFC 3339 +08:00),
 * and as a page with the filters as a GET form.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditToCsv } from '../../client/audit';
import { withRfc3339Instants } from '../../client/instants';
import type { Party } from '../../domain/credentials';
import { cycleWorkflowId } from '../../workflows/ids';
import type { CycleAuditEntry } from '../../client/cycle-audit';
import type { PortalContext } from '../context';
import { apiErrorOf } from '../errors';
import { auditPage } from '../pages/audit';
import { auditEntrySchema, errorResponses, pageOf, pageQuery, paginate, programmeParams } from '../schemas';
import { instantOf } from './secretariat';

const SECRETARIAT: Party[] = [{ kind: 'secretariat' }];

export const auditFilterQuery = z.object({
  actor: z.string().max(200).optional().describe('part of the actor, e.g. unit:cie or review:'),
  action: z.string().max(100).optional().describe('the action exactly, e.g. nominate'),
  from: z.string().max(40).optional().describe('from this instant on: RFC 3339, or Beijing wall time'),
  to: z.string().max(40).optional().describe('up to and including this instant'),
});
export type AuditFilter = z.infer<typeof auditFilterQuery>;

/** The entries the filter keeps, oldest first; a bad `from`/`to` is refused as INVALID. */
export async function filterAudit(
  entries: CycleAuditEntry[],
  filter: AuditFilter,
): Promise<CycleAuditEntry[]> {
  const from = filter.from ? await instantOf(filter.from, 'from') : -Infinity;
  const to = filter.to ? await instantOf(filter.to, 'to') : Infinity;
  const actor = filter.actor?.trim().toLowerCase();
  const action = filter.action?.trim();
  return entries.filter(
    (e) =>
      e.at >= from &&
      e.at <= to &&
      (!actor || e.actor.toLowerCase().includes(actor)) &&
      (!action || e.action === action),
  );
}

const entriesOut = (entries: CycleAuditEntry[]) =>
  withRfc3339Instants(entries) as z.infer<typeof auditEntrySchema>[];

function registerApi(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme/audit';
  const tags = ['secretariat'];
  const guard = (request: FastifyRequest, reply: FastifyReply) =>
    ctx.auth.require(request, reply, (request.params as { programme: string }).programme, SECRETARIAT);

  api.get(
    prefix,
    {
      schema: {
        tags,
        summary: '审计日志 / the audit log, oldest first, filtered and paginated',
        params: programmeParams,
        querystring: pageQuery.extend(auditFilterQuery.shape),
        response: { 200: pageOf(auditEntrySchema), ...errorResponses },
      },
    },
    async (request, reply) => {
      await guard(request, reply);
      const entries = await ctx.api.project.cycleAudit(cycleWorkflowId(request.params.programme));
      return paginate(entriesOut(await filterAudit(entries, request.query)), request.query);
    },
  );

  api.get(
    `${prefix}/export`,
    {
      schema: {
        tags,
        summary: '导出审计日志 / the filtered audit log as CSV (中文表头, Beijing time) or JSON',
        params: programmeParams,
        querystring: auditFilterQuery.extend({ format: z.enum(['csv', 'json']).default('csv') }),
        response: { 200: z.string().describe('the file'), ...errorResponses },
      },
    },
    async (request, reply) => {
      await guard(request, reply);
      const { programme } = request.params;
      const entries = await filterAudit(
        await ctx.api.project.cycleAudit(cycleWorkflowId(programme)),
        request.query,
      );
      const csv = request.query.format === 'csv';
      return reply
        .type(csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-${programme}.${request.query.format}"`)
        .serializer((payload: unknown) => payload as string)
        .send(csv ? auditToCsv(entries) : JSON.stringify(entriesOut(entries), null, 2));
    },
  );
}

/** Rows per page on the audit page. */
const PAGE_ROWS = 100;

function registerPage(app: FastifyInstance, ctx: PortalContext): void {
  type Query = AuditFilter & { cursor?: string };
  app.get<{ Params: { programme: string }; Querystring: Query }>(
    '/s/:programme/audit',
    async (request, reply) => {
      const { programme } = request.params;
      const principal = await ctx.auth.require(request, reply, programme, SECRETARIAT);
      const [entries, prog] = await Promise.all([
        ctx.api.project.cycleAudit(cycleWorkflowId(programme)),
        ctx.programmeOf(programme),
      ]);
      // Only strings from the query: a repeated parameter is not a filter.
      const one = (value: unknown) => (typeof value === 'string' && value ? value.slice(0, 200) : undefined);
      const filter: AuditFilter = {
        actor: one(request.query.actor),
        action: one(request.query.action),
        from: one(request.query.from),
        to: one(request.query.to),
      };
      let kept: CycleAuditEntry[] = [];
      let error;
      try {
        kept = await filterAudit(entries, filter);
      } catch (refusal) {
        error = apiErrorOf(refusal);
        reply.code(error.status);
      }
      const page = paginate(kept, { cursor: one(request.query.cursor), limit: PAGE_ROWS });
      return reply.type('text/html; charset=utf-8').send(
        auditPage({
          programme: prog,
          viewer: { party: principal.party, programmeId: programme, csrf: ctx.auth.csrfOf(principal) },
          filter,
          entries: page.items,
          total: kept.length,
          actions: [...new Set(entries.map((e) => e.action))].sort(),
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
          ...(error ? { error: error.body } : {}),
        }),
      );
    },
  );
}

export function registerAuditRoutes(app: FastifyInstance, ctx: PortalContext): void {
  registerApi(app, ctx);
  registerPage(app, ctx);
}

/**
 * A recommending unit: its state, nominate (Idempotency-Key), amend, withdraw, mark complete and
 * the as-you-type verdict, as API routes and as the unit's page with its forms.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withRfc3339Instants } from '../../client/instants';
import { programmeNow } from '../../client/mail-plan';
import { CANDIDATE_FIELDS, type CandidateField } from '../../domain/candidate';
import type { Party } from '../../domain/credentials';
import { formFor } from '../../domain/forms';
import type { Form, Programme } from '../../domain/programme';
import { cycleWorkflowId } from '../../workflows/ids';
import type { Nomination } from '../../workflows/messages';
import type { DraftStore } from '../../storage/drafts';
import type { PortalContext } from '../context';
import { apiErrorOf, PortalError } from '../errors';
import { unitPage, type FormEcho } from '../pages/unit';
import {
  amendBody,
  eligibilityBody,
  errorResponses,
  nominateBody,
  nominationParams,
  nominationSchema,
  pageOf,
  pageQuery,
  paginate,
  unitParams,
  unitStateSchema,
  verdictSchema,
} from '../schemas';
import { draftVerdict, unitView } from '../views';
import { dossierEcho, dossierFromForm, refsFromForm } from './dossier-input';
import { contentOf, openDraft } from './drafts';
import { readMultipart, storeFormFiles } from './uploads';

const unitParty = (id: string): Party => ({ kind: 'unit', id });
const nominationOut = (n: Nomination) => withRfc3339Instants(n) as z.infer<typeof nominationSchema>;

/** A candidate from the form's `c.<field>` inputs: empty inputs are absent, flags and lists typed. */
export function candidateFromForm(form: Record<string, string>): Record<string, unknown> {
  const candidate: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(CANDIDATE_FIELDS)) {
    const field = definition as CandidateField;
    const value = form[`c.${name}`];
    if (value === undefined || value === '') continue;
    if (field.type === 'flag') candidate[name] = value === 'true';
    else if (field.type === 'texts')
      candidate[name] = value
        .split(/\r?\n/)
        .map((v) => v.trim())
        .filter(Boolean);
    else candidate[name] = value;
  }
  return candidate;
}

export function partOf(value: string | undefined): { listId: string; fieldId?: string } {
  const [listId = '', fieldId] = (value ?? '').split('/');
  return { listId, ...(fieldId ? { fieldId } : {}) };
}

/** The part's application form, if the programme has the part and it asks for one. */
export function formOf(programme: Programme, part: { listId: string; fieldId?: string }): Form | undefined {
  const list = programme.lists.find((l) => l.id === part.listId);
  return list && formFor(list, part.fieldId);
}

/** A unit's state, its nominations page by page, and the verdict on a draft. */
function registerReads(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme/units/:unit';
  const tags = ['unit'];

  api.get(
    prefix,
    {
      schema: {
        tags,
        summary: '单位状态 / a unit’s state, quota usage and what it owes',
        params: unitParams,
        response: { 200: unitStateSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, unit } = request.params;
      await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
      const [state, prog] = await Promise.all([
        ctx.api.unitState(cycleWorkflowId(programme), unit),
        ctx.programmeOf(programme),
      ]);
      return unitView(state, prog);
    },
  );

  api.get(
    `${prefix}/nominations`,
    {
      schema: {
        tags,
        summary: '单位的推荐 / a unit’s nominations, paginated',
        params: unitParams,
        querystring: pageQuery,
        response: { 200: pageOf(nominationSchema), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, unit } = request.params;
      await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
      const state = await ctx.api.unitState(cycleWorkflowId(programme), unit);
      return paginate(state.nominations.map(nominationOut), request.query);
    },
  );

  api.post(
    `${prefix}/eligibility`,
    {
      schema: {
        tags,
        summary: '草稿资格判定 / the eligibility verdict on a draft (nothing is filed)',
        params: unitParams,
        body: eligibilityBody,
        response: { 200: verdictSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, unit } = request.params;
      await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
      return draftVerdict(await ctx.programmeOf(programme), request.body);
    },
  );
}

/** Nominate (Idempotency-Key), amend, withdraw and mark complete, under the party's credential. */
function registerWrites(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme/units/:unit';
  const tags = ['unit'];

  api.post(
    `${prefix}/nominations`,
    {
      schema: {
        tags,
        summary: '推荐 / nominate; the same Idempotency-Key returns the same nomination',
        params: unitParams,
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200) }),
        body: nominateBody,
        response: { 201: nominationSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, unit } = request.params;
      const principal = await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
      const nomination = await ctx.auth.clientFor(principal).nominate(cycleWorkflowId(programme), unit, {
        ...request.body,
        candidate: request.body.candidate as never,
        idempotencyKey: request.headers['idempotency-key'],
      });
      return reply.code(201).send(nominationOut(nomination));
    },
  );

  api.put(
    `${prefix}/nominations/:nomination`,
    {
      schema: {
        tags,
        summary: '修改推荐 / amend a nomination',
        params: nominationParams,
        body: amendBody,
        response: { 200: nominationSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, unit, nomination } = request.params;
      const principal = await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
      const amended = await ctx.auth.clientFor(principal).amend(cycleWorkflowId(programme), unit, {
        nominationId: nomination,
        candidate: request.body.candidate as never,
        ...(request.body.dossier ? { dossier: request.body.dossier } : {}),
      });
      return nominationOut(amended);
    },
  );

  api.delete(
    `${prefix}/nominations/:nomination`,
    {
      schema: {
        tags,
        summary: '撤回推荐 / withdraw a nomination',
        params: nominationParams,
        response: { 200: nominationSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, unit, nomination } = request.params;
      const principal = await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
      return nominationOut(
        await ctx.auth.clientFor(principal).withdraw(cycleWorkflowId(programme), unit, nomination),
      );
    },
  );

  api.post(
    `${prefix}/complete`,
    {
      schema: {
        tags,
        summary: '确认推荐完成 / mark the unit complete',
        params: unitParams,
        response: { 200: unitStateSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, unit } = request.params;
      const principal = await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
      const state = await ctx.auth.clientFor(principal).markComplete(cycleWorkflowId(programme), unit);
      return unitView(state, await ctx.programmeOf(programme));
    },
  );
}

type UnitPageParams = z.infer<typeof unitParams>;

/** The unit's page, with its drafts when the portal has records; a refusal shows with the form as sent. */
export async function renderUnitPage(
  ctx: PortalContext,
  drafts: DraftStore | undefined,
  request: FastifyRequest<{ Params: UnitPageParams }>,
  reply: FastifyReply,
  extra: { echo?: FormEcho; error?: unknown; notice?: string } = {},
) {
  const { programme, unit } = request.params;
  const principal = await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
  const cycleId = cycleWorkflowId(programme);
  const [state, prog, status, saved] = await Promise.all([
    ctx.api.unitState(cycleId, unit),
    ctx.programmeOf(programme),
    ctx.api.status(cycleId),
    drafts?.list({ cycleId, unitId: unit }),
  ]);
  const refusal = extra.error === undefined ? undefined : apiErrorOf(extra.error);
  if (refusal) reply.code(refusal.status);
  return reply.type('text/html; charset=utf-8').send(
    unitPage({
      programme: prog,
      state,
      viewer: { party: principal.party, programmeId: programme, csrf: ctx.auth.csrfOf(principal) },
      echo: extra.echo ?? { values: {}, key: randomUUID() },
      now: programmeNow(status, Date.now()),
      ...(saved ? { drafts: saved.map((d) => ({ id: d.id, updatedAt: d.updatedAt, ...contentOf(d) })) } : {}),
      ...(refusal ? { error: refusal.body } : {}),
      ...(extra.notice ? { notice: extra.notice } : {}),
    }),
  );
}

function registerPages(app: FastifyInstance, ctx: PortalContext, drafts: DraftStore | undefined): void {
  const render = (
    request: FastifyRequest<{ Params: UnitPageParams }>,
    reply: FastifyReply,
    extra: { echo?: FormEcho; error?: unknown; notice?: string } = {},
  ) => renderUnitPage(ctx, drafts, request, reply, extra);
  const form = (request: FastifyRequest) => (request.body ?? {}) as Record<string, string>;
  const done = (reply: FastifyReply, request: FastifyRequest<{ Params: UnitPageParams }>, what: string) =>
    reply.redirect(`/u/${request.params.programme}/${request.params.unit}?done=${what}`, 303);
  const NOTICES: Record<string, string> = {
    nominated: '推荐已提交 / nomination filed',
    withdrawn: '推荐已撤回 / nomination withdrawn',
    complete: '已确认推荐完成 / marked complete',
    'draft-saved': '草稿已保存 / draft saved',
    'draft-deleted': '草稿已删除 / draft deleted',
  };

  app.get<{ Params: UnitPageParams; Querystring: { done?: string; draft?: string } }>(
    '/u/:programme/:unit',
    async (request, reply) => {
      const { programme, unit } = request.params;
      const notice = NOTICES[String(request.query.done ?? '')];
      const draftId = request.query.draft;
      if (typeof draftId !== 'string' || !draftId) return render(request, reply, { notice });
      await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
      try {
        const owner = { cycleId: cycleWorkflowId(programme), unitId: unit };
        const echo = await openDraft(drafts, owner, draftId);
        return render(request, reply, { echo, notice: notice ?? '已打开草稿 / draft opened' });
      } catch (error) {
        return render(request, reply, { error });
      }
    },
  );

  app.post<{ Params: UnitPageParams }>('/u/:programme/:unit/nominate', async (request, reply) => {
    const { programme, unit } = request.params;
    // The page sends multipart (its files); a form without files may come urlencoded.
    const { fields, files } = request.isMultipart()
      ? await readMultipart(request)
      : { fields: form(request), files: [] };
    request.body = fields;
    const values = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, [v].flat()[0] ?? '']));
    const echo: FormEcho = {
      part: values.part,
      key: values.key || randomUUID(),
      dossier: dossierEcho(fields),
      values: Object.fromEntries(
        Object.entries(values)
          .filter(([k]) => k.startsWith('c.'))
          .map(([k, v]) => [k.slice(2), v]),
      ),
    };
    try {
      const principal = await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
      const part = partOf(values.part);
      echo.refs = refsFromForm(fields);
      const dossierForm = formOf(await ctx.programmeOf(programme), part);
      if (dossierForm) echo.refs.push(...(await storeFormFiles(ctx, dossierForm, files)));
      await ctx.auth.clientFor(principal).nominate(cycleWorkflowId(programme), unit, {
        ...part,
        idempotencyKey: echo.key,
        candidate: candidateFromForm(values) as never,
        ...(dossierForm ? { dossier: dossierFromForm(dossierForm, fields, echo.refs) } : {}),
      });
    } catch (error) {
      if (error instanceof PortalError && !['INVALID', 'TOO_LARGE'].includes(error.body.code)) throw error;
      return render(request, reply, { echo, error });
    }
    // Acknowledged: the draft it came from (same key) has served. Losing the draft row is harmless.
    await drafts
      ?.delete({ cycleId: cycleWorkflowId(programme), unitId: unit }, echo.key)
      .catch((error: unknown) => request.log.warn({ err: error }, 'draft not deleted after nominating'));
    return done(reply, request, 'nominated');
  });

  app.post<{ Params: UnitPageParams }>('/u/:programme/:unit/withdraw', async (request, reply) => {
    const { programme, unit } = request.params;
    const principal = await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
    try {
      await ctx.auth
        .clientFor(principal)
        .withdraw(cycleWorkflowId(programme), unit, form(request).nomination ?? '');
    } catch (error) {
      return render(request, reply, { error });
    }
    return done(reply, request, 'withdrawn');
  });

  app.post<{ Params: UnitPageParams }>('/u/:programme/:unit/complete', async (request, reply) => {
    const { programme, unit } = request.params;
    const principal = await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
    try {
      await ctx.auth.clientFor(principal).markComplete(cycleWorkflowId(programme), unit);
    } catch (error) {
      return render(request, reply, { error });
    }
    return done(reply, request, 'complete');
  });
}

export function registerUnitRoutes(app: FastifyInstance, ctx: PortalContext, drafts?: DraftStore): void {
  registerReads(app, ctx);
  registerWrites(app, ctx);
  registerPages(app, ctx, drafts);
}

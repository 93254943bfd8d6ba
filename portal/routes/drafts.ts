/**
 * A unit's drafts: a nomination form saved half-filled (API and the page's "保存草稿" button),
 * kept in the records through storage/drafts.ts, never on the portal. A draft is the nomination
 * request as far as it goes; its id is the form's idempotency key, so submitting from a draft is
 * the same nomination however often it is retried, and the draft goes once it is acknowledged.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withRfc3339Instants } from '../../client/instants';
import { RejectionError } from '../../client/requests';
import type { Party } from '../../domain/credentials';
import { DraftRefusedError, type Draft, type DraftOwner, type DraftStore } from '../../storage/drafts';
import { cycleWorkflowId } from '../../workflows/ids';
import type { PortalContext } from '../context';
import { PortalError } from '../errors';
import type { FormEcho } from '../pages/unit';
import { dossierSchema, errorResponses, instant, unitParams } from '../schemas';
import { candidateFromForm, formOf, partOf, renderUnitPage } from './unit';
import { dossierEcho, dossierFromForm, refsFromForm } from './dossier-input';
import { readMultipart, storeFormFiles } from './uploads';

const unitParty = (id: string): Party => ({ kind: 'unit', id });

/** What a draft holds: the nomination request as far as it was filled in. */
export const draftContentSchema = z.object({
  listId: z.string().max(100).optional(),
  fieldId: z.string().max(100).optional(),
  candidate: z.record(z.string(), z.unknown()).default({}),
  dossier: dossierSchema.optional(),
});
export type DraftContent = z.infer<typeof draftContentSchema>;

const draftParams = unitParams.extend({ draft: z.string().min(1).max(100) });
const draftSummarySchema = z.object({
  id: z.string(),
  size: z.number(),
  createdAt: instant,
  updatedAt: instant,
});
const draftSchema = draftSummarySchema.extend({ content: draftContentSchema });

const summaryOut = (d: Draft) =>
  withRfc3339Instants({ id: d.id, size: d.size, createdAt: d.createdAt, updatedAt: d.updatedAt }) as z.infer<
    typeof draftSummarySchema
  >;
const draftOut = (d: Draft) => ({ ...summaryOut(d), content: contentOf(d) });

/** A stored draft's content; one that no longer reads as a draft shows as empty, never fails the page. */
export function contentOf(draft: Draft): DraftContent {
  const parsed = draftContentSchema.safeParse(draft.content);
  return parsed.success ? parsed.data : { candidate: {} };
}

/** The store, or a refusal that says the portal has no records. */
export function draftStoreOf(store: DraftStore | undefined): DraftStore {
  if (store) return store;
  throw new PortalError({
    code: 'NOT_FOUND',
    field: 'draft',
    rule: 'records',
    message: '门户未连接记录库，不能保存草稿 / the portal has no records, so drafts cannot be kept',
    fix: '以 KCZG_DATABASE_URL 或 --data-dir 启动门户 / start the portal with KCZG_DATABASE_URL or --data-dir',
  });
}

/** Runs a store call, turning its refusal into the API's (code, field, rule, limit, fix). */
export async function refusedAsApi<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DraftRefusedError) throw new RejectionError(error.rejection);
    throw error;
  }
}

const noDraft = (id: string) =>
  new PortalError({
    code: 'NOT_FOUND',
    field: 'draft',
    rule: 'draft',
    message: `没有此草稿 / no draft ${id}`,
    fix: '草稿可能已提交或删除 / it may have been submitted or deleted',
  });

/** The unit page's form filled from a saved draft; NOT_FOUND when there is none. */
export async function openDraft(
  store: DraftStore | undefined,
  owner: DraftOwner,
  id: string,
): Promise<FormEcho> {
  const draft = await refusedAsApi(() => draftStoreOf(store).get(owner, id));
  if (!draft) throw noDraft(id);
  return echoOfDraft(draft);
}

/** The page's form as it was when the draft was saved, to fill the form again. */
function echoOfDraft(draft: Draft): FormEcho {
  const content = contentOf(draft);
  const text = (value: unknown) =>
    Array.isArray(value)
      ? value.join('\n')
      : typeof value === 'boolean'
        ? String(value)
        : String(value ?? '');
  const dossier: Record<string, string | string[]> = {};
  for (const [id, answer] of Object.entries(content.dossier?.answers ?? {}))
    dossier[`a.${id}`] = Array.isArray(answer) ? answer : String(answer);
  for (const declaration of content.dossier?.declarations ?? []) dossier[`decl.${declaration.id}`] = 'yes';
  return {
    ...(content.listId
      ? { part: content.fieldId ? `${content.listId}/${content.fieldId}` : content.listId }
      : {}),
    key: draft.id,
    values: Object.fromEntries(Object.entries(content.candidate).map(([k, v]) => [k, text(v)])),
    dossier,
    refs: content.dossier?.attachments ?? [],
  };
}

function registerApi(app: FastifyInstance, ctx: PortalContext, store: DraftStore | undefined): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme/units/:unit/drafts';
  const tags = ['unit'];
  const owner = async (request: FastifyRequest, reply: FastifyReply): Promise<DraftOwner> => {
    const { programme, unit } = request.params as { programme: string; unit: string };
    await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
    return { cycleId: cycleWorkflowId(programme), unitId: unit };
  };

  api.get(
    prefix,
    {
      schema: {
        tags,
        summary: '草稿列表 / the unit’s drafts, most recently saved first',
        params: unitParams,
        response: { 200: z.object({ items: z.array(draftSummarySchema) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const drafts = await draftStoreOf(store).list(await owner(request, reply));
      return { items: drafts.map(summaryOut) };
    },
  );

  api.get(
    `${prefix}/:draft`,
    {
      schema: {
        tags,
        summary: '读取草稿 / one draft',
        params: draftParams,
        response: { 200: draftSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const who = await owner(request, reply);
      const draft = await refusedAsApi(() => draftStoreOf(store).get(who, request.params.draft));
      if (!draft) throw noDraft(request.params.draft);
      return draftOut(draft);
    },
  );

  api.put(
    `${prefix}/:draft`,
    {
      schema: {
        tags,
        summary: '保存草稿 / save a draft (created or replaced); bounded in size and number',
        params: draftParams,
        body: draftContentSchema,
        response: { 200: draftSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const who = await owner(request, reply);
      const draft = await refusedAsApi(() =>
        draftStoreOf(store).put(who, request.params.draft, request.body),
      );
      return draftOut(draft);
    },
  );

  api.delete(
    `${prefix}/:draft`,
    {
      schema: {
        tags,
        summary: '删除草稿 / delete a draft',
        params: draftParams,
        response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const who = await owner(request, reply);
      const deleted = await refusedAsApi(() => draftStoreOf(store).delete(who, request.params.draft));
      if (!deleted) throw noDraft(request.params.draft);
      return { id: request.params.draft, deleted: true as const };
    },
  );
}

type PageParams = z.infer<typeof unitParams>;

function registerPages(app: FastifyInstance, ctx: PortalContext, store: DraftStore | undefined): void {
  // The nomination form's "保存草稿" button: the form as it is, files stored first, kept under its key.
  app.post<{ Params: PageParams }>('/u/:programme/:unit/draft', async (request, reply) => {
    const { programme, unit } = request.params;
    const { fields, files } = request.isMultipart()
      ? await readMultipart(request)
      : { fields: (request.body ?? {}) as Record<string, string>, files: [] };
    request.body = fields;
    const values = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, [v].flat()[0] ?? '']));
    const echo: FormEcho = {
      part: values.part,
      key: values.key ?? '',
      dossier: dossierEcho(fields),
      values: Object.fromEntries(
        Object.entries(values)
          .filter(([k]) => k.startsWith('c.'))
          .map(([k, v]) => [k.slice(2), v]),
      ),
    };
    await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
    try {
      const part = partOf(values.part);
      echo.refs = refsFromForm(fields);
      const form = formOf(await ctx.programmeOf(programme), part);
      if (form) echo.refs.push(...(await storeFormFiles(ctx, form, files)));
      const content: DraftContent = {
        ...(part.listId ? part : {}),
        candidate: candidateFromForm(values),
        ...(form ? { dossier: dossierFromForm(form, fields, echo.refs) } : {}),
      };
      const owner = { cycleId: cycleWorkflowId(programme), unitId: unit };
      await refusedAsApi(() => draftStoreOf(store).put(owner, echo.key, content));
    } catch (error) {
      if (error instanceof PortalError && !['INVALID', 'TOO_LARGE', 'NOT_FOUND'].includes(error.body.code))
        throw error;
      return renderUnitPage(ctx, store, request, reply, { echo, error });
    }
    return reply.redirect(
      `/u/${programme}/${unit}?draft=${encodeURIComponent(echo.key)}&done=draft-saved`,
      303,
    );
  });

  app.post<{ Params: PageParams }>('/u/:programme/:unit/drafts/delete', async (request, reply) => {
    const { programme, unit } = request.params;
    await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
    const id = String((request.body as Record<string, unknown> | undefined)?.draft ?? '');
    try {
      const owner = { cycleId: cycleWorkflowId(programme), unitId: unit };
      await refusedAsApi(() => draftStoreOf(store).delete(owner, id));
    } catch (error) {
      return renderUnitPage(ctx, store, request, reply, { error });
    }
    return reply.redirect(`/u/${programme}/${unit}?done=draft-deleted`, 303);
  });
}

export function registerDraftRoutes(
  app: FastifyInstance,
  ctx: PortalContext,
  store: DraftStore | undefined,
): void {
  registerApi(app, ctx, store);
  registerPages(app, ctx, store);
}

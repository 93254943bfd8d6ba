/**
 * For everyone, without sign-in: the cycle's stage and timeline, the published lists (read from
 * the file store the workers publish to) as tables and as CSV/XLSX/PDF/JSON downloads.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FileStore } from '../../storage/files';
import { cycleWorkflowId } from '../../workflows/ids';
import type { PortalContext } from '../context';
import { PortalError } from '../errors';
import { publicPage, type PublishedList } from '../pages/public';
import {
  cyclePublicSchema,
  errorResponses,
  pageOf,
  pageQuery,
  paginate,
  programmeParams,
  publishedFileSchema,
  publishedListSchema,
} from '../schemas';
import { publicCycleView } from '../views';

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
};
const FILE_NAME = /^([a-z0-9][a-z0-9-]*)\.(csv|xlsx|pdf|json|html)$/;

const notFound = (what: string) =>
  new PortalError({
    code: 'NOT_FOUND',
    field: 'file',
    rule: 'published',
    message: `未发布 / not published: ${what}`,
  });

/** The published files of a programme, as the API lists them. */
function publishedFiles(ctx: PortalContext, programmeId: string) {
  return ctx.config.files ? publishedFilesIn(ctx.config.files, programmeId) : Promise.resolve([]);
}

function publishedLists(ctx: PortalContext, programmeId: string) {
  return ctx.config.files ? publishedListsIn(ctx.config.files, programmeId) : Promise.resolve([]);
}

/** The published files of a programme in a store, each linked by `hrefOf` (default: the API's). */
export async function publishedFilesIn(
  files: FileStore,
  programmeId: string,
  hrefOf = (name: string) => `/api/v1/cycles/${programmeId}/published/${name}`,
) {
  const prefix = `published/${programmeId}/`;
  const keys = await files.list(prefix);
  return keys.flatMap((key) => {
    const name = key.slice(prefix.length);
    const match = FILE_NAME.exec(name);
    return match ? [{ name, listId: match[1], format: match[2], href: hrefOf(name) }] : [];
  });
}

/** The lists as tables: each list's JSON file, as publication wrote it. */
export async function publishedListsIn(
  files: FileStore,
  programmeId: string,
  hrefOf?: (name: string) => string,
): Promise<PublishedList[]> {
  const published = await publishedFilesIn(files, programmeId, hrefOf);
  const lists: PublishedList[] = [];
  for (const file of published.filter((f) => f.format === 'json')) {
    const content = await files.get(`published/${programmeId}/${file.name}`);
    if (!content) continue;
    const parsed = JSON.parse(content.toString('utf8')) as Pick<PublishedList, 'title' | 'funding'> & {
      rows?: PublishedList['rows'];
    };
    // Beside the lists sit summaries without rows (funding.json): downloads, not tables.
    if (!Array.isArray(parsed.rows)) continue;
    lists.push({
      listId: file.listId,
      title: parsed.title,
      rows: parsed.rows,
      ...(parsed.funding ? { funding: parsed.funding } : {}),
      downloads: published.filter((f) => f.listId === file.listId),
    });
  }
  return lists;
}

function registerPublicApi(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['public'];

  api.get(
    '/api/v1/cycles/:programme',
    {
      schema: {
        tags,
        summary: '周期公开信息与时间表 / the cycle’s stage and timeline',
        params: programmeParams,
        response: { 200: cyclePublicSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { programme } = request.params;
      const [status, prog] = await Promise.all([
        ctx.api.status(cycleWorkflowId(programme)),
        ctx.programmeOf(programme),
      ]);
      return publicCycleView(status, prog);
    },
  );

  api.get(
    '/api/v1/cycles/:programme/published',
    {
      schema: {
        tags,
        summary: '已发布文件 / published files',
        params: programmeParams,
        querystring: pageQuery,
        response: { 200: pageOf(publishedFileSchema), ...errorResponses },
      },
    },
    async (request) => paginate(await publishedFiles(ctx, request.params.programme), request.query),
  );

  api.get(
    '/api/v1/cycles/:programme/lists',
    {
      schema: {
        tags,
        summary: '已发布榜单 / the published lists with their rows',
        params: programmeParams,
        response: { 200: z.array(publishedListSchema), ...errorResponses },
      },
    },
    async (request) =>
      (await publishedLists(ctx, request.params.programme)).map(({ listId, title, rows }) => ({
        listId,
        title,
        rows,
      })),
  );

  api.get(
    '/api/v1/cycles/:programme/published/:file',
    {
      schema: {
        tags,
        summary: '下载已发布文件 / download a published file (CSV, XLSX, PDF, JSON, HTML)',
        params: programmeParams.extend({ file: z.string().regex(FILE_NAME) }),
        response: { 200: z.any().describe('the file'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, file } = request.params;
      const content = await ctx.config.files?.get(`published/${programme}/${file}`);
      if (!content) throw notFound(file);
      const format = FILE_NAME.exec(file)?.[2] ?? '';
      return reply
        .type(CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="${programme}-${file}"`)
        .send(content);
    },
  );
}

/** The public page: the timeline and the published lists as tables with downloads. */
function registerPublicPage(app: FastifyInstance, ctx: PortalContext): void {
  app.get<{ Params: { programme: string } }>('/p/:programme', async (request, reply) => {
    const { programme } = request.params;
    const [status, prog, lists] = await Promise.all([
      ctx.api.status(cycleWorkflowId(programme)),
      ctx.programmeOf(programme),
      publishedLists(ctx, programme),
    ]);
    const viewer = await ctx.auth.principalOf(request, reply).catch(() => undefined);
    return reply.type('text/html; charset=utf-8').send(
      publicPage({
        programme: prog,
        status,
        lists,
        ...(viewer
          ? { viewer: { party: viewer.party, programmeId: programme, csrf: ctx.auth.csrfOf(viewer) } }
          : {}),
      }),
    );
  });
}

export function registerPublicRoutes(app: FastifyInstance, ctx: PortalContext): void {
  registerPublicApi(app, ctx);
  registerPublicPage(app, ctx);
}

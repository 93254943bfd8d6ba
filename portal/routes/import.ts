/**
 * The unit's sheet import on the portal: the same CSV/XLSX format and the same code as `kczg
 * import` (client/import: read, prepare rows, send with the quota going to the rows first in the
 * file), with the per-row report (accepted, or refused with code, field and rule) on the page,
 * and the templates to download. The uploaded sheet is read through a scratch folder
 * (storage/scratch.ts) and not kept; an XLSX is bounded like an attachment before it is opened.
 */
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ImportFileError,
  prepareRows,
  readImportTable,
  runImport,
  templateCsv,
  templateWorkbook,
  uploadRowFiles,
  type ImportRowResult,
  type PreparedRow,
} from '../../client/import';
import { RejectionError } from '../../client/requests';
import type { Party } from '../../domain/credentials';
import type { AttachmentStore, AttachmentUpload } from '../../storage/attachments';
import { checkContent } from '../../storage/attachments-content';
import { withScratchFolder } from '../../storage/scratch';
import { cycleWorkflowId } from '../../workflows/ids';
import type { PortalContext } from '../context';
import { apiErrorOf, PortalError } from '../errors';
import { importPage } from '../pages/import';
import { readMultipart, type FormFile } from './uploads';

const unitParty = (id: string): Party => ({ kind: 'unit', id });
/** The largest sheet taken (a full unit's year fits in a few hundred KiB). */
export const MAX_SHEET_BYTES = 2 * 1024 * 1024;

type Req = FastifyRequest<{ Params: { programme: string; unit: string } }>;

/** Where the uploaded sheet "is", for the paths its attachment columns name (matched by file name). */
const SHEET_PATH = '/uploaded/sheet';

/**
 * The files the rows' attachment columns name, taken from the files uploaded with the sheet (by
 * file name) and stored as `kczg import` stores them (client/import/attachments.ts): a row whose
 * file is missing or refused is refused, naming the column; nothing of it is stored.
 */
function withUploadedFiles(
  ctx: PortalContext,
  prepared: PreparedRow[],
  files: FormFile[],
): Promise<PreparedRow[]> {
  if (!prepared.some((p) => p.ok && p.files?.length)) return Promise.resolve(prepared);
  const store = ctx.config.attachments;
  return uploadRowFiles(prepared, SHEET_PATH, {
    async check(file, slot): Promise<AttachmentUpload> {
      const name = path.basename(file);
      const given = files.find((f) => f.name === name);
      if (!given || !store) {
        throw new RejectionError({
          code: 'INVALID',
          field: 'file',
          rule: store ? 'file-missing' : 'no-attachment-store',
          message: store
            ? `未随表格上传文件 ${name} / ${name} was not uploaded with the sheet`
            : '门户未配置附件存储 / the portal has no attachment store',
          fix: '在“附件文件”中一并选择表格所列的文件 / choose the files the sheet names under “attachment files”',
        });
      }
      const upload = { bytes: given.bytes, name, slot };
      await store.inspect(upload);
      return upload;
    },
    put: async (upload) => (await (store as AttachmentStore).put(upload)).ref,
  });
}

/** The uploaded sheet as the import's table; the whole file refused as INVALID or TOO_LARGE. */
async function readSheet(
  file: { name: string; bytes: Buffer } | undefined,
  programme: Awaited<ReturnType<PortalContext['programmeOf']>>,
) {
  if (!file) {
    throw new RejectionError({
      code: 'INVALID',
      field: 'file',
      rule: 'required',
      message: '请选择要导入的表格 / choose a sheet to import',
      fix: '上传 .xlsx 或 .csv（可先下载模板）/ upload an .xlsx or .csv (the template is below)',
    });
  }
  if (file.bytes.length > MAX_SHEET_BYTES) {
    throw new PortalError({
      code: 'TOO_LARGE',
      field: 'file',
      rule: 'max-bytes',
      message: `表格超过 ${MAX_SHEET_BYTES} 字节 / the sheet is over ${MAX_SHEET_BYTES} bytes`,
      fix: '分成几个表格导入 / import it as several sheets',
      limit: MAX_SHEET_BYTES,
    });
  }
  const ext = file.name.toLowerCase().endsWith('.csv') ? 'csv' : 'xlsx';
  if (ext === 'xlsx') {
    const checked = await checkContent(file.bytes, { formats: ['xlsx'], maxBytes: MAX_SHEET_BYTES });
    if (!checked.ok) throw new RejectionError({ ...checked.rejection, field: 'file' });
  }
  return withScratchFolder(async (scratch) => {
    await scratch.put(`sheet.${ext}`, file.bytes);
    return readImportTable(scratch.locate(`sheet.${ext}`), { programme });
  });
}

/** Reads the form (its CSRF token, then the file), checks who sends it, imports the sheet's rows. */
async function importSheet(
  ctx: PortalContext,
  request: Req,
  reply: FastifyReply,
): Promise<ImportRowResult[]> {
  const { programme, unit } = request.params;
  const { fields, files } = await readMultipart(request);
  const sheet = files.find((f) => f.slot === 'sheet');
  const attachments = files.filter((f) => f.slot === 'files');
  request.body = fields;
  const principal = await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
  const loaded = await ctx.programmeOf(programme);
  let table;
  try {
    table = await readSheet(sheet, loaded);
  } catch (error) {
    if (error instanceof ImportFileError) throw new RejectionError(error.rejection);
    throw error;
  }
  const prepared = await withUploadedFiles(
    ctx,
    prepareRows(table, { programmeId: programme, unitId: unit, programme: loaded }),
    attachments,
  );
  const cycleId = cycleWorkflowId(programme);
  const client = ctx.auth.clientFor(principal);
  const state = await ctx.api.unitState(cycleId, unit);
  const run = await runImport(prepared, {
    nominate: (nomination) => client.nominate(cycleId, unit, nomination),
    room: state.usage.map((u) => ({
      listId: u.listId,
      ...(u.fieldId ? { fieldId: u.fieldId } : {}),
      remaining: u.remaining,
    })),
    existingKeys: new Set(state.nominations.map((n) => n.idempotencyKey)),
  });
  if (run.failure !== undefined) throw run.failure;
  return run.rows;
}

export function registerImportRoutes(app: FastifyInstance, ctx: PortalContext): void {
  const render = async (
    request: Req,
    reply: FastifyReply,
    extra: { rows?: ImportRowResult[]; error?: unknown },
  ) => {
    const { programme, unit } = request.params;
    const principal = await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
    const refusal = extra.error === undefined ? undefined : apiErrorOf(extra.error);
    if (refusal) reply.code(refusal.status);
    return reply.type('text/html; charset=utf-8').send(
      importPage({
        programme: await ctx.programmeOf(programme),
        unitId: unit,
        viewer: { party: principal.party, programmeId: programme, csrf: ctx.auth.csrfOf(principal) },
        ...(extra.rows ? { rows: extra.rows } : {}),
        ...(refusal ? { error: refusal.body } : {}),
      }),
    );
  };

  app.get<{ Params: { programme: string; unit: string } }>('/u/:programme/:unit/import', (request, reply) =>
    render(request, reply, {}),
  );

  app.post<{ Params: { programme: string; unit: string } }>(
    '/u/:programme/:unit/import',
    async (request, reply) => {
      let rows: ImportRowResult[];
      try {
        if (!request.isMultipart())
          await readSheet(undefined, await ctx.programmeOf(request.params.programme));
        rows = await importSheet(ctx, request, reply);
      } catch (error) {
        if (error instanceof PortalError && !['INVALID', 'TOO_LARGE'].includes(error.body.code)) throw error;
        return render(request, reply, { error });
      }
      return render(request, reply, { rows });
    },
  );

  app.get<{ Params: { programme: string; unit: string; format: string } }>(
    '/u/:programme/:unit/import/template.:format',
    async (request, reply) => {
      const { programme, unit, format } = request.params;
      await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
      if (format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="nominations-template.csv"')
          .send(templateCsv());
      }
      if (format !== 'xlsx') return reply.callNotFound();
      const workbook = await templateWorkbook(await ctx.programmeOf(programme));
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="nominations-template-${programme}.xlsx"`)
        .send(Buffer.from(await workbook.xlsx.writeBuffer()));
    },
  );
}

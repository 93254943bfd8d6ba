/**
 * Attachment uploads: multipart bodies read with bounded streams (each file no larger than its
 * slot's maxBytes and the store's ceiling), checked by content and stored in the AttachmentStore,
 * answered with the AttachmentRef a dossier carries. An API route uploads one file; the unit's
 * page sends its files with the nomination form (portal/routes/unit.ts, through `readMultipart`).
 * A refused file stores nothing: every file of a form is inspected before any is stored.
 */
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { RejectionError } from '../../client/requests';
import type { AttachmentRef } from '../../domain/dossier';
import { ATTACHMENT_MAX_BYTES } from '../../domain/file-content';
import { formFor } from '../../domain/forms';
import type { AttachmentSlot, Form, Programme } from '../../domain/programme';
import { AttachmentRefusedError, type AttachmentStore } from '../../storage/attachments';
import type { PortalContext } from '../context';
import { PortalError } from '../errors';
import { errorResponses, unitParams, uploadedSchema, uploadQuery } from '../schemas';

/** At most this many files and fields in one multipart body (a form's slots take up to ten each). */
export const MULTIPART_LIMITS = {
  fileSize: ATTACHMENT_MAX_BYTES,
  files: 40,
  fields: 200,
  fieldSize: 64 * 1024,
  parts: 240,
  headerPairs: 100,
};

const invalid = (field: string, rule: string, message: string, fix: string) =>
  new RejectionError({ code: 'INVALID', field, rule, message, fix });

const tooLarge = (field: string, limit: number) =>
  new PortalError({
    code: 'TOO_LARGE',
    field,
    rule: 'max-bytes',
    message: `文件超过 ${limit} 字节 / the file is over the limit of ${limit} bytes`,
    fix: '压缩图片或拆分文件后重新上传 / compress images or split the file, then upload again',
    limit,
  });

/** The part's form; INVALID on `listId` when the programme has no such part or it has no form. */
export function partForm(programme: Programme, listId: string, fieldId?: string): Form {
  const list = programme.lists.find((l) => l.id === listId);
  const form = list && formFor(list, fieldId);
  if (!form) {
    throw invalid(
      'listId',
      'form',
      `${listId}${fieldId ? `/${fieldId}` : ''} 没有申报表 / has no application form`,
      '选择方案中的榜单与领域 / choose a list (and field) of the programme',
    );
  }
  return form;
}

function slotOf(form: Form, slotId: string, field = 'slot'): AttachmentSlot {
  const slot = form.attachments.find((s) => s.id === slotId);
  if (!slot) {
    throw invalid(
      field,
      'slot',
      `申报表没有附件栏目 ${slotId} / the form has no attachment slot "${slotId}"`,
      `可选 / one of: ${form.attachments.map((s) => s.id).join(', ') || '—'}`,
    );
  }
  return slot;
}

/** The portal's attachment store, or the refusal that says how to configure one. */
export function attachmentStoreOf(ctx: PortalContext): AttachmentStore {
  if (!ctx.config.attachments) {
    throw new PortalError({
      code: 'NOT_FOUND',
      field: 'attachments',
      rule: 'configured',
      message: '本门户未配置附件存储 / this portal has no attachment store',
      fix: '设置 KCZG_CODEC_KEYS 后重启门户 / set KCZG_CODEC_KEYS and restart the portal',
    });
  }
  return ctx.config.attachments;
}

/** The file's bytes, refused as TOO_LARGE once the stream passes its limit. */
async function bytesOf(file: MultipartFile, field: string, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of file.file as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      file.file.resume();
      throw tooLarge(field, limit);
    }
    chunks.push(chunk);
  }
  if (file.file.truncated) throw tooLarge(field, Math.min(limit, ATTACHMENT_MAX_BYTES));
  return Buffer.concat(chunks);
}

export interface FormFile {
  slot: string;
  name: string;
  bytes: Buffer;
}

/**
 * A multipart form: its text fields (repeated names as lists) and its files under `f.<slot>`
 * (each bounded by the store's ceiling here, by its slot when stored). Empty file inputs are skipped.
 */
export async function readMultipart(
  request: FastifyRequest,
): Promise<{ fields: Record<string, string | string[]>; files: FormFile[] }> {
  const fields: Record<string, string | string[]> = {};
  const files: FormFile[] = [];
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const bytes = await bytesOf(part, part.fieldname, ATTACHMENT_MAX_BYTES);
      if (part.filename && bytes.length > 0 && part.fieldname.startsWith('f.'))
        files.push({ slot: part.fieldname.slice(2), name: part.filename, bytes });
      continue;
    }
    const value = String(part.value);
    const known = fields[part.fieldname];
    fields[part.fieldname] = known === undefined ? value : [known, value].flat();
  }
  return { fields, files };
}

/**
 * Stores a form's files in their slots: all checked first (a refusal names the slot and stores
 * nothing), then stored; their references in order.
 */
export async function storeFormFiles(
  ctx: PortalContext,
  form: Form,
  files: FormFile[],
): Promise<AttachmentRef[]> {
  if (files.length === 0) return [];
  const store = attachmentStoreOf(ctx);
  const uploads = files.map((file) => {
    const field = `dossier.attachments.${file.slot}`;
    const slot = slotOf(form, file.slot, field);
    return { field, upload: { ...file, maxBytes: slot.maxBytes, formats: slot.formats } };
  });
  for (const { field, upload } of uploads) {
    await refusedAs(field, () => store.inspect(upload));
  }
  const refs: AttachmentRef[] = [];
  for (const { field, upload } of uploads) refs.push((await refusedAs(field, () => store.put(upload))).ref);
  return refs;
}

/** A store refusal as the portal's INVALID on `field`, with the store's rule and fix. */
async function refusedAs<T>(field: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof AttachmentRefusedError)) throw error;
    throw new RejectionError({ ...error.rejection, field });
  }
}

export function registerUploadRoutes(app: FastifyInstance, ctx: PortalContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/cycles/:programme/units/:unit/attachments',
    {
      schema: {
        tags: ['unit'],
        summary: '上传附件 / upload one attachment (multipart/form-data, the file in part "file")',
        description:
          'The file is checked by its content (format, size against the slot’s maxBytes, archive safety) and stored encrypted; put the returned ref in the dossier’s attachments. A refused file stores nothing.',
        consumes: ['multipart/form-data'],
        params: unitParams,
        querystring: uploadQuery,
        response: { 201: uploadedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, unit } = request.params;
      await ctx.auth.require(request, reply, programme, [{ kind: 'unit', id: unit }]);
      const { listId, fieldId, slot: slotId } = request.query;
      const form = partForm(await ctx.programmeOf(programme), listId, fieldId);
      const slot = slotOf(form, slotId);
      const store = attachmentStoreOf(ctx);
      if (!request.isMultipart()) {
        throw invalid(
          'file',
          'multipart',
          '请以 multipart/form-data 上传 / send multipart/form-data',
          '-F file=@申报书.pdf',
        );
      }
      const limit = Math.min(slot.maxBytes, ATTACHMENT_MAX_BYTES);
      const file = await request.file({ limits: { ...MULTIPART_LIMITS, fileSize: limit + 1, files: 1 } });
      if (!file)
        throw invalid(
          'file',
          'required',
          '缺少文件 / no file',
          '在 "file" 部分附上文件 / send the file in part "file"',
        );
      const bytes = await bytesOf(file, 'file', limit);
      const stored = await refusedAs('file', () =>
        store.put({
          bytes,
          name: file.filename,
          slot: slot.id,
          maxBytes: slot.maxBytes,
          formats: slot.formats,
        }),
      );
      return reply.code(201).send(stored);
    },
  );
}

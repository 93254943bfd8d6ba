/**
 * The files a sheet's attachment columns name (form-columns.ts), uploaded into their rows'
 * dossiers before anything is sent. A row's files are all checked before any is stored; a file
 * that is missing or refused refuses its row, naming the column, and stores nothing of it.
 */
import path from 'node:path';
import type { AttachmentRef } from '../../domain/dossier';
import type { Rejection } from '../../domain/rejections';
import type { PreparedRow } from './rows';

/** How files reach the attachment store: a check of one file (its upload, or an error with a rejection), then storing it. */
export interface RowFileStore<Upload> {
  check(file: string, slot: string): Promise<Upload>;
  put(upload: Upload): Promise<AttachmentRef>;
}

/** The rows with their files' references in their dossiers, or refused at the first bad file. */
export async function uploadRowFiles<Upload>(
  prepared: PreparedRow[],
  sheet: string,
  store: RowFileStore<Upload>,
): Promise<PreparedRow[]> {
  const folder = path.dirname(path.resolve(sheet));
  const results: PreparedRow[] = [];
  for (const row of prepared) {
    if (!row.ok || !row.files?.length || !row.request.dossier) {
      results.push(row);
      continue;
    }
    const uploads: Upload[] = [];
    let refusal: Rejection | undefined;
    for (const file of row.files) {
      try {
        uploads.push(await store.check(path.resolve(folder, file.path), file.slot));
      } catch (error) {
        const rejection = (error as { rejection?: Rejection }).rejection;
        if (!rejection) throw error;
        refusal = {
          ...rejection,
          field: `dossier.attachments.${file.slot}`,
          message: `「${file.heading}」列 / column "${file.heading}": ${file.path}: ${rejection.message}`,
          fix: `${rejection.fix ?? ''}（路径相对于表格所在文件夹 / paths are relative to the sheet’s folder: ${folder}）`,
        };
        break;
      }
    }
    if (refusal) {
      const { row: number, key, listId, fieldId, name } = row;
      results.push({ row: number, key, listId, fieldId, name, ok: false, rejection: refusal });
      continue;
    }
    const refs: AttachmentRef[] = [];
    for (const upload of uploads) refs.push(await store.put(upload));
    const dossier = { ...row.request.dossier, attachments: [...row.request.dossier.attachments, ...refs] };
    results.push({ ...row, request: { ...row.request, dossier } });
  }
  return results;
}

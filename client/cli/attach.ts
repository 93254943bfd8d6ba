/**
 * `kczg attach <file...> --slot <slot>`: uploads a unit's attachments through the attachment store
 * (checked by content, encrypted, one object per content) and prints the references to put into a
 * dossier. Every file is checked before any is stored: one refused file stores nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { AttachmentRef } from '../../domain/dossier';
import type { AttachmentStore, AttachmentUpload } from '../../storage/attachments';
import { examples, InputError, type Cli } from './context';
import { textTable } from '../text-table';

interface AttachOptions {
  slot: string;
  dataDir: string;
}

/** Runs `use` with the attachment store of the data folder (or KCZG_DATABASE_URL / KCZG_S3_*). */
export async function withAttachmentStore<T>(
  dataDir: string,
  use: (store: AttachmentStore) => Promise<T>,
): Promise<T> {
  const [{ openStorage }, { AttachmentStore, attachmentKeyring }] = await Promise.all([
    import('../../storage'),
    import('../../storage/attachments'),
  ]);
  const keyring = attachmentKeyring(process.env);
  const storage = await openStorage({ dataDir: path.resolve(dataDir) });
  try {
    return await use(new AttachmentStore(storage.records.db, storage.files, keyring));
  } finally {
    await storage.close();
  }
}

/** The file's bytes; its size is checked first, so an oversize file is never read. */
export async function readUpload(file: string, slot: string): Promise<AttachmentUpload> {
  const { sizeCheck } = await import('../../domain/file-content');
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (error) {
    throw new InputError({
      code: 'INVALID',
      field: 'file',
      rule: 'readable',
      message: `无法读取 ${file} / cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      fix: '检查文件路径 / check the path',
    });
  }
  const checked = sizeCheck(size);
  if (!checked.ok)
    throw new InputError({ ...checked.rejection, message: `${file}: ${checked.rejection.message}` });
  return { bytes: fs.readFileSync(file), name: path.basename(file), slot };
}

/** The store's check of an upload's content, without storing it; a refusal names the file. */
export async function inspectUpload(
  store: AttachmentStore,
  upload: AttachmentUpload,
  file: string,
): Promise<void> {
  await store.inspect(upload).catch((error: unknown) => {
    const rejection = (error as { rejection?: InputError['rejection'] }).rejection;
    throw rejection ? new InputError({ ...rejection, message: `${file}: ${rejection.message}` }) : error;
  });
}

async function attach(cli: Cli, files: string[], opts: AttachOptions): Promise<void> {
  const uploads = await Promise.all(files.map((file) => readUpload(file, opts.slot)));
  const stored = await withAttachmentStore(opts.dataDir, async (store) => {
    for (const [i, upload] of uploads.entries()) await inspectUpload(store, upload, files[i]);
    const results = [];
    for (const upload of uploads) results.push(await store.put(upload));
    return results;
  });
  const attachments: AttachmentRef[] = stored.map((s) => s.ref);
  for (const [i, s] of stored.entries()) {
    if (s.renamed)
      cli.note(
        `文件名已清理 / file name made safe: ${JSON.stringify(path.basename(files[i]))} → ${s.ref.name}`,
      );
  }
  cli.print(
    [
      ...textTable(
        ['文件 / name', '格式 / format', '大小 / bytes', '页数 / pages', 'sha256', '状态 / status'],
        stored.map(({ ref, created }) => [
          ref.name,
          ref.format,
          String(ref.size),
          ref.pages === undefined ? '-' : String(ref.pages),
          ref.sha256,
          created ? '已存储 / stored' : '已存在 / already stored',
        ]),
      ),
      '放入推荐材料 dossier.attachments / put into the dossier’s attachments:',
      JSON.stringify(attachments, null, 2),
    ].join('\n'),
    {
      attachments,
      stored: stored.map((s) => ({ sha256: s.ref.sha256, created: s.created, renamed: s.renamed })),
    },
  );
}

export function registerAttachCommand(program: Command, cli: Cli): void {
  program
    .command('attach <file...>')
    .description(
      '推荐单位：上传附件，输出推荐材料中的附件引用 / unit: upload attachments, print their references for a dossier',
    )
    .requiredOption('--slot <slot>', '表单中的附件栏目 / the form’s attachment slot, e.g. business-licence')
    .option('--data-dir <dir>', '存储所在的数据目录 / the data folder holding the storage', '.kczg')
    .addHelpText(
      'after',
      [
        '',
        '按内容识别格式 / format judged by content: PDF, DOCX, XLSX, JPEG, PNG; 每个文件至多 20 MiB / at most 20 MiB each',
        '加密存储，需要 KCZG_CODEC_KEYS（与 worker 相同）/ stored encrypted: needs the workers’ KCZG_CODEC_KEYS',
        '嵌入式存储同一时间只能由一个进程打开：kczg dev 运行时请共享 KCZG_DATABASE_URL / the embedded storage is one process’s: with kczg dev running, share KCZG_DATABASE_URL',
      ].join('\n') +
        examples(
          'kczg attach 营业执照.pdf --slot business-licence',
          'kczg attach a.pdf b.docx --slot supporting-material --json',
        ),
    )
    .action((files: string[], opts: AttachOptions) => attach(cli, files, opts));
}

/**
 * An upload's content check, end to end: size first, then the format from magic bytes, and for a
 * ZIP (DOCX/XLSX) its central directory read with yauzl — entry names and claimed sizes only,
 * nothing inflated — against the bounds of domain/file-content.ts. The rules are there; this
 * module only reads the archive's directory.
 */
import yauzl from 'yauzl';
import type { AttachmentFormat } from '../domain/dossier';
import {
  archiveCheck,
  entryCountCheck,
  officeFormatOf,
  pdfPageCount,
  sizeCheck,
  sniffContent,
  type ArchiveEntry,
  type Checked,
} from '../domain/file-content';
import { reject } from '../domain/rejections';

export interface CheckedContent {
  format: AttachmentFormat;
  pages?: number;
}

const unreadableArchive = (detail: string): Checked<never> => ({
  ok: false,
  rejection: reject('INVALID', `压缩文档已损坏，无法读取 / the document's archive is damaged: ${detail}`, {
    field: 'file',
    rule: 'archive-damaged',
    fix: '用 Word/Excel 重新保存后上传，或另存为 PDF / re-save it from Word/Excel, or as PDF',
  }),
});

/**
 * The archive's central directory, or a refusal when it is damaged or announces more entries than
 * allowed (checked before a single entry is read).
 */
function readDirectory(bytes: Buffer): Promise<Checked<ArchiveEntry[]>> {
  return new Promise((resolve) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, autoClose: true, strictFileNames: false }, (error, zip) => {
      if (error) return resolve(unreadableArchive(error.message));
      const count = entryCountCheck(zip.entryCount);
      if (!count.ok) {
        zip.close();
        return resolve(count);
      }
      const entries: ArchiveEntry[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        entries.push({
          name: entry.fileName,
          compressedSize: entry.compressedSize,
          uncompressedSize: entry.uncompressedSize,
          encrypted: entry.isEncrypted(),
        });
        zip.readEntry();
      });
      zip.on('end', () => resolve({ ok: true, value: entries }));
      zip.on('error', (failure: Error) => resolve(unreadableArchive(failure.message)));
      zip.readEntry();
    });
  });
}

/** The attachment's real format (and PDF page count), or the refusal naming why not. */
export async function checkContent(
  bytes: Buffer,
  options: { maxBytes?: number; formats?: readonly AttachmentFormat[] } = {},
): Promise<Checked<CheckedContent>> {
  const size = sizeCheck(bytes.length, options.maxBytes);
  if (!size.ok) return size;
  const sniffed = sniffContent(bytes);
  if (!sniffed.ok) return sniffed;
  let format: AttachmentFormat;
  if ('format' in sniffed.value) {
    format = sniffed.value.format;
  } else {
    const directory = await readDirectory(bytes);
    if (!directory.ok) return directory;
    const bounded = archiveCheck(directory.value);
    if (!bounded.ok) return bounded;
    const office = officeFormatOf(directory.value.map((entry) => entry.name));
    if (!office.ok) return office;
    format = office.value;
  }
  if (options.formats && !options.formats.includes(format)) {
    return {
      ok: false,
      rejection: reject(
        'INVALID',
        `此处不接受 ${format.toUpperCase()} 文件 / ${format} files are not accepted here`,
        {
          field: 'file',
          rule: 'format-not-allowed',
          fix: `上传 ${options.formats.map((f) => f.toUpperCase()).join(' / ')} 格式 / upload ${options.formats.join(', ')}`,
        },
      ),
    };
  }
  const pages = format === 'pdf' ? pdfPageCount(bytes) : undefined;
  return { ok: true, value: { format, ...(pages !== undefined ? { pages } : {}) } };
}

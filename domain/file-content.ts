/**
 * What an uploaded attachment really is, judged from its bytes and never from its name: the
 * format from magic bytes (DOCX and XLSX told apart by their archive's entries), the bounds an
 * archive's central directory must keep (entries, total size, compression ratio; no encryption,
 * no archive inside), a file name safe to store and to write back to a disk, and a PDF's page
 * count where it is cheap to read. Pure: the archive is read by storage/attachment-archive.ts.
 */
import type { AttachmentFormat } from './dossier';
import { reject, type Rejection } from './rejections';

/** The hard ceiling on one attachment; a slot may set a lower one. */
export const ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;

export type Checked<T> = { ok: true; value: T } | { ok: false; rejection: Rejection };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const refused = (rule: string, message: string, fix: string, field = 'file', limit?: number) =>
  ({
    ok: false,
    rejection: reject('INVALID', message, { field, rule, fix, ...(limit !== undefined ? { limit } : {}) }),
  }) as const;

const SAVE_AS =
  '另存为 PDF、DOCX、XLSX、JPEG 或 PNG 后重新上传 / save it as PDF, DOCX, XLSX, JPEG or PNG and upload again';

/** Refuses an empty file or one over `maxBytes`, before its content is looked at. */
export function sizeCheck(size: number, maxBytes: number = ATTACHMENT_MAX_BYTES): Checked<number> {
  const limit = Math.min(maxBytes, ATTACHMENT_MAX_BYTES);
  if (size === 0)
    return refused('empty', '文件为空 / the file is empty', '选择正确的文件 / choose the right file');
  if (size > limit) {
    return refused(
      'max-bytes',
      `文件过大：${size} 字节，上限 ${limit} 字节 / the file is ${size} bytes, over the limit of ${limit}`,
      '压缩图片或拆分文件后重新上传 / compress images or split the file, then upload again',
      'file',
      limit,
    );
  }
  return ok(size);
}

const startsWith = (bytes: Uint8Array, magic: readonly number[]): boolean =>
  bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

const FORMATS_BY_MAGIC: Array<[AttachmentFormat, readonly number[]]> = [
  ['pdf', ascii('%PDF-')],
  ['png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['jpeg', [0xff, 0xd8, 0xff]],
];
const ZIP_LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04];

/** Programs: refused whatever their name says ("报告.pdf" that is an ELF binary). */
const EXECUTABLES: Array<[string, readonly number[]]> = [
  ['ELF', [0x7f, 0x45, 0x4c, 0x46]],
  ['Windows PE (MZ)', ascii('MZ')],
  ['script (#!)', ascii('#!')],
  ['Mach-O', [0xcf, 0xfa, 0xed, 0xfe]],
  ['Mach-O', [0xce, 0xfa, 0xed, 0xfe]],
  ['Mach-O', [0xfe, 0xed, 0xfa, 0xce]],
  ['Mach-O', [0xfe, 0xed, 0xfa, 0xcf]],
  ['Mach-O universal / Java class', [0xca, 0xfe, 0xba, 0xbe]],
];

/** A format read from the magic bytes, or a ZIP archive whose entries decide (DOCX or XLSX). */
export type Sniffed = { format: AttachmentFormat } | { archive: 'zip' };

export function sniffContent(bytes: Uint8Array): Checked<Sniffed> {
  for (const [kind, magic] of EXECUTABLES) {
    if (startsWith(bytes, magic)) {
      return refused(
        'executable',
        `文件是可执行程序（${kind}），不能作为附件 / the file is an executable (${kind}), not a document`,
        `上传真正的文档；${SAVE_AS}`,
      );
    }
  }
  const found = FORMATS_BY_MAGIC.find(([, magic]) => startsWith(bytes, magic));
  if (found) return ok({ format: found[0] });
  if (startsWith(bytes, ZIP_LOCAL_HEADER)) return ok({ archive: 'zip' });
  return refused(
    'format',
    '无法识别的文件格式（按内容判断，而非扩展名）/ unrecognised file format (judged by content, not by the name)',
    SAVE_AS,
  );
}

/** DOCX or XLSX from an OOXML archive's entry names; any other archive is refused. */
export function officeFormatOf(entryNames: readonly string[]): Checked<AttachmentFormat> {
  const names = new Set(entryNames);
  const isOoxml = names.has('[Content_Types].xml');
  const word = names.has('word/document.xml');
  const excel = names.has('xl/workbook.xml');
  if (isOoxml && word !== excel) return ok(word ? 'docx' : 'xlsx');
  return refused(
    'format',
    'ZIP 文件不是 Word（DOCX）或 Excel（XLSX）文档 / the ZIP file is not a Word (DOCX) or Excel (XLSX) document',
    SAVE_AS,
  );
}

/** One central-directory record: what an archive claims, read without inflating anything. */
export interface ArchiveEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  encrypted: boolean;
}

export interface ArchiveLimits {
  maxEntries: number;
  maxTotalBytes: number;
  /** Uncompressed / compressed, for entries big enough to matter. */
  maxRatio: number;
  /** Entries up to this size are not ratio-checked (the total bounds them). */
  ratioFloorBytes: number;
}

/** Generous for real documents (a 200-page report with images is a few hundred entries, tens of MB). */
export const ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 2_000,
  maxTotalBytes: 100 * 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
};

const NESTED_ARCHIVE = /\.(zip|jar|docx|xlsx|pptx|docm|xlsm|7z|rar|gz|tgz|tar|bz2|xz|cab)$/i;
const RESAVE =
  '用 Word/Excel 另存为新文件（不含嵌入对象、不加密），或另存为 PDF / re-save it from Word/Excel without embedded objects or a password, or as PDF';

const bomb = (why: string, limit: number) =>
  refused(
    'archive-bomb',
    `压缩包超出限制（${why}），疑似压缩炸弹 / the archive exceeds a bound (${why}): a zip bomb?`,
    RESAVE,
    'file',
    limit,
  );

/** The entry count an archive's end record announces, checked before any entry is read. */
export function entryCountCheck(count: number, limits: ArchiveLimits = ARCHIVE_LIMITS): Checked<number> {
  return count > limits.maxEntries ? bomb(`${count} entries`, limits.maxEntries) : ok(count);
}

/** Refuses an archive whose directory announces a bomb, encryption or an archive inside. */
export function archiveCheck(
  entries: readonly ArchiveEntry[],
  limits: ArchiveLimits = ARCHIVE_LIMITS,
): Checked<number> {
  const count = entryCountCheck(entries.length, limits);
  if (!count.ok) return count;
  let total = 0;
  for (const entry of entries) {
    if (entry.encrypted) {
      return refused('archive-encrypted', '文档已加密 / the document is encrypted', RESAVE);
    }
    if (NESTED_ARCHIVE.test(entry.name)) {
      return refused(
        'archive-nested',
        '文档中嵌有压缩包或其他 Office 文档 / the document contains another archive or Office document',
        RESAVE,
      );
    }
    total += entry.uncompressedSize;
    if (total > limits.maxTotalBytes)
      return bomb(`more than ${limits.maxTotalBytes} bytes uncompressed`, limits.maxTotalBytes);
    const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
    if (entry.uncompressedSize > limits.ratioFloorBytes && ratio > limits.maxRatio) {
      return bomb(`compression ratio ${Math.round(ratio)}:1`, limits.maxRatio);
    }
  }
  return ok(total);
}

/** A name stays well inside the 255-byte limit of common file systems (CJK is 3 bytes in UTF-8). */
export const MAX_NAME_BYTES = 180;
const MAX_EXTENSION = 10;
/** Control characters, line separators, bidi controls and marks, invisible formatting (not ZWJ/ZWNJ). */
const UNSAFE_CHARACTERS = /(?!\u200C|\u200D)[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu;
/** Reserved on Windows, where an exported folder may be opened. */
const RESERVED_CHARACTERS = /[<>:"|?*]/g;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;

const utf8 = new TextEncoder();
const utf8Length = (text: string): number => utf8.encode(text).length;

function shortened(name: string): string {
  if (utf8Length(name) <= MAX_NAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= MAX_EXTENSION ? name.slice(dot) : '';
  const stem = [...name.slice(0, name.length - extension.length)];
  while (stem.length > 0 && utf8Length(stem.join('') + extension) > MAX_NAME_BYTES) stem.pop();
  return stem.join('').trimEnd() + extension;
}

export interface SanitisedName {
  name: string;
  /** True when the name given was changed to make it safe (the CLI says so). */
  changed: boolean;
}

/**
 * A file name safe to store and to write into any folder: only the last path segment (no "../",
 * no "/" or "\"), no control, bidi or invisible characters, no characters Windows reserves, no
 * leading dots or trailing dots and spaces, at most MAX_NAME_BYTES of UTF-8 (the extension kept).
 * CJK and other scripts stay. Nothing visible left: refused.
 */
export function sanitiseFileName(given: string): Checked<SanitisedName> {
  const lastSegment = given.normalize('NFC').split(/[/\\]/).pop() ?? '';
  let name = lastSegment
    .replace(UNSAFE_CHARACTERS, '')
    .replace(RESERVED_CHARACTERS, '_')
    .replace(/^[\s.]+|[\s.]+$/gu, '');
  if (WINDOWS_DEVICE.test(name)) name = `_${name}`;
  name = shortened(name);
  if (!/[\p{L}\p{N}]/u.test(name)) {
    return refused(
      'file-name',
      '文件名为空或不含可见字符 / the file name is empty or has no visible characters',
      '重命名文件（如“营业执照.pdf”）后重新上传 / rename the file (e.g. "business-licence.pdf") and upload again',
      'name',
    );
  }
  return ok({ name, changed: name !== given });
}

/** How far into a PDF the page count looks, and the most pages it counts. */
const PAGE_SCAN_BYTES = 32 * 1024 * 1024;
const MAX_PAGES = 100_000;
const PAGE_OBJECT = /\/Type\s*\/Page(?![A-Za-z])/g;
const PAGES_COUNT = /\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g;

/**
 * The page count of a PDF whose page objects are readable as text: the `/Type /Page` objects, or
 * else the largest `/Count` of a `/Type /Pages` node. Undefined when both sit in compressed object
 * streams (PDF 1.5+), where counting would mean inflating them.
 */
export function pdfPageCount(bytes: Uint8Array): number | undefined {
  // Single-byte decoding: the tokens looked for are ASCII, whatever the bytes around them.
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, PAGE_SCAN_BYTES));
  let pages = 0;
  for (PAGE_OBJECT.lastIndex = 0; PAGE_OBJECT.exec(text) && pages < MAX_PAGES;) pages++;
  if (pages > 0) return pages;
  let largest = 0;
  for (const match of text.matchAll(PAGES_COUNT)) largest = Math.max(largest, Number(match[1] ?? match[2]));
  return largest > 0 ? Math.min(largest, MAX_PAGES) : undefined;
}

/**
 * Attachment content rules, table by table: the format from magic bytes (never the name), an
 * OOXML archive told DOCX or XLSX by its entries, an archive's directory bounded against bombs,
 * encryption and nesting, file names made safe, and a PDF's page count.
 */
import {
  ARCHIVE_LIMITS,
  archiveCheck,
  MAX_NAME_BYTES,
  officeFormatOf,
  pdfPageCount,
  sanitiseFileName,
  sizeCheck,
  sniffContent,
  type ArchiveEntry,
} from '../../domain/file-content';

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffContent', () => {
  it.each<[string, Uint8Array, string]>([
    ['a PDF', bytes('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj'), 'pdf'],
    ['a PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'png'],
    ['a JPEG (JFIF)', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16]), 'jpeg'],
    ['a JPEG (Exif)', bytes([0xff, 0xd8, 0xff, 0xe1]), 'jpeg'],
    ['a ZIP', bytes([0x50, 0x4b, 3, 4, 20, 0]), 'zip'],
  ])('recognises %s', (_what, content, expected) => {
    const sniffed = sniffContent(content);
    expect(sniffed.ok && ('format' in sniffed.value ? sniffed.value.format : sniffed.value.archive)).toBe(
      expected,
    );
  });

  it.each<[string, Uint8Array, string]>([
    ['an ELF binary', bytes([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), 'executable'],
    ['a Windows program', bytes('MZ\x90\x00\x03'), 'executable'],
    ['a shell script', bytes('#!/bin/sh\nrm -rf /\n'), 'executable'],
    ['a Mach-O binary', bytes([0xcf, 0xfa, 0xed, 0xfe, 7, 0]), 'executable'],
    ['HTML', bytes('<!doctype html><script>alert(1)</script>'), 'format'],
    ['a PDF marker too late', bytes('junk%PDF-1.4'), 'format'],
    ['an empty ZIP (end record only)', bytes([0x50, 0x4b, 5, 6]), 'format'],
    ['a GIF', bytes('GIF89a'), 'format'],
  ])('refuses %s', (_what, content, rule) => {
    const sniffed = sniffContent(content);
    expect(sniffed.ok).toBe(false);
    if (sniffed.ok) return;
    expect(sniffed.rejection).toMatchObject({ code: 'INVALID', field: 'file', rule });
    expect(sniffed.rejection.message).toMatch(/^[\u4e00-\u9fff]/);
    expect(sniffed.rejection.fix).toBeTruthy();
  });
});

describe('sizeCheck', () => {
  it.each<[number, number | undefined, string | undefined]>([
    [1, undefined, undefined],
    [20 * 1024 * 1024, undefined, undefined],
    [20 * 1024 * 1024 + 1, undefined, 'max-bytes'],
    [0, undefined, 'empty'],
    [5_000, 4_096, 'max-bytes'],
    [4_096, 4_096, undefined],
    // A slot cannot raise the store's ceiling.
    [30 * 1024 * 1024, 50 * 1024 * 1024, 'max-bytes'],
  ])('%i bytes against a slot limit of %s → %s', (size, maxBytes, rule) => {
    const checked = sizeCheck(size, maxBytes);
    expect(checked.ok ? undefined : checked.rejection.rule).toBe(rule);
  });

  it('names the limit it refused against', () => {
    const checked = sizeCheck(5_000, 4_096);
    expect(!checked.ok && checked.rejection).toMatchObject({ limit: 4_096, field: 'file' });
  });
});

describe('officeFormatOf', () => {
  const ooxml = ['[Content_Types].xml', '_rels/.rels'];
  it.each<[string, string[], string | undefined]>([
    ['a Word document', [...ooxml, 'word/document.xml', 'word/styles.xml'], 'docx'],
    ['an Excel workbook', [...ooxml, 'xl/workbook.xml', 'xl/worksheets/sheet1.xml'], 'xlsx'],
    ['a plain ZIP', ['report.pdf', 'photo.jpg'], undefined],
    ['a PowerPoint deck', [...ooxml, 'ppt/presentation.xml'], undefined],
    ['Word parts without content types', ['word/document.xml'], undefined],
    ['both Word and Excel parts', [...ooxml, 'word/document.xml', 'xl/workbook.xml'], undefined],
  ])('%s → %s', (_what, names, format) => {
    const checked = officeFormatOf(names);
    expect(checked.ok ? checked.value : undefined).toBe(format);
    if (!checked.ok) expect(checked.rejection.rule).toBe('format');
  });
});

describe('archiveCheck', () => {
  const entry = (
    name: string,
    compressedSize: number,
    uncompressedSize: number,
    encrypted = false,
  ): ArchiveEntry => ({
    name,
    compressedSize,
    uncompressedSize,
    encrypted,
  });
  const MiB = 1024 * 1024;
  it.each<[string, ArchiveEntry[], string | undefined]>([
    [
      'a real document',
      [entry('word/document.xml', 40_000, 400_000), entry('word/media/a.png', 2 * MiB, 2 * MiB)],
      undefined,
    ],
    [
      'a small part compressing 500:1 (under the ratio floor)',
      [entry('word/styles.xml', 1_000, 500_000)],
      undefined,
    ],
    ['one part inflating 1000:1', [entry('word/media/a.png', 32 * 1024, 32 * MiB)], 'archive-bomb'],
    ['a part claiming 4 GiB', [entry('word/media/b.png', 1_024, 0xffff_fffe)], 'archive-bomb'],
    [
      'parts adding up past the total',
      Array.from({ length: 11 }, (_, i) => entry(`xl/media/${i}.png`, 10 * MiB, 10 * MiB)),
      'archive-bomb',
    ],
    [
      'too many entries',
      Array.from({ length: ARCHIVE_LIMITS.maxEntries + 1 }, (_, i) => entry(`x/${i}.xml`, 10, 10)),
      'archive-bomb',
    ],
    ['an encrypted part', [entry('word/document.xml', 100, 200, true)], 'archive-encrypted'],
    [
      'an embedded workbook',
      [entry('word/embeddings/Microsoft_Excel_Worksheet.xlsx', 9_000, 20_000)],
      'archive-nested',
    ],
    ['a ZIP inside', [entry('word/media/payload.ZIP', 9_000, 9_000)], 'archive-nested'],
  ])('%s → %s', (_what, entries, rule) => {
    const checked = archiveCheck(entries);
    expect(checked.ok ? undefined : checked.rejection.rule).toBe(rule);
  });
});

describe('sanitiseFileName', () => {
  it.each<[string, string, string]>([
    ['a plain name', 'report.pdf', 'report.pdf'],
    ['a Chinese name', '营业执照（副本）.pdf', '营业执照（副本）.pdf'],
    ['a traversal', '../../etc/passwd', 'passwd'],
    ['a Windows traversal', '..\\..\\Windows\\system32\\cmd.exe', 'cmd.exe'],
    ['an absolute path', '/home/unit/申报书.docx', '申报书.docx'],
    ['control characters', 'a\u0000b\u001b[31mc\r\n.pdf', 'ab[31mc.pdf'],
    ['a right-to-left override hiding an extension', 'invoice\u202efdp.exe', 'invoicefdp.exe'],
    ['characters Windows reserves', 'a<b>c:d"e|f?g*.pdf', 'a_b_c_d_e_f_g_.pdf'],
    ['leading dots and trailing dots and spaces', '...hidden.pdf. . ', 'hidden.pdf'],
    ['a Windows device name', 'CON.pdf', '_CON.pdf'],
    ['a decomposed accent (made NFC)', 'Zu\u0308rich.pdf', 'Zürich.pdf'],
    ['an emoji with joiners', '团队👨‍👩‍👧.png', '团队👨‍👩‍👧.png'],
  ])('%s', (_what, given, expected) => {
    const checked = sanitiseFileName(given);
    expect(checked.ok && checked.value).toEqual({ name: expected, changed: expected !== given });
  });

  it('cuts a long name to the byte limit and keeps its extension', () => {
    const checked = sanitiseFileName(`${'量子'.repeat(200)}.pdf`);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.value.name.endsWith('.pdf')).toBe(true);
    expect(Buffer.byteLength(checked.value.name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(checked.value.name.startsWith('量子量子')).toBe(true);
  });

  it.each(['', '../', '..', '/', '\u0000\u0001', '\u202e', '...', ' \u3000 ', 'a/b/'])(
    'refuses %j: nothing visible is left',
    (given) => {
      const checked = sanitiseFileName(given);
      expect(!checked.ok && checked.rejection).toMatchObject({
        code: 'INVALID',
        field: 'name',
        rule: 'file-name',
      });
    },
  );
});

describe('pdfPageCount', () => {
  const page = (n: number) => `${n} 0 obj\n<< /Type /Page /Parent 2 0 R >>\nendobj\n`;
  it.each<[string, number | undefined, string]>([
    [
      'three page objects',
      3,
      `%PDF-1.4\n2 0 obj << /Type /Pages /Count 3 >> endobj\n${page(3)}${page(4)}${page(5)}`,
    ],
    ['no space after /Type', 1, '%PDF-1.4\n<</Type/Page/Parent 2 0 R>>\n<</Type/Pages/Count 1>>'],
    [
      'only a page-tree count (pages in object streams)',
      12,
      '%PDF-1.5\n<< /Type /Pages /Kids [4 0 R] /Count 12 >>',
    ],
    ['/Count before /Type', 7, '%PDF-1.5\n<< /Count 7 /Kids [4 0 R] /Type /Pages >>'],
    ['nothing readable', undefined, '%PDF-1.5\n<< /Type /ObjStm /N 10 /Length 900 /Filter /FlateDecode >>'],
  ])('%s → %s', (_what, pages, text) => {
    expect(pdfPageCount(Buffer.from(text, 'latin1'))).toBe(pages);
  });
});

/**
 * Attachments for the rehearsal's synthetic dossiers: a small real PDF per nomination, generated
 * with pdf-lib and stored through the attachment store like any upload. Text is drawn with a
 * standard font (no CJK glyphs embedded), so it is kept to printable ASCII.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { ephemeralKeyring, keyringFromEnv } from '../codec/keys';
import type { AttachmentRef } from '../domain/dossier';
import type { Storage } from '../storage';
import { AttachmentStore } from '../storage/attachments';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const LINE_HEIGHT = 16;

/** Printable ASCII only: the standard fonts' WinAnsi encoding refuses the rest. */
const printable = (text: string): string => text.replace(/[^\x20-\x7e]/g, '?');

/**
 * A valid PDF: the title, then the lines, as many A4 pages as they need. Saved without object
 * streams, so its page count is readable without inflating anything.
 */
export async function generateAttachmentPdf(title: string, lines: readonly string[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(printable(title));
  pdf.setProducer('kczg rehearsal');
  // Fixed dates: the same title and lines give the same bytes, hence the same attachment.
  pdf.setCreationDate(new Date(0));
  pdf.setModificationDate(new Date(0));
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const perPage = Math.floor((A4[1] - 2 * MARGIN) / LINE_HEIGHT) - 2;
  for (let start = 0; start === 0 || start < lines.length; start += perPage) {
    const page = pdf.addPage(A4);
    let y = A4[1] - MARGIN;
    page.drawText(printable(title), { x: MARGIN, y, size: 14, font: bold });
    y -= 2 * LINE_HEIGHT;
    for (const line of lines.slice(start, start + perPage)) {
      page.drawText(printable(line), { x: MARGIN, y, size: 10, font });
      y -= LINE_HEIGHT;
    }
  }
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}

/** What the rehearsal attaches to one nomination: a key of its own choosing and the PDF's text. */
export interface RehearsalAttachment {
  key: string;
  title: string;
  lines: readonly string[];
}

/**
 * The rehearsal's attachment store on the stack's storage: KCZG_CODEC_KEYS when set, else a key
 * for this process only (a rehearsal's attachments are read, for its dossier export, within it).
 */
export function rehearsalAttachmentStore(storage: Pick<Storage, 'records' | 'files'>): AttachmentStore {
  return new AttachmentStore(storage.records.db, storage.files, keyringFromEnv() ?? ephemeralKeyring());
}

/** Generates and stores one PDF per item; each key's references, for its dossier. */
export async function storeRehearsalAttachments(
  store: AttachmentStore,
  items: readonly RehearsalAttachment[],
  slot = 'supporting-material',
): Promise<Map<string, AttachmentRef[]>> {
  const refs = new Map<string, AttachmentRef[]>();
  for (const item of items) {
    const bytes = await generateAttachmentPdf(item.title, item.lines);
    const { ref } = await store.put({ bytes, name: `${printable(item.title)}.pdf`, slot });
    refs.set(item.key, [ref]);
  }
  return refs;
}

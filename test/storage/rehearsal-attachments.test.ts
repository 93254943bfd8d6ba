/**
 * The rehearsal's generated attachments: real PDFs (pdf-lib reads them back, page for page) that
 * the store accepts by content, one per nomination key, the same text giving the same attachment.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import {
  generateAttachmentPdf,
  rehearsalAttachmentStore,
  storeRehearsalAttachments,
} from '../../client/rehearsal-attachments';
import { FsFileStore } from '../../storage/files';
import { openRecords, type OpenRecords } from '../../storage/records';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-rehearsal-attachments-'));
let records: OpenRecords;

beforeAll(async () => {
  records = await openRecords({ backend: 'pglite' });
}, 60_000);

afterAll(async () => {
  await records?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('rehearsal attachments', () => {
  it('generates a valid PDF with as many pages as its lines need, non-ASCII text replaced', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `Line ${i + 1}: 量子 evidence`);
    const pdf = await generateAttachmentPdf('Dossier of 量子芯片', lines);
    const document = await PDFDocument.load(pdf);
    expect(document.getPageCount()).toBe(3);
    expect(document.getTitle()).toBe('Dossier of ????');
    expect(await generateAttachmentPdf('Dossier of 量子芯片', lines)).toEqual(pdf);
  });

  it('stores one PDF per key and returns each key’s references', async () => {
    const store = rehearsalAttachmentStore({ records, files: new FsFileStore(root) });
    const refs = await storeRehearsalAttachments(store, [
      { key: 'cie.1', title: 'Quantum chip', lines: ['Unit: cie'] },
      { key: 'csae.1', title: 'Automotive chip', lines: Array.from({ length: 60 }, (_, i) => `row ${i}`) },
    ]);
    expect([...refs.keys()]).toEqual(['cie.1', 'csae.1']);
    expect(refs.get('cie.1')).toEqual([
      expect.objectContaining({
        name: 'Quantum chip.pdf',
        slot: 'supporting-material',
        format: 'pdf',
        pages: 1,
      }),
    ]);
    expect(refs.get('csae.1')?.[0].pages).toBe(2);
    const sha = refs.get('cie.1')?.[0].sha256 as string;
    const bytes = await store.get(sha, 'secretariat', '演练导出');
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(1);
  });
});

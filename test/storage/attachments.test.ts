/**
 * The attachment store on both deployments: PGlite with a folder, and PostgreSQL with an
 * S3-compatible server (versitygw), both real. Content-addressed and encrypted at rest, one
 * object and one record per content, every read audited, key rotation.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { generateAttachmentPdf } from '../../client/rehearsal-attachments';
import { keyringOf, type Keyring } from '../../codec/keys';
import { startVersitygw, type S3Server } from '../../servers/versitygw';
import { AttachmentRefusedError, AttachmentStore, attachmentKey } from '../../storage/attachments';
import { FsFileStore, type FileStore } from '../../storage/files';
import { openRecords, type OpenRecords } from '../../storage/records';
import { S3FileStore } from '../../storage/s3-files';
import { createDatabase, usePostgresServer } from '../support/postgres';
import { docx } from './zip-fixtures';

const postgres = usePostgresServer();
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-attachments-'));
let s3: S3Server | undefined;
const opened: Array<{ records: OpenRecords; files: FileStore }> = [];

beforeAll(async () => {
  s3 = await startVersitygw((line) => process.stderr.write(`[s3] ${line}\n`));
}, 600_000);

afterAll(async () => {
  for (const { records, files } of opened) {
    await records.close();
    if (files instanceof S3FileStore) files.close();
  }
  await s3?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

const key1 = randomBytes(32);
const key2 = randomBytes(32);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const backends: Array<[string, () => Promise<{ records: OpenRecords; files: FileStore }>]> = [
  [
    'PGlite and a folder',
    async () => ({
      records: await openRecords({ backend: 'pglite' }),
      files: new FsFileStore(fs.mkdtempSync(path.join(root, 'fs-'))),
    }),
  ],
  [
    'PostgreSQL and an S3-compatible server',
    async () => ({
      records: await openRecords({
        backend: 'postgres',
        url: await createDatabase(postgres(), 'attachments'),
      }),
      files: new S3FileStore((s3 as S3Server).config),
    }),
  ],
];

async function workbook(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.addWorksheet('成果').addRow(['名称', '量子芯片']);
  return Buffer.from(await book.xlsx.writeBuffer());
}

describe.each(backends)('attachment store on %s', (_name, open) => {
  let backend: { records: OpenRecords; files: FileStore };
  let store: AttachmentStore;
  const storeWith = (keyring: Keyring) => new AttachmentStore(backend.records.db, backend.files, keyring);

  beforeAll(async () => {
    backend = await open();
    opened.push(backend);
    store = storeWith(keyringOf({ k1: key1 }, 'k1'));
  }, 120_000);

  it('stores a PDF by its hash, encrypted, and describes it', async () => {
    const pdf = await generateAttachmentPdf('Business licence', ['Unit: CIE', 'Valid until 2030']);
    const stored = await store.put({ bytes: pdf, name: '营业执照.pdf', slot: 'business-licence' });
    expect(stored).toEqual({
      ref: {
        sha256: sha256(pdf),
        name: '营业执照.pdf',
        slot: 'business-licence',
        format: 'pdf',
        size: pdf.length,
        pages: 1,
      },
      created: true,
      renamed: false,
    });
    const atRest = await backend.files.get(attachmentKey(sha256(pdf)));
    expect(atRest).toBeDefined();
    expect(atRest?.includes(Buffer.from('%PDF-'))).toBe(false);
    expect(atRest?.includes(Buffer.from('Business licence'))).toBe(false);
    expect(await store.record(sha256(pdf))).toEqual({
      format: 'pdf',
      size: pdf.length,
      pages: 1,
      keyId: 'k1',
    });
  });

  it('recognises DOCX and XLSX by their contents, whatever their names', async () => {
    const word = await store.put({ bytes: docx(), name: 'application.pdf', slot: 'form' });
    expect(word.ref).toMatchObject({ format: 'docx', name: 'application.pdf' });
    const excel = await store.put({ bytes: await workbook(), name: '成果清单', slot: 'results' });
    expect(excel.ref.format).toBe('xlsx');
  });

  it('the same file twice is one object and one record; the second upload writes nothing', async () => {
    const pdf = await generateAttachmentPdf('Same twice', ['one']);
    const first = await store.put({ bytes: pdf, name: 'a.pdf', slot: 'proof' });
    const before = await backend.files.get(attachmentKey(first.ref.sha256));
    const second = await store.put({ bytes: pdf, name: 'copy of a.pdf', slot: 'other-proof' });
    expect(second.created).toBe(false);
    expect(second.ref).toEqual({ ...first.ref, name: 'copy of a.pdf', slot: 'other-proof' });
    expect(await backend.files.get(attachmentKey(first.ref.sha256))).toEqual(before);
    const rows = await backend.records.db
      .selectFrom('attachments')
      .select('sha256')
      .where('sha256', '=', first.ref.sha256)
      .execute();
    expect(rows).toHaveLength(1);
    const objects = await backend.files.list('attachments/');
    expect(objects.filter((key) => key === attachmentKey(first.ref.sha256))).toHaveLength(1);
  });

  it('a read returns the plain bytes and is recorded with reader and purpose', async () => {
    const pdf = await generateAttachmentPdf('Audited', ['read me']);
    const { ref } = await store.put({ bytes: pdf, name: 'audited.pdf', slot: 'proof' });
    const before = Date.now();
    expect(await store.get(ref.sha256, 'body:ittn', '初评专家评审')).toEqual(pdf);
    expect(await store.get(ref.sha256, 'secretariat', '形式审查')).toEqual(pdf);
    const reads = await store.reads({ sha256: ref.sha256 });
    expect(reads.map(({ reader, purpose }) => [reader, purpose])).toEqual([
      ['body:ittn', '初评专家评审'],
      ['secretariat', '形式审查'],
    ]);
    expect(reads[0].readAt).toBeGreaterThanOrEqual(before - 5_000);
    expect((await store.reads({ reader: 'body:ittn' })).map((r) => r.sha256)).toContain(ref.sha256);
  });

  it('refuses a read without a party label or a purpose, and records nothing', async () => {
    const pdf = await generateAttachmentPdf('Unaudited', ['x']);
    const { ref } = await store.put({ bytes: pdf, name: 'x.pdf', slot: 'proof' });
    await expect(store.get(ref.sha256, 'someone', '看看')).rejects.toMatchObject({
      rejection: { code: 'INVALID', field: 'reader' },
    });
    await expect(store.get(ref.sha256, 'body:ittn', ' ')).rejects.toMatchObject({
      rejection: { code: 'INVALID', field: 'purpose' },
    });
    await expect(store.get('0'.repeat(64), 'body:ittn', '评审')).rejects.toBeInstanceOf(
      AttachmentRefusedError,
    );
    expect(await store.reads({ sha256: ref.sha256 })).toEqual([]);
  });

  it('after a key rotation, old attachments still read and new ones use the new key', async () => {
    const old = await generateAttachmentPdf('Before rotation', ['k1']);
    const { ref: oldRef } = await store.put({ bytes: old, name: 'old.pdf', slot: 'proof' });
    const rotated = storeWith(keyringOf({ k1: key1, k2: key2 }, 'k2'));
    expect(await rotated.get(oldRef.sha256, 'secretariat', '轮换后读取')).toEqual(old);
    const fresh = await generateAttachmentPdf('After rotation', ['k2']);
    const { ref: freshRef } = await rotated.put({ bytes: fresh, name: 'new.pdf', slot: 'proof' });
    expect((await rotated.record(freshRef.sha256)).keyId).toBe('k2');
    // A process that no longer lists k1 cannot read what k1 encrypted, and says which key is missing.
    await expect(
      storeWith(keyringOf({ k2: key2 }, 'k2')).get(oldRef.sha256, 'secretariat', '读取'),
    ).rejects.toThrow(/key id "k1"/);
  });

  it('an altered object fails authentication and no read is recorded', async () => {
    const pdf = await generateAttachmentPdf('Tampered', ['y']);
    const { ref } = await store.put({ bytes: pdf, name: 'y.pdf', slot: 'proof' });
    const atRest = (await backend.files.get(attachmentKey(ref.sha256))) as Buffer;
    atRest[atRest.length - 20] ^= 1;
    await backend.files.put(attachmentKey(ref.sha256), atRest);
    await expect(store.get(ref.sha256, 'secretariat', '核验')).rejects.toThrow(/failed authentication/);
    expect(await store.reads({ sha256: ref.sha256 })).toEqual([]);
  });
});

/**
 * Importing an older kczg's data folder (file ledger, failure records, winners.json, published
 * files) into storage: everything arrives once, a second run imports nothing, bad files are named.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStorage, type Storage } from '../../storage';
import { FsFileStore } from '../../storage/files';
import { describeImport, importDataFolder } from '../../storage/import-data-folder';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-import-'));
const oldDir = path.join(root, 'old');
let storage: Storage;

/** Writes a file as the older kczg did: one JSON file per business key, named by its sha256. */
function writeKeyed(dir: string, businessKey: string, record: object): void {
  fs.mkdirSync(dir, { recursive: true });
  const name = createHash('sha256').update(businessKey).digest('hex');
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ businessKey, ...record }, null, 2));
}

beforeAll(async () => {
  const ledgerDir = path.join(oldDir, 'mail-ledger');
  writeKeyed(ledgerDir, 'national-2023/unit-a/collection/T-7', {
    messageId: '<kczg.a@kczg.example.org>',
    accepted: ['a@example.org'],
    rejected: [],
    response: '250 OK',
    sentAt: '2023-11-23T01:00:00.000Z',
  });
  fs.writeFileSync(path.join(ledgerDir, 'broken.json'), '{"businessKey": ');
  writeKeyed(path.join(ledgerDir, 'undeliverable'), 'national-2023/unit-b/collection/T-7', {
    error: 'SMTP_PERMANENT: 550 mailbox unavailable',
    at: '2023-11-23T01:00:05.000Z',
  });
  fs.mkdirSync(path.join(oldDir, 'registry'), { recursive: true });
  fs.writeFileSync(
    path.join(oldDir, 'registry', 'winners.json'),
    JSON.stringify({
      entries: [
        {
          year: 2022,
          programmeId: 'national-2022',
          listId: 'pioneer-tech',
          name: '量子芯片',
          source: 'c#n1',
        },
        { year: 2022, programmeId: 'national-2022', listId: 'pioneer-tech', name: '新材料', source: 'c#n2' },
      ],
    }),
  );
  fs.mkdirSync(path.join(oldDir, 'published', 'national-2022'), { recursive: true });
  fs.writeFileSync(
    path.join(oldDir, 'published', 'national-2022', 'pioneer-tech.csv'),
    '序号,名称\r\n1,量子芯片\r\n',
  );
  fs.writeFileSync(
    path.join(oldDir, 'published', 'national-2022', 'pioneer-tech.xlsx'),
    Buffer.from([0x50, 0x4b, 3, 4]),
  );

  storage = await openStorage({
    dataDir: path.join(root, 'new'),
    env: {},
    records: { backend: 'pglite' },
    files: new FsFileStore(path.join(root, 'files')),
  });
}, 60_000);

afterAll(async () => {
  await storage?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('importDataFolder', () => {
  it('imports the ledger, failures, winners and published files, naming what it could not read', async () => {
    const report = await importDataFolder(oldDir, storage);
    expect(report).toEqual({
      dataDir: oldDir,
      sentMail: {
        imported: 1,
        present: 0,
        unreadable: [expect.stringMatching(/^mail-ledger\/broken\.json: /)],
      },
      mailFailures: { imported: 1, present: 0, unreadable: [] },
      winners: { imported: 2, present: 0, unreadable: [] },
      publishedFiles: { imported: 2, present: 0, unreadable: [] },
    });

    expect(await storage.ledger.sent('national-2023/unit-a/collection/T-7')).toEqual({
      messageId: '<kczg.a@kczg.example.org>',
      accepted: ['a@example.org'],
    });
    // Imported as sent: a later send of that key does not reach the server.
    expect((await storage.ledger.claim('national-2023/unit-a/collection/T-7', '<x>', 'w')).status).toBe(
      'sent',
    );
    expect(await storage.ledger.failure('national-2023/unit-b/collection/T-7')).toEqual({
      error: 'SMTP_PERMANENT: 550 mailbox unavailable',
    });
    expect((await storage.winners.list(2023)).map((w) => w.name)).toEqual(['量子芯片', '新材料']);
    expect(await storage.files.list('published/')).toEqual([
      'published/national-2022/pioneer-tech.csv',
      'published/national-2022/pioneer-tech.xlsx',
    ]);
    expect((await storage.files.get('published/national-2022/pioneer-tech.csv'))?.toString('utf8')).toBe(
      '序号,名称\r\n1,量子芯片\r\n',
    );
  });

  it('a second run imports nothing and counts everything as present', async () => {
    const report = await importDataFolder(oldDir, storage);
    expect(report.sentMail).toMatchObject({ imported: 0, present: 1 });
    expect(report.mailFailures).toEqual({ imported: 0, present: 1, unreadable: [] });
    expect(report.winners).toEqual({ imported: 0, present: 2, unreadable: [] });
    expect(report.publishedFiles).toEqual({ imported: 0, present: 2, unreadable: [] });
  });

  it('describes the report per kind, naming each unreadable file', async () => {
    const text = describeImport(await importDataFolder(oldDir, storage));
    expect(text.split('\n')).toEqual([
      `导入 / imported from ${oldDir}:`,
      '  已发邮件 / sent mail: 新增 0 / new, 已有 1 / already present, 无法读取 1 / unreadable',
      '  投递失败 / mail failures: 新增 0 / new, 已有 1 / already present',
      '  获奖名录 / winners: 新增 0 / new, 已有 2 / already present',
      '  发布文件 / published files: 新增 0 / new, 已有 2 / already present',
      expect.stringMatching(/^ {2}! mail-ledger\/broken\.json: /),
    ]);
  });

  it('an empty or missing folder imports nothing', async () => {
    const report = await importDataFolder(path.join(root, 'missing'), storage);
    for (const count of [report.sentMail, report.mailFailures, report.winners, report.publishedFiles]) {
      expect(count).toEqual({ imported: 0, present: 0, unreadable: [] });
    }
  });
});

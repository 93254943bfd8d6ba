/**
 * A programme's year (the rehearsal: time-skipping Temporal, loopback SMTP, a worker) with kczg's
 * records on a real PostgreSQL server and its files in a real S3-compatible server: the mail
 * ledger, the winners and the published lists end up there, and the data folder holds no
 * embedded database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rehearse, type RehearsalReport } from '../../client/rehearsal';
import { loadProgramme } from '../../programmes/loader';
import { startVersitygw, type S3Server } from '../../servers/versitygw';
import { openRecords, type OpenRecords } from '../../storage/records';
import { S3FileStore } from '../../storage/s3-files';
import { createDatabase, usePostgresServer } from '../support/postgres';

const postgres = usePostgresServer();
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-rehearsal-servers-'));
let s3: S3Server | undefined;
let records: OpenRecords | undefined;
let bucket: S3FileStore | undefined;
let report: RehearsalReport;

beforeAll(async () => {
  s3 = await startVersitygw((line) => process.stderr.write(`[s3] ${line}\n`));
  const url = await createDatabase(postgres(), 'rehearsal');
  // Jest gives each test file its own process.env: the stack opens storage from these.
  Object.assign(process.env, {
    KCZG_DATABASE_URL: url,
    KCZG_S3_URL: s3.config.endpoint,
    KCZG_S3_BUCKET: s3.config.bucket,
    KCZG_S3_ACCESS_KEY: s3.config.accessKeyId,
    KCZG_S3_SECRET_KEY: s3.config.secretAccessKey,
  });
  report = await rehearse({
    programme: loadProgramme('national-2023'),
    nominations: 24,
    outDir,
    log: (line) => process.stderr.write(`[rehearsal] ${line}\n`),
  });
  records = await openRecords({ backend: 'postgres', url });
  bucket = new S3FileStore(s3.config);
}, 600_000);

afterAll(async () => {
  bucket?.close();
  await records?.close();
  await s3?.stop();
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('a rehearsal with records in PostgreSQL and files in S3', () => {
  it('publishes into the bucket; the folder the cycle named gets the same bytes', async () => {
    expect(report.winners).toBeGreaterThan(0);
    const keys = await bucket!.list(`published/${report.programmeId}/`);
    expect(keys.map((key) => path.basename(key))).toEqual(
      expect.arrayContaining([
        'pioneer-tech.csv',
        'pioneer-tech.json',
        'pioneer-tech.html',
        'pioneer-tech.xlsx',
      ]),
    );
    for (const key of keys) {
      const copy = fs.readFileSync(path.join(outDir, 'published', path.basename(key)));
      expect(await bucket!.get(key)).toEqual(copy);
    }
  });

  it('records every winner and every delivered message in PostgreSQL', async () => {
    const winners = await records!.db
      .selectFrom('winners')
      .select(['name'])
      .where('programme_id', '=', report.programmeId)
      .execute();
    expect(winners).toHaveLength(report.winners);
    const ledger = await records!.db.selectFrom('mail_ledger').select(['state']).execute();
    expect(ledger).toHaveLength(report.messages);
    expect(new Set(ledger.map((row) => row.state))).toEqual(new Set(['sent']));
  });

  it('leaves no embedded database in the data folder', () => {
    expect(fs.existsSync(path.join(outDir, 'records'))).toBe(false);
  });
});

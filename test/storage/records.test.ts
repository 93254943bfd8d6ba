/**
 * kczg's records on both backends, the embedded PGlite and a real PostgreSQL server: migrations
 * (idempotent, serialised), the mail ledger's claim-before-send, mail failures and the winners.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MailLedger } from '../../storage/mail-ledger';
import { migrate } from '../../storage/migrations';
import {
  openRecords,
  recordsConfigFromEnv,
  type OpenRecords,
  type RecordsConfig,
} from '../../storage/records';
import { WinnersStore, type WinnerRecord } from '../../storage/winners';
import { createDatabase, usePostgresServer } from '../support/postgres';

/** Every migration, in the order a fresh database applies them. */
const MIGRATIONS = [
  '0001-mail-ledger-failures-winners',
  '0002-attachments-and-reads',
  '0003-unit-drafts-and-api-tokens',
];

const postgres = usePostgresServer();
let databases = 0;
const folders: string[] = [];

afterAll(() =>
  folders.forEach((dir) => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(`${dir}.pid`, { force: true });
  }),
);

const backends: Array<[string, () => Promise<RecordsConfig>]> = [
  [
    'PGlite',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-records-'));
      folders.push(dir);
      return { backend: 'pglite', dataDir: dir };
    },
  ],
  [
    'PostgreSQL',
    async () => ({ backend: 'postgres', url: await createDatabase(postgres(), `records_${++databases}`) }),
  ],
];

const winner = (year: number, source: string, extra: Partial<WinnerRecord> = {}): WinnerRecord => ({
  year,
  programmeId: 'national',
  listId: 'pioneer-tech',
  name: `技术 ${source}`,
  source,
  ...extra,
});

describe.each(backends)('records on %s', (_name, configFor) => {
  let records: OpenRecords;
  let config: RecordsConfig;

  beforeAll(async () => {
    config = await configFor();
    records = await openRecords(config);
  }, 120_000);
  afterAll(async () => {
    await records?.close();
  });

  it('opening migrates once; migrating again applies nothing', async () => {
    expect(records.applied).toEqual(MIGRATIONS);
    expect(await migrate(records.db as never)).toEqual([]);
    const tables = await records.db.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['kczg_migrations', 'mail_ledger', 'mail_failures', 'winners']),
    );
  });

  it('the ledger lets one sender claim a key; the others see it in flight, then sent', async () => {
    const ledger = new MailLedger(records.db);
    expect(await ledger.claim('c/a/T-7', '<m1@x>', 'worker-1')).toEqual({ status: 'claimed' });
    expect(await ledger.claim('c/a/T-7', '<m1@x>', 'worker-2')).toEqual({
      status: 'in-flight',
      claimedBy: 'worker-1',
    });
    await ledger.markSent('c/a/T-7', 'worker-1', { accepted: ['a@x.org'], rejected: [], response: '250 OK' });
    const sent = { status: 'sent', entry: { messageId: '<m1@x>', accepted: ['a@x.org'] } };
    expect(await ledger.claim('c/a/T-7', '<m1@x>', 'worker-2')).toEqual(sent);
    expect(await ledger.sent('c/a/T-7')).toEqual(sent.entry);
  });

  it('a released claim (refused or unreachable server) can be claimed again; a sent one cannot be released', async () => {
    const ledger = new MailLedger(records.db);
    await ledger.claim('c/b/T-7', '<m2@x>', 'worker-1');
    await ledger.release('c/b/T-7', 'worker-2'); // not its claim: nothing changes
    expect((await ledger.claim('c/b/T-7', '<m2@x>', 'worker-2')).status).toBe('in-flight');
    await ledger.release('c/b/T-7', 'worker-1');
    expect(await ledger.claim('c/b/T-7', '<m2@x>', 'worker-2')).toEqual({ status: 'claimed' });
    await ledger.markSent('c/b/T-7', 'worker-2', { accepted: ['b@x.org'], rejected: [], response: '250' });
    await ledger.release('c/b/T-7', 'worker-2');
    expect((await ledger.claim('c/b/T-7', '<m2@x>', 'worker-3')).status).toBe('sent');
  });

  it('a claim older than the lease (its sender crashed) is taken over, once', async () => {
    await new MailLedger(records.db).claim('c/c/T-7', '<m3@x>', 'crashed');
    const expired = new MailLedger(records.db, 0);
    expect(await expired.claim('c/c/T-7', '<m3@x>', 'worker-2')).toEqual({ status: 'claimed' });
    expect(await new MailLedger(records.db).claim('c/c/T-7', '<m3@x>', 'worker-3')).toEqual({
      status: 'in-flight',
      claimedBy: 'worker-2',
    });
    // The crashed sender's late mark does not count as the new owner's.
    await expired.markSent('c/c/T-7', 'crashed', { accepted: [], rejected: [], response: '' });
    expect(await expired.sent('c/c/T-7')).toBeUndefined();
  });

  it('records a permanent mail failure; the latest one is what the cycle confirms against', async () => {
    const ledger = new MailLedger(records.db);
    expect(await ledger.failure('c/d/T-7')).toBeUndefined();
    await ledger.recordFailure('c/d/T-7', 'SMTP_PERMANENT: 550 no such user');
    await ledger.recordFailure('c/d/T-7', 'SMTP_PERMANENT: 553 mailbox name not allowed');
    expect(await ledger.failure('c/d/T-7')).toEqual({
      error: 'SMTP_PERMANENT: 553 mailbox name not allowed',
    });
  });

  it('winners: recorded once per programme, year and source, read back in order, by year', async () => {
    const winners = new WinnersStore(records.db);
    const batch = [
      winner(2021, 'import:w.csv#2', { identity: '91110000000000000X', fieldId: 'ict' }),
      winner(2022, 'import:w.csv#3'),
      winner(2023, 'cycle#n1'),
    ];
    expect(await winners.record(batch)).toBe(3);
    expect(await winners.record([...batch, winner(2023, 'cycle#n2')])).toBe(1);
    expect(await winners.list()).toEqual([...batch, winner(2023, 'cycle#n2')]);
    expect((await winners.list(2023)).map((w) => w.year)).toEqual([2021, 2022]);
  });

  it('records survive closing and reopening', async () => {
    await records.close();
    records = await openRecords(config);
    expect((await new MailLedger(records.db).sent('c/a/T-7'))?.messageId).toBe('<m1@x>');
  }, 60_000);
});

describe('choosing the backend from the environment', () => {
  it('uses the data folder without KCZG_DATABASE_URL, the server with it, and refuses another scheme', () => {
    expect(recordsConfigFromEnv({}, '/srv/kczg')).toEqual({
      backend: 'pglite',
      dataDir: '/srv/kczg/records',
    });
    expect(recordsConfigFromEnv({ KCZG_DATABASE_URL: 'postgres://k:pw@db:5432/kczg' }, '/srv/kczg')).toEqual({
      backend: 'postgres',
      url: 'postgres://k:pw@db:5432/kczg',
    });
    const refused = () =>
      recordsConfigFromEnv({ KCZG_DATABASE_URL: 'mysql://k:secret@db/kczg' }, '/srv/kczg');
    expect(refused).toThrow(/must be a postgres:\/\/ URL, got "mysql:\/\/k:\*\*\*@db\/kczg"/);
  });
});

describe('the embedded database', () => {
  it('refuses a second opener of the same folder while the first holds it, and is free again after', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-records-held-'));
    folders.push(dir);
    const first = await openRecords({ backend: 'pglite', dataDir: dir });
    try {
      await expect(openRecords({ backend: 'pglite', dataDir: dir })).rejects.toThrow(
        new RegExp(`in use by process ${process.pid}`),
      );
    } finally {
      await first.close();
    }
    const again = await openRecords({ backend: 'pglite', dataDir: dir });
    await again.close();
  }, 60_000);

  it('makes a first folder again when a killed first open left it half made', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-records-half-')), 'records');
    folders.push(path.dirname(dir));
    fs.mkdirSync(`${dir}.initialising/base`, { recursive: true });
    fs.writeFileSync(`${dir}.initialising/PG_VERSION`, '18\n');
    const records = await openRecords({ backend: 'pglite', dataDir: dir });
    try {
      expect(records.applied).toEqual(MIGRATIONS);
      expect(fs.existsSync(`${dir}.initialising`)).toBe(false);
    } finally {
      await records.close();
    }
  }, 60_000);

  it('takes over the folder of a process that died holding it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-records-stale-'));
    folders.push(dir);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout;
    fs.writeFileSync(`${dir}.pid`, dead);
    const records = await openRecords({ backend: 'pglite', dataDir: dir });
    await records.close();
    expect(fs.existsSync(`${dir}.pid`)).toBe(false);
  }, 60_000);
});

describe('several processes on one PostgreSQL server', () => {
  it('workers starting together apply each migration once (advisory lock)', async () => {
    const url = await createDatabase(postgres(), 'concurrent_migrations');
    const opened = await Promise.all(
      [1, 2, 3].map(() => openRecords({ backend: 'postgres', url }, { migrate: false })),
    );
    try {
      const applied = await Promise.all(opened.map((r) => migrate(r.db as never)));
      expect(applied.flat()).toEqual(MIGRATIONS);
    } finally {
      await Promise.all(opened.map((r) => r.close()));
    }
  });

  it('two concurrent claimers of the same keys: exactly one claims each key', async () => {
    const url = await createDatabase(postgres(), 'concurrent_claims');
    const [a, b] = await Promise.all([1, 2].map(() => openRecords({ backend: 'postgres', url })));
    try {
      const keys = Array.from({ length: 50 }, (_, i) => `cycle/unit-${i}/collection/T-7`);
      const claimsOf = (records: OpenRecords, sender: string) =>
        Promise.all(keys.map((key) => new MailLedger(records.db).claim(key, `<${key}@x>`, sender)));
      const [byA, byB] = await Promise.all([claimsOf(a, 'worker-a'), claimsOf(b, 'worker-b')]);
      keys.forEach((_key, i) => {
        const statuses = [byA[i].status, byB[i].status].sort();
        expect(statuses).toEqual(['claimed', 'in-flight']);
      });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

/**
 * The storage commands as an operator runs them (`node dist/client/cli.js …`), on the embedded
 * PGlite and on a real PostgreSQL server: `kczg storage migrate` and `kczg setup` bring the
 * records up to date once however many run, `kczg storage import` moves an older data folder into
 * the configured stores (a second run imports nothing), `kczg registry import` writes to the
 * records directly.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStorage } from '../../storage';
import { DevServer } from '../reliability/support/processes';
import { CliRunner, type Json } from '../support/cli';
import { createDatabase, usePostgresServer } from '../support/postgres';

const FIRST_MIGRATION = '0001-mail-ledger-failures-winners';
const SENT_KEY = 'kczg:national-2022/unit/cie/collection:T-7';
const BAD_WINNER = 'registry/winners.json entry 2: missing listId';

const postgres = usePostgresServer();
const cli = new CliRunner();
let root: string;
let oldDir: string;
let databases = 0;

/** The test's environment without any records or file store of the machine, plus `extra`. */
function envWith(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^KCZG_(DATABASE_URL|S3_)/.test(key)) delete env[key];
  return { ...env, ...extra };
}

/** A data folder as an older kczg left it: one sent mail, two winners (one bad), one published list. */
function writeOldDataFolder(dir: string): void {
  const ledger = path.join(dir, 'mail-ledger');
  fs.mkdirSync(ledger, { recursive: true });
  fs.writeFileSync(
    path.join(ledger, `${createHash('sha256').update(SENT_KEY).digest('hex')}.json`),
    JSON.stringify({
      businessKey: SENT_KEY,
      messageId: '<kczg.old@kczg.example.org>',
      accepted: ['cie@units.example.org'],
      rejected: [],
      response: '250 OK',
      sentAt: '2022-11-23T01:00:00.000Z',
    }),
  );
  fs.mkdirSync(path.join(dir, 'registry'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'registry', 'winners.json'),
    JSON.stringify({
      entries: [
        { year: 2022, programmeId: 'national-2022', listId: 'pioneer-tech', name: '量子芯片', source: 'c#1' },
        { year: 2022, programmeId: 'national-2022', name: '无榜单', source: 'c#2' },
      ],
    }),
  );
  fs.mkdirSync(path.join(dir, 'published', 'national-2022'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'published', 'national-2022', 'pioneer-tech.csv'),
    '序号,名称\r\n1,量子芯片\r\n',
  );
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-storage-cli-'));
  oldDir = path.join(root, 'old');
  writeOldDataFolder(oldDir);
});

afterAll(async () => {
  await cli.stopAll();
  fs.rmSync(root, { recursive: true, force: true });
});

const backends: Array<[string, () => Promise<Record<string, string>>]> = [
  ['PGlite (embedded)', async () => ({})],
  [
    'PostgreSQL',
    async () => ({ KCZG_DATABASE_URL: await createDatabase(postgres(), `storage_cli_${++databases}`) }),
  ],
];

describe.each(backends)('kczg storage and registry commands on %s', (_name, storesFor) => {
  let env: NodeJS.ProcessEnv;
  let dataDir: string;

  beforeAll(async () => {
    env = envWith(await storesFor());
    dataDir = fs.mkdtempSync(path.join(root, 'data-'));
  });

  const kczg = (args: string[], options: { text?: boolean } = {}) => cli.run(args, { env, ...options });

  /** What the stores hold, read after the commands have exited (the embedded database is free). */
  async function stored() {
    const storage = await openStorage({ dataDir, env });
    try {
      return {
        sent: await storage.ledger.sent(SENT_KEY),
        winners: (await storage.winners.list()).map((w) => `${w.year} ${w.name} ${w.source}`),
        files: await storage.files.list('published/'),
      };
    } finally {
      await storage.close();
    }
  }

  it('storage migrate applies the migrations once; a second run finds the records up to date', async () => {
    const first = await kczg(['storage', 'migrate', '--data-dir', dataDir]);
    expect(first).toMatchObject({ code: 0, json: { applied: expect.arrayContaining([FIRST_MIGRATION]) } });
    const again = await kczg(['storage', 'migrate', '--data-dir', dataDir], { text: true });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/: 已是最新 \/ up to date\n$/);
  });

  it('storage import moves the old folder into the stores, naming what it skipped; a second run imports nothing', async () => {
    const first = await kczg(['storage', 'import', oldDir, '--data-dir', dataDir]);
    expect(first.code).toBe(0);
    expect(first.json).toEqual({
      dataDir: oldDir,
      sentMail: { imported: 1, present: 0, unreadable: [] },
      mailFailures: { imported: 0, present: 0, unreadable: [] },
      winners: { imported: 1, present: 0, unreadable: [BAD_WINNER] },
      publishedFiles: { imported: 1, present: 0, unreadable: [] },
    });
    const again = await kczg(['storage', 'import', oldDir, '--data-dir', dataDir], { text: true });
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n')).toEqual([
      `导入 / imported from ${oldDir}:`,
      '  已发邮件 / sent mail: 新增 0 / new, 已有 1 / already present',
      '  投递失败 / mail failures: 新增 0 / new, 已有 0 / already present',
      '  获奖名录 / winners: 新增 0 / new, 已有 1 / already present, 无法读取 1 / unreadable',
      '  发布文件 / published files: 新增 0 / new, 已有 1 / already present',
      `  ! ${BAD_WINNER}`,
      '',
    ]);
    expect(await stored()).toEqual({
      sent: { messageId: '<kczg.old@kczg.example.org>', accepted: ['cie@units.example.org'] },
      winners: ['2022 量子芯片 c#1'],
      files: ['published/national-2022/pioneer-tech.csv'],
    });
  });

  it('registry import records the file’s winners in the records, once', async () => {
    const csv = path.join(root, 'winners-2021.csv');
    fs.writeFileSync(csv, '年份,方案,榜单,名称\r\n2021,national-2021,pioneer-tech,石墨烯膜\r\n');
    const first = await kczg(['registry', 'import', csv, '--data-dir', dataDir]);
    expect(first).toMatchObject({ code: 0, json: { added: 1, total: 1 } });
    const again = await kczg(['registry', 'import', csv, '--data-dir', dataDir]);
    expect(again).toMatchObject({ code: 0, json: { added: 0, total: 1 } });
    expect((await stored()).winners).toEqual([
      '2022 量子芯片 c#1',
      '2021 石墨烯膜 import:winners-2021.csv#2',
    ]);
    // Nothing of the old file layout is written any more.
    expect(fs.existsSync(path.join(dataDir, 'registry'))).toBe(false);
  });

  it('storage import of a folder that does not exist is exit 2 INVALID and creates nothing', async () => {
    const target = `${dataDir}-untouched`;
    const result = await kczg(['storage', 'import', path.join(root, 'missing'), '--data-dir', target]);
    expect(result).toMatchObject({
      code: 2,
      json: { error: { code: 'INVALID', field: 'data-folder', rule: 'directory' } },
    });
    expect(fs.existsSync(target)).toBe(false);
  });
});

describe('kczg setup on a Temporal server and a PostgreSQL server', () => {
  let server: DevServer | undefined;

  beforeAll(async () => {
    server = await DevServer.start(path.join(root, 'temporal'));
  });
  afterAll(async () => {
    await server?.kill('SIGKILL');
  });

  const setup = (env: NodeJS.ProcessEnv): Promise<Json> =>
    cli.run(['--address', (server as DevServer).address, 'setup'], { env });

  it('with KCZG_DATABASE_URL, three setups at once apply each migration once; without, it leaves the records to the worker', async () => {
    const env = envWith({ KCZG_DATABASE_URL: await createDatabase(postgres(), 'setup_cli') });
    const runs = await Promise.all([setup(env), setup(env), setup(env)]);
    for (const run of runs) {
      expect(run).toMatchObject({
        code: 0,
        json: {
          registered: [],
          existing: ['KczgProgramme', 'KczgYear', 'KczgStage'],
          migrations: { records: expect.stringMatching(/^PostgreSQL 127\.0\.0\.1:\d+\/setup_cli$/) },
        },
      });
    }
    const applied = runs.flatMap((run) => run.json.migrations.applied as string[]);
    expect(applied).toContain(FIRST_MIGRATION);
    expect(new Set(applied).size).toBe(applied.length);

    const without = await setup(envWith());
    expect(without).toMatchObject({ code: 0, json: { migrations: null } });
  });
});

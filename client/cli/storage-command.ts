/**
 * `kczg storage`: kczg's records and files (storage/). `migrate` brings the records' schema up to
 * date (what `kczg setup` and every worker start do too); `import` moves an older data folder's
 * ledger, failures, winners and published files into the configured stores.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { examples, InputError, type Cli } from './context';

const STORES_HELP =
  '\n记录：KCZG_DATABASE_URL（PostgreSQL），否则为 --data-dir 中的嵌入式数据库；文件：KCZG_S3_*，否则为 --data-dir / ' +
  'records: KCZG_DATABASE_URL (PostgreSQL), else the embedded database in --data-dir; files: KCZG_S3_*, else --data-dir';

export interface MigrationReport {
  /** Where the records are (no password). */
  records: string;
  /** Migrations this run applied; empty when the records were up to date. */
  applied: string[];
}

/** Applies pending migrations to the records the environment names (or `dataDir`'s embedded ones). */
export async function migrateRecords(dataDir: string): Promise<MigrationReport> {
  const { openRecords, recordsConfigFromEnv } = await import('../../storage/records');
  const records = await openRecords(recordsConfigFromEnv(process.env, path.resolve(dataDir)));
  await records.close();
  return { records: records.description, applied: records.applied };
}

export function describeMigration({ records, applied }: MigrationReport): string {
  return applied.length > 0
    ? `${records}: 已应用迁移 / applied ${applied.join(', ')}`
    : `${records}: 已是最新 / up to date`;
}

function registerMigrate(storage: Command, cli: Cli): void {
  storage
    .command('migrate')
    .description(
      '升级记录数据库的表结构（可重复运行，加锁）/ bring the records’ schema up to date (idempotent, locked)',
    )
    .option(
      '--data-dir <dir>',
      '嵌入式数据库所在的数据目录 / the data folder of the embedded database',
      '.kczg',
    )
    .addHelpText(
      'after',
      STORES_HELP +
        examples(
          'KCZG_DATABASE_URL=postgres://kczg:…@db.internal:5432/kczg kczg storage migrate',
          'kczg storage migrate --data-dir .kczg --json   # {"records":"PGlite …","applied":[…]}',
        ),
    )
    .action(async (opts: { dataDir: string }) => {
      const report = await migrateRecords(opts.dataDir);
      cli.print(describeMigration(report), report);
    });
}

function registerImport(storage: Command, cli: Cli): void {
  storage
    .command('import <data-folder>')
    .description(
      '导入旧版数据目录（邮件台账、投递失败、获奖名录、发布文件），可重复运行 / import an older data folder (mail ledger, failures, winners, published files); re-runnable',
    )
    .option(
      '--data-dir <dir>',
      '目标：嵌入式存储所在的数据目录 / target: the data folder of the embedded stores',
      '.kczg',
    )
    .addHelpText(
      'after',
      `${STORES_HELP}\n只读取旧目录；已存在的不再写入；无法读取的文件逐个列出 / the old folder is only read; what is present is not written again; unreadable files are listed` +
        examples(
          'KCZG_DATABASE_URL=… KCZG_S3_URL=… KCZG_S3_BUCKET=… kczg storage import /srv/old-kczg',
          'kczg storage import old-data --data-dir .kczg --json',
        ),
    )
    .action(async (folder: string, opts: { dataDir: string }) => {
      if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
        throw new InputError({
          code: 'INVALID',
          field: 'data-folder',
          rule: 'directory',
          message: `找不到数据目录 ${folder} / no data folder at ${folder}`,
          fix: '给出旧 worker 的 --data-dir（含 mail-ledger/、registry/、published/）/ name the old worker’s --data-dir',
        });
      }
      const [{ openStorage }, { describeImport, importDataFolder }] = await Promise.all([
        import('../../storage'),
        import('../../storage/import-data-folder'),
      ]);
      const stores = await openStorage({ dataDir: path.resolve(opts.dataDir) });
      try {
        const report = await importDataFolder(folder, stores);
        cli.print(describeImport(report), report);
      } finally {
        await stores.close();
      }
    });
}

export function registerStorageCommands(program: Command, cli: Cli): void {
  const storage = program.command('storage').description('kczg 的记录与文件 / kczg’s records and files');
  registerMigrate(storage, cli);
  registerImport(storage, cli);
}

/**
 * Administration: `setup` (the namespace's search attributes, the records' migrations), `auth`
 * (keys and credentials), `registry import` (earlier winners), `storage` (storage-command.ts),
 * `codec-server` (decrypted payloads for the Web UI).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { cycleIdOf, examples, InputError, untilStopped, type Cli } from './context';
import { registerStorageCommands } from './storage-command';

/** The records `kczg setup` migrates: the shared database, or an embedded one it is pointed at. */
function setupMigrates(dataDir: string | undefined): boolean {
  return Boolean(process.env.KCZG_DATABASE_URL?.trim()) || dataDir !== undefined;
}

function registerSetup(program: Command, cli: Cli): void {
  program
    .command('setup')
    .description(
      '准备命名空间与记录数据库：注册搜索属性 KczgProgramme/KczgYear/KczgStage，升级数据库表结构（可重复运行）/ prepare the namespace and the records: register the search attributes, run the migrations (idempotent)',
    )
    .option(
      '--data-dir <dir>',
      '也升级此数据目录中的嵌入式数据库 / also migrate the embedded database in this data folder',
    )
    .addHelpText(
      'after',
      '\n连接来自 envconfig（TEMPORAL_ADDRESS、TEMPORAL_NAMESPACE、TEMPORAL_API_KEY、--profile）：开发服务器、自建集群或 Temporal Cloud / ' +
        'the connection comes from envconfig: dev server, self-hosted or Temporal Cloud (needs a namespace-admin API key)\n' +
        '设置了 KCZG_DATABASE_URL（或给出 --data-dir）时升级记录数据库（加锁，多个进程同时运行也只执行一次）/ ' +
        'with KCZG_DATABASE_URL (or --data-dir) the records are migrated too (locked: once, however many run it)' +
        examples(
          'kczg setup',
          'TEMPORAL_NAMESPACE=kczg-prod KCZG_DATABASE_URL=postgres://kczg:…@db.internal:5432/kczg kczg setup --json   # {"registered":[…],"existing":[…],"migrations":{…}}',
        ),
    )
    .action(async (opts: { dataDir?: string }) => {
      const [{ connectClient }, { registerSearchAttributes }, { describeMigration, migrateRecords }] =
        await Promise.all([
          import('../connection'),
          import('../../worker/setup'),
          import('./storage-command'),
        ]);
      const migrations = setupMigrates(opts.dataDir) ? await migrateRecords(opts.dataDir ?? '.kczg') : null;
      const { connection, namespace } = await connectClient(cli.options);
      try {
        const { registered, existing } = await registerSearchAttributes(connection, namespace);
        const records = migrations
          ? describeMigration(migrations)
          : '记录：嵌入式数据库由 worker 启动时升级 / records: the embedded database is migrated when the worker opens it';
        cli.print(
          `命名空间 / namespace ${namespace}: 已注册 / registered ${registered.join(', ') || '-'}; 已存在 / existing ${existing.join(', ') || '-'}\n${records}`,
          { registered, existing, migrations },
        );
      } finally {
        await connection.close();
      }
    });
}

function registerAuth(program: Command, cli: Cli): void {
  const auth = program.command('auth').description('秘书处：签发凭证 / secretariat: credentials');
  auth
    .command('keygen')
    .description('生成签名密钥对 / generate the Ed25519 key pair')
    .addHelpText(
      'after',
      examples(
        'kczg auth keygen --json > keys.json   # publicKey → KCZG_AUTH_PUBLIC_KEY, privateKey → KCZG_AUTH_PRIVATE_KEY',
      ),
    )
    .action(async () => {
      const { generateAuthKeyPair } = await import('../credentials');
      const pair = generateAuthKeyPair();
      cli.print(`KCZG_AUTH_PUBLIC_KEY=${pair.publicKey}\nKCZG_AUTH_PRIVATE_KEY=${pair.privateKey}`, pair);
    });
  auth
    .command('issue <programme>')
    .description('为一方签发凭证 / issue a credential for one party')
    .requiredOption('--party <party>', 'unit:<id> | body:<id> | final | secretariat')
    .option('--days <n>', '有效天数 / valid for days', '30')
    .addHelpText(
      'after',
      examples('KCZG_AUTH_PRIVATE_KEY=… kczg auth issue national-2023 --party unit:cie --days 60'),
    )
    .action(async (id: string, opts: { party: string; days: string }) => {
      const [{ parseParty }, { issueCredential }] = await Promise.all([
        import('../../domain/credentials'),
        import('../credentials'),
      ]);
      const party = parseParty(opts.party);
      if (!party) {
        throw new InputError({
          code: 'INVALID',
          field: 'party',
          rule: 'enum',
          message: `无效的一方 / unknown party "${opts.party}"`,
          fix: 'unit:<id> | body:<id> | final | secretariat',
        });
      }
      const privateKey = process.env.KCZG_AUTH_PRIVATE_KEY;
      if (!privateKey) {
        throw new InputError({
          code: 'INVALID',
          field: 'KCZG_AUTH_PRIVATE_KEY',
          rule: 'required',
          message: '缺少签名私钥 / KCZG_AUTH_PRIVATE_KEY is not set',
          fix: 'kczg auth keygen',
        });
      }
      const days = Number(opts.days);
      const cycle = cycleIdOf(id);
      const credential = issueCredential({ privateKey, cycle, party, validForMs: days * 86_400_000 });
      cli.print(credential, { credential, party: opts.party, cycle, days });
    });
}

function registerRegistry(program: Command, cli: Cli): void {
  const registry = program.command('registry').description('往年获奖名录 / earlier winners');
  registry
    .command('import <file>')
    .description('导入往年榜单（CSV 或 JSON）/ import an earlier year’s winners (CSV or JSON)')
    .option(
      '--data-dir <dir>',
      '嵌入式记录所在的数据目录（设置 KCZG_DATABASE_URL 时不用）/ the data folder of the embedded records (unused with KCZG_DATABASE_URL)',
      '.kczg',
    )
    .addHelpText(
      'after',
      examples(
        'kczg registry import winners-2021.csv --data-dir .kczg',
        'KCZG_DATABASE_URL=postgres://kczg:…@db.internal:5432/kczg kczg registry import winners-2021.csv',
      ),
    )
    .action(async (file: string, opts: { dataDir: string }) => {
      const [{ readWinnersFile }, { openStorage }] = await Promise.all([
        import('../../activities/registry'),
        import('../../storage'),
      ]);
      const entries = await readWinnersFile(file);
      const storage = await openStorage({ dataDir: path.resolve(opts.dataDir) });
      const added = await storage.winners.record(entries).finally(() => storage.close());
      cli.print(`已导入 ${added} 条（共 ${entries.length} 条）/ imported ${added} of ${entries.length}`, {
        added,
        total: entries.length,
      });
    });
}

function registerCodecServer(program: Command, cli: Cli): void {
  program
    .command('codec-server')
    .description('Web UI 解密端点（授权人员本机运行）/ codec endpoint for the Web UI, for authorised staff')
    .option('--port <port>', '端口 / port', '8888')
    .option('--host <host>', '地址 / host', '127.0.0.1')
    .option('--origin <url...>', '允许的 UI 来源 / allowed UI origins')
    .addHelpText(
      'after',
      '\n需要 / needs KCZG_CODEC_KEYS (KCZG_CODEC_KEY_ID); optional KCZG_CODEC_TOKEN, KCZG_CODEC_CORS_ORIGINS' +
        examples(
          'kczg codec-server --port 8888   # then: temporal server start-dev --ui-codec-endpoint http://127.0.0.1:8888',
        ),
    )
    .action(async (opts: { port: string; host: string; origin?: string[] }) => {
      const { startCodecServer } = await import('../../codec/codec-server');
      const server = await startCodecServer({
        port: Number(opts.port),
        host: opts.host,
        ...(opts.origin ? { corsOrigins: opts.origin } : {}),
        log: (line) => cli.note(line),
      });
      await untilStopped();
      await server.close();
    });
}

export function registerAdminCommands(program: Command, cli: Cli): void {
  registerSetup(program, cli);
  registerAuth(program, cli);
  registerRegistry(program, cli);
  registerStorageCommands(program, cli);
  registerCodecServer(program, cli);
}

/**
 * Commands that run something: `plan` (no server), `rehearse` (a whole year on the time-skipping
 * server), `worker`, `dev` (dev server, Web UI, worker and outbox in one process tree).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Logger } from '../../logging/logger';
import { examples, InputError, untilStopped, type Cli } from './context';

/**
 * Routes the SDK's and the core's logs into the CLI's logger and serves metrics at `--metrics`
 * (or KCZG_METRICS_ADDRESS); before any worker exists.
 */
async function workerLogging(cli: Cli, metrics?: string): Promise<Logger> {
  const log = await cli.log();
  const { installTemporalLogging, metricsAddressFrom } = await import('../../logging/temporal-runtime');
  installTemporalLogging(log, { metricsAddress: metricsAddressFrom(process.env, metrics) });
  return log;
}

const METRICS_OPTION: [string, string] = [
  '--metrics <ip:port>',
  '在 http://<ip:port>/metrics 提供 Prometheus 指标（或 KCZG_METRICS_ADDRESS；默认关闭）/ serve Prometheus metrics there (or KCZG_METRICS_ADDRESS; off by default)',
];

function registerPlan(program: Command, cli: Cli): void {
  program
    .command('plan <programme>')
    .description('整个年度的时间表与提醒计划 / the programme-year timeline and every planned reminder')
    .option('--ics <file>', '另存为日历文件 / also write an .ics calendar')
    .addHelpText(
      'after',
      examples('kczg plan national-2023 --ics plan.ics', 'kczg plan national-2023 --json'),
    )
    .action(async (id: string, opts: { ics?: string }) => {
      const [{ loadProgrammeFast }, { buildPlan, renderPlanIcs, renderPlanText }] = await Promise.all([
        import('./programme-cache'),
        import('../plan'),
      ]);
      const plan = buildPlan(await loadProgrammeFast(id));
      if (opts.ics) fs.writeFileSync(opts.ics, renderPlanIcs(plan, Date.now()));
      cli.print(renderPlanText(plan), plan);
    });
}

function registerRehearse(program: Command, cli: Cli): void {
  program
    .command('rehearse [programme]')
    .description('在时间跳跃服务器上演练整个年度 / rehearse a whole year on the time-skipping server')
    .option('--nominations <n>', '合成推荐数量 / synthetic nominations', '200')
    .option('--out <dir>', '输出目录 / output folder', 'out/rehearsal')
    .addHelpText(
      'after',
      `${examples('kczg rehearse national-2023 --nominations 500 --out out/rehearsal')}\n` +
        '进度在 stderr；--json 时 stdout 只有一个 JSON 文档 / progress goes to stderr; with --json stdout is one document',
    )
    .action(async (id: string | undefined, opts: { nominations: string; out: string }) => {
      const nominations = Number(opts.nominations);
      if (!Number.isInteger(nominations) || nominations < 0) {
        throw new InputError({
          code: 'INVALID',
          field: 'nominations',
          rule: 'integer',
          message: `--nominations 应为非负整数 / must be a non-negative integer, got "${opts.nominations}"`,
          fix: '--nominations 200',
        });
      }
      await workerLogging(cli);
      const [{ loadProgramme }, { rehearse, renderTimeline }] = await Promise.all([
        import('../../programmes/loader'),
        import('../rehearsal'),
      ]);
      const report = await rehearse({
        programme: loadProgramme(id ?? 'national-2023'),
        nominations,
        outDir: opts.out,
        log: (line) => cli.note(line),
      });
      cli.print(renderTimeline(report), report);
    });
}

function workerCacheSize(option: string | undefined, parse: (env: NodeJS.ProcessEnv) => number): number {
  try {
    return parse(option === undefined ? process.env : { KCZG_MAX_CACHED_WORKFLOWS: option });
  } catch (error) {
    throw new InputError({
      code: 'INVALID',
      field: 'maxCachedWorkflows',
      rule: 'integer',
      message: (error as Error).message,
      fix: '例如 / e.g. --max-cached-workflows 2000',
    });
  }
}

async function runWorker(
  cli: Cli,
  opts: { dataDir: string; maxCachedWorkflows?: string; metrics?: string },
): Promise<void> {
  const log = await workerLogging(cli, opts.metrics);
  const [{ mailConfigFromEnv }, { connectClient, connectWorker }, create, { requireSearchAttributes }] =
    await Promise.all([
      import('../../activities/mail'),
      import('../connection'),
      import('../../worker/create'),
      import('../../worker/setup'),
    ]);
  const maxCachedWorkflows = workerCacheSize(opts.maxCachedWorkflows, create.maxCachedWorkflowsFrom);
  const mail = mailConfigFromEnv(process.env);
  const { client, connection: clientConnection, namespace } = await connectClient(cli.options);
  // Cycles cannot start without kczg's search attributes: say so now, not at the first cycle.
  await requireSearchAttributes(clientConnection, namespace);
  const { connection } = await connectWorker(cli.options);
  const worker = await create.createKczgWorker({
    connection,
    client,
    namespace,
    dataDir: path.resolve(opts.dataDir),
    mail,
    maxCachedWorkflows,
  });
  log.info({ namespace, dataDir: path.resolve(opts.dataDir), maxCachedWorkflows }, 'worker polling');
  cli.note(
    `kczg worker 运行中 / running on namespace ${namespace} (task queues ${worker.entities.options.taskQueue}, ${worker.cycles.options.taskQueue}); Ctrl-C 停止 / to stop`,
  );
  await worker.run();
}

function registerWorker(program: Command, cli: Cli): void {
  program
    .command('worker')
    .description('运行工作进程（可多开以扩展）/ run a worker; start more to scale out')
    .option('--data-dir <dir>', '名录与发布目录 / registry and publication folder', '.kczg')
    .option(
      '--max-cached-workflows <n>',
      '内存中保留的工作流数（每个约 0.5 MiB）/ workflows kept in memory, about 0.5 MiB each (default 2000, or KCZG_MAX_CACHED_WORKFLOWS)',
    )
    .option(...METRICS_OPTION)
    .addHelpText(
      'after',
      '\n需要 / needs KCZG_SMTP_URL, KCZG_MAIL_FROM; 命名空间须先运行 / the namespace needs `kczg setup` once' +
        examples(
          'KCZG_SMTP_URL=smtp://127.0.0.1:2525 KCZG_MAIL_FROM=noreply@example.org kczg worker',
          'kczg worker --metrics 0.0.0.0:9464   # Prometheus scrapes http://<host>:9464/metrics',
        ),
    )
    .action((opts: { dataDir: string; maxCachedWorkflows?: string; metrics?: string }) =>
      runWorker(cli, opts),
    );
}

/**
 * The dev server persists, so its payload key must too: kept in the data folder, and shown so
 * that other terminals (kczg cycle start …) encrypt and decrypt with the same key.
 */
async function devCodecKeys(cli: Cli, dataDir: string): Promise<void> {
  if (process.env.KCZG_CODEC_KEYS) return;
  const { randomBytes } = await import('node:crypto');
  const keyFile = path.join(dataDir, 'codec-keys');
  if (!fs.existsSync(keyFile)) {
    fs.writeFileSync(keyFile, `dev:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  }
  process.env.KCZG_CODEC_KEYS = fs.readFileSync(keyFile, 'utf8').trim();
  cli.note(`其他终端请先执行 / in other terminals first run:\n  export KCZG_CODEC_KEYS=$(cat ${keyFile})`);
}

async function runDev(
  cli: Cli,
  opts: { dataDir: string; port: string; uiPort: string; portalPort: string; metrics?: string },
): Promise<void> {
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  await devCodecKeys(cli, dataDir);
  const log = await workerLogging(cli, opts.metrics);
  const { startStack } = await import('../../servers/stack');
  const stack = await startStack({
    mode: 'dev',
    dataDir,
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    port: Number(opts.port),
    uiPort: Number(opts.uiPort),
    log: (line) => cli.note(line),
  });
  const { startDevPortal } = await import('./serve');
  const portal = await startDevPortal({ stack, port: Number(opts.portalPort), log });
  cli.note(
    `kczg dev 已启动 / running: Temporal localhost:${opts.port}, Web UI http://localhost:${opts.uiPort}, SMTP ${stack.smtp.url}, outbox ${stack.outboxDir}\n${portal.note}\nCtrl-C 停止 / to stop`,
  );
  const stop = untilStopped();
  try {
    await stack.withWorker(() => stop);
  } finally {
    await portal.close?.();
    await stack.shutdown();
  }
}

function registerDev(program: Command, cli: Cli): void {
  program
    .command('dev')
    .description(
      '本地开发服务器（含 Web UI）、工作进程与本地邮箱 / embedded dev server with Web UI, worker and SMTP outbox',
    )
    .option('--data-dir <dir>', '数据目录 / data folder', '.kczg')
    .option('--port <port>', 'Temporal 端口 / port', '7233')
    .option('--ui-port <port>', 'Web UI 端口 / port', '8233')
    .option('--portal-port <port>', '门户端口 / portal port', '8080')
    .option(...METRICS_OPTION)
    .addHelpText(
      'after',
      examples(
        'kczg dev   # then, in another terminal: kczg cycle start national-2023',
        'kczg dev --metrics 127.0.0.1:9464   # the worker’s metrics at http://127.0.0.1:9464/metrics',
      ),
    )
    .action((opts: { dataDir: string; port: string; uiPort: string; portalPort: string; metrics?: string }) =>
      runDev(cli, opts),
    );
}

export function registerRunCommands(program: Command, cli: Cli): void {
  registerPlan(program, cli);
  registerRehearse(program, cli);
  registerWorker(program, cli);
  registerDev(program, cli);
}

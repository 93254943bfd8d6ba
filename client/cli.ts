#!/usr/bin/env node
/**
 * `kczg`: the secretariat's, units' and review bodies' command line. A thin layer over
 * KczgClient: parse words, send messages, print (or `--json`: exactly one JSON document).
 * Exit codes: 0 success, 2 input rejected (with the stable code), 1 anything else.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { beijingToEpochMs, formatDeadline } from '../domain/calendar';
import type { Candidate } from '../domain/programme';
import type { Rejection } from '../domain/rejections';
import { listOutbox } from '../mail/outbox';
import { loadProgramme, ProgrammeFileError } from '../programmes/loader';
import { startStack } from '../servers/stack';
import { createKczgWorker } from '../worker/create';
import { mailConfigFromEnv } from '../activities/mail';
import { cycleWorkflowId } from '../workflows/ids';
import type { ExtendRequest } from '../workflows/messages';
import { KczgClient, RejectionError } from './api';
import { auditToCsv } from './audit';
import { connectClient, connectWorker, type ConnectionChoice } from './connection';
import { buildPlan, renderPlanIcs, renderPlanText } from './plan';
import { rehearse, renderTimeline } from './rehearsal';

class InputError extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
  }
}

interface GlobalOptions extends ConnectionChoice {
  json?: boolean;
}

const program = new Command()
  .name('kczg')
  .description('“科创中国”榜单遴选周期服务 / runs 科创中国 ranking-list cycles on Temporal')
  .option('--json', '只输出一个 JSON 文档 / print exactly one JSON document')
  .option('--address <host:port>', 'Temporal 地址 / Temporal address (default: TEMPORAL_ADDRESS or profile)')
  .option('--namespace <ns>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or profile)')
  .option('--profile <name>', 'envconfig 配置 / temporal.toml profile')
  .showHelpAfterError();

const globals = (): GlobalOptions => program.opts<GlobalOptions>();

function print(human: string, data: unknown): void {
  if (globals().json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else process.stdout.write(`${human}\n`);
}

async function withApi<T>(fn: (api: KczgClient) => Promise<T>): Promise<T> {
  const { client, connection } = await connectClient(globals());
  try {
    return await fn(new KczgClient(client));
  } finally {
    await connection.close();
  }
}

function parseBeijing(value: string, field: string): number {
  try {
    return beijingToEpochMs(value);
  } catch (error) {
    throw new InputError({
      code: 'INVALID',
      field,
      rule: 'date',
      message: (error as Error).message,
      fix: '例如 / e.g. "2023-12-05 24:00"（北京时间 Beijing time）',
    });
  }
}

function readJsonFile(file: string, field: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError({
      code: 'INVALID',
      field,
      rule: 'json',
      message: `无法读取 ${file} / cannot read ${file}: ${(error as Error).message}`,
      fix: '提供 JSON 文件 / pass a JSON file',
    });
  }
}

const cycleIdOf = (programme: string) =>
  programme.startsWith('kczg:') ? programme : cycleWorkflowId(programme);

program
  .command('plan <programme>')
  .description('整个年度的时间表与提醒计划 / the programme-year timeline and every planned reminder')
  .option('--ics <file>', '另存为日历文件 / also write an .ics calendar')
  .addHelpText('after', '\n示例 / example:\n  kczg plan national-2023 --ics plan.ics')
  .action((id: string, opts: { ics?: string }) => {
    const plan = buildPlan(loadProgramme(id));
    if (opts.ics) fs.writeFileSync(opts.ics, renderPlanIcs(plan, Date.now()));
    print(renderPlanText(plan), plan);
  });

program
  .command('rehearse [programme]')
  .description('在时间跳跃服务器上演练整个年度 / rehearse a whole year on the time-skipping server')
  .option('--nominations <n>', '合成推荐数量 / synthetic nominations', '200')
  .option('--out <dir>', '输出目录 / output folder', 'out/rehearsal')
  .addHelpText(
    'after',
    '\n示例 / example:\n  kczg rehearse national-2023 --nominations 500 --out out/rehearsal',
  )
  .action(async (id: string | undefined, opts: { nominations: string; out: string }) => {
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const report = await rehearse({
      programme: loadProgramme(id ?? 'national-2023'),
      nominations: Number(opts.nominations),
      outDir: opts.out,
      log,
    });
    print(renderTimeline(report), report);
  });

program
  .command('worker')
  .description('运行工作进程（可多开以扩展）/ run a worker; start more to scale out')
  .option('--data-dir <dir>', '名录与发布目录 / registry and publication folder', '.kczg')
  .addHelpText(
    'after',
    '\n需要 / needs KCZG_SMTP_URL, KCZG_MAIL_FROM\n示例 / example:\n  KCZG_SMTP_URL=smtp://127.0.0.1:2525 KCZG_MAIL_FROM=noreply@example.org kczg worker',
  )
  .action(async (opts: { dataDir: string }) => {
    const mail = mailConfigFromEnv(process.env);
    const { connection, namespace } = await connectWorker(globals());
    const { client } = await connectClient(globals());
    const worker = await createKczgWorker({
      connection,
      client,
      namespace,
      dataDir: path.resolve(opts.dataDir),
      mail: { ...mail, ledgerDir: path.resolve(opts.dataDir, 'mail-ledger') },
    });
    await worker.run();
  });

program
  .command('dev')
  .description(
    '本地开发服务器（含 Web UI）、工作进程与本地邮箱 / embedded dev server with Web UI, worker and SMTP outbox',
  )
  .option('--data-dir <dir>', '数据目录 / data folder', '.kczg')
  .option('--port <port>', 'Temporal 端口 / port', '7233')
  .option('--ui-port <port>', 'Web UI 端口 / port', '8233')
  .addHelpText(
    'after',
    '\n示例 / example:\n  kczg dev   # then, in another terminal: kczg cycle start national-2023',
  )
  .action(async (opts: { dataDir: string; port: string; uiPort: string }) => {
    const dataDir = path.resolve(opts.dataDir);
    fs.mkdirSync(dataDir, { recursive: true });
    const stack = await startStack({
      mode: 'dev',
      dataDir,
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      port: Number(opts.port),
      uiPort: Number(opts.uiPort),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stderr.write(
      `kczg dev 已启动 / running: Temporal localhost:${opts.port}, Web UI http://localhost:${opts.uiPort}, SMTP ${stack.smtp.url}, outbox ${stack.outboxDir}\nCtrl-C 停止 / to stop\n`,
    );
    const stop = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    try {
      await stack.withWorker(() => stop);
    } finally {
      await stack.shutdown();
    }
  });

const cycle = program.command('cycle').description('秘书处：管理周期 / secretariat: steer cycles');

cycle
  .command('start <programme>')
  .description('开启年度周期（重复开启返回同一周期）/ start the programme-year (idempotent)')
  .option('--programme-file <file>', '自定义方案文件 / a programme JSON file instead of a preset')
  .option('--start-at <beijing>', '演练：以此北京时间作为当前时间 / rehearse from this programme time')
  .option('--out <dir>', '发布目录（工作进程侧）/ publication folder (worker side)')
  .addHelpText('after', '\n示例 / example:\n  kczg cycle start national-2023')
  .action(async (id: string, opts: { programmeFile?: string; startAt?: string; out?: string }) => {
    const programme = loadProgramme(opts.programmeFile ?? id);
    const result = await withApi((api) =>
      api.startCycle(programme, {
        ...(opts.startAt ? { startAt: parseBeijing(opts.startAt, 'startAt') } : {}),
        ...(opts.out ? { outDir: path.resolve(opts.out) } : {}),
      }),
    );
    print(`${result.started ? '已开启 / started' : '已在运行 / already running'}: ${result.cycleId}`, result);
  });

cycle
  .command('status <programme>')
  .description('阶段、截止时间、各榜单计数、评审状态 / stage, deadlines, counts, review state')
  .addHelpText('after', '\n示例 / example:\n  kczg cycle status national-2023 --json')
  .action(async (id: string) => {
    const status = await withApi((api) => api.status(cycleIdOf(id)));
    const left = (at: number) =>
      `${formatDeadline(at)}（剩余 ${Math.max(0, Math.round((at - status.now) / 86_400_000))} 天 / days left）`;
    const lines = [
      `${status.cycleId} · 阶段 / stage: ${status.stage}${status.paused ? '（已暂停 / paused）' : ''}`,
      `征集截止 / collection closes: ${left(status.deadlines.collectionClosesAt)}`,
      `初评截止 / preliminary review due: ${left(status.deadlines.preliminaryReviewDueAt)}`,
      `终评截止 / final review due: ${left(status.deadlines.finalReviewDueAt)}`,
      ...status.parts.map(
        (p) =>
          `  ${p.listId}${p.fieldId ? `/${p.fieldId}` : ''}: ${p.nominations} 项 / nominations; ${p.reviewBodies.map((b) => `${b.bodyId} ${b.reportedAt ? '已报送 reported' : '未报送 pending'}`).join(', ')}`,
      ),
      ...(status.escalated.length ? [`已升级 / escalated: ${status.escalated.join(', ')}`] : []),
    ];
    print(lines.join('\n'), status);
  });

cycle
  .command('extend <programme>')
  .description('延期：阶段、单个单位或单个榜单（领域）/ extend a stage, one unit or one list/field')
  .addOption(
    new Option('--stage <stage>', '阶段 / stage').choices([
      'collection',
      'preliminary-review',
      'final-review',
    ]),
  )
  .option('--unit <unit>', '单位编号 / unit id')
  .option('--list <list>', '榜单 / list id')
  .option('--field <field>', '领域 / field id')
  .requiredOption('--until <beijing>', '新截止时间（北京时间）/ new deadline, Beijing time')
  .requiredOption('--reason <text>', '理由 / reason')
  .addHelpText(
    'after',
    '\n示例 / example:\n  kczg cycle extend national-2023 --unit cie --until "2023-12-05 24:00" --reason "材料补正"',
  )
  .action(
    async (
      id: string,
      opts: {
        stage?: ExtendRequest['scope'] extends infer S ? (S extends { stage: infer T } ? T : never) : never;
        unit?: string;
        list?: string;
        field?: string;
        until: string;
        reason: string;
      },
    ) => {
      const scope: ExtendRequest['scope'] = opts.unit
        ? { kind: 'unit', unitId: opts.unit }
        : opts.list
          ? { kind: 'part', listId: opts.list, ...(opts.field ? { fieldId: opts.field } : {}) }
          : { kind: 'stage', stage: opts.stage ?? 'collection' };
      const status = await withApi((api) =>
        api.extend(cycleIdOf(id), { scope, until: parseBeijing(opts.until, 'until'), reason: opts.reason }),
      );
      print(`已延期 / extended until ${formatDeadline(parseBeijing(opts.until, 'until'))}`, status);
    },
  );

for (const [name, zh] of [
  ['pause', '暂停时钟 / pause the clock'],
  ['resume', '恢复时钟（剩余截止时间顺延）/ resume; remaining deadlines shift'],
  ['cancel', '取消周期 / cancel the cycle'],
] as const) {
  cycle
    .command(`${name} <programme>`)
    .description(zh)
    .requiredOption('--reason <text>', '理由 / reason')
    .addHelpText('after', `\n示例 / example:\n  kczg cycle ${name} national-2023 --reason "系统维护"`)
    .action(async (id: string, opts: { reason: string }) => {
      const status = await withApi((api) => api[name](cycleIdOf(id), opts.reason));
      print(`${name}: ${status.stage}${status.paused ? ' (paused)' : ''}`, status);
    });
}

cycle
  .command('audit <programme>')
  .description('审计日志 / audit log')
  .option('--csv <file>', '另存为 CSV / also write CSV')
  .addHelpText('after', '\n示例 / example:\n  kczg cycle audit national-2023 --csv audit.csv')
  .action(async (id: string, opts: { csv?: string }) => {
    const audit = await withApi((api) => api.audit(cycleIdOf(id)));
    if (opts.csv) fs.writeFileSync(opts.csv, auditToCsv(audit));
    print(
      audit
        .map((e) => `${formatDeadline(e.at)}  ${e.actor}  ${e.action}  ${e.outcome}  ${e.detail}`)
        .join('\n'),
      audit,
    );
  });

program
  .command('nominate <programme>')
  .description('推荐单位：提交推荐 / unit: submit a nomination')
  .requiredOption('--unit <unit>', '单位编号 / unit id')
  .requiredOption('--list <list>', '榜单 / list id')
  .option('--field <field>', '领域 / field id')
  .requiredOption('--candidate <file>', '候选信息 JSON / candidate JSON file')
  .requiredOption('--key <key>', '幂等键（重试时复用）/ idempotency key, reuse it on retry')
  .addHelpText(
    'after',
    '\n示例 / example:\n  kczg nominate national-2023 --unit cie --list pioneer-tech --field electronics --candidate c.json --key cie-001',
  )
  .action(
    async (
      id: string,
      opts: { unit: string; list: string; field?: string; candidate: string; key: string },
    ) => {
      const candidate = readJsonFile(opts.candidate, 'candidate') as Candidate;
      const nomination = await withApi((api) =>
        api.nominate(cycleIdOf(id), opts.unit, {
          idempotencyKey: opts.key,
          listId: opts.list,
          ...(opts.field ? { fieldId: opts.field } : {}),
          candidate,
        }),
      );
      print(`已接受 / accepted: ${nomination.id}`, nomination);
    },
  );

program
  .command('withdraw <programme>')
  .description('推荐单位：撤回推荐 / unit: withdraw a nomination')
  .requiredOption('--unit <unit>', '单位编号 / unit id')
  .requiredOption('--nomination <id>', '推荐编号 / nomination id')
  .addHelpText('after', '\n示例 / example:\n  kczg withdraw national-2023 --unit cie --nomination cie.3')
  .action(async (id: string, opts: { unit: string; nomination: string }) => {
    const nomination = await withApi((api) => api.withdraw(cycleIdOf(id), opts.unit, opts.nomination));
    print(`已撤回 / withdrawn: ${nomination.id}`, nomination);
  });

const review = program.command('review').description('评审机构 / review bodies');
review
  .command('complete <programme>')
  .description('报送初评结果 / report preliminary review results')
  .requiredOption('--body <body>', '评审机构编号 / body id')
  .requiredOption('--list <list>', '榜单 / list id')
  .option('--field <field>', '领域 / field id')
  .requiredOption('--results <file>', '结果 JSON：[{nominationId, rank, score, verdict}] / results JSON')
  .addHelpText(
    'after',
    '\n示例 / example:\n  kczg review complete national-2023 --body info-tech-consortium --list pioneer-tech --field electronics --results r.json',
  )
  .action(async (id: string, opts: { body: string; list: string; field?: string; results: string }) => {
    const results = readJsonFile(opts.results, 'results') as never;
    const part = await withApi((api) =>
      api.reportReview(cycleIdOf(id), opts.body, {
        listId: opts.list,
        ...(opts.field ? { fieldId: opts.field } : {}),
        results,
      }),
    );
    print(`已报送 / reported: ${part.listId}${part.fieldId ? `/${part.fieldId}` : ''}`, part);
  });

const final = program.command('final').description('终评 / final review');
final
  .command('complete <programme>')
  .description('报送终评入选名单 / report the final winners')
  .requiredOption(
    '--results <file>',
    '结果 JSON：{winners: [{listId, fieldId?, nominationIds}]} / results JSON',
  )
  .addHelpText('after', '\n示例 / example:\n  kczg final complete national-2023 --results winners.json')
  .action(async (id: string, opts: { results: string }) => {
    const status = await withApi((api) =>
      api.finalComplete(cycleIdOf(id), readJsonFile(opts.results, 'results') as never),
    );
    print(`终评已记录 / final results recorded: ${status.stage}`, status);
  });

const mail = program.command('mail').description('邮件 / mail');
mail
  .command('outbox [dir]')
  .description('列出本地邮箱中的邮件 / list the local outbox')
  .addHelpText('after', '\n示例 / example:\n  kczg mail outbox out/rehearsal/outbox')
  .action(async (dir: string | undefined) => {
    const entries = await listOutbox(path.resolve(dir ?? '.kczg/outbox'));
    print(
      entries.map((e) => `${e.date ?? ''}  ${e.to.join(', ')}  ${e.subject}`).join('\n') || '（空 / empty）',
      entries,
    );
  });

function reportFailure(error: unknown): number {
  const rejection =
    error instanceof RejectionError || error instanceof InputError
      ? error.rejection
      : error instanceof ProgrammeFileError
        ? {
            code: 'INVALID' as const,
            field: error.path,
            rule: 'programme-file',
            message: error.message,
            fix: error.expected,
          }
        : undefined;
  if (rejection) {
    if (globals().json) process.stdout.write(`${JSON.stringify({ error: rejection }, null, 2)}\n`);
    else
      process.stderr.write(
        `拒绝 / rejected [${rejection.code}]${rejection.field ? ` ${rejection.field}` : ''}: ${rejection.message}${rejection.fix ? `\n  → ${rejection.fix}` : ''}\n`,
      );
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (globals().json)
    process.stdout.write(`${JSON.stringify({ error: { code: 'FAILURE', message } }, null, 2)}\n`);
  else process.stderr.write(`失败 / failed: ${message}\n`);
  return 1;
}

program.parseAsync(process.argv).then(
  () => process.exit(0),
  (error: unknown) => process.exit(reportFailure(error)),
);

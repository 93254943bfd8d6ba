#!/usr/bin/env node
/**
 * `kczg`: the secretariat's, units' and review bodies' command line. A thin layer over
 * KczgClient: parse words, send messages, print (or `--json`: exactly one JSON document).
 * Exit codes: 0 success, 2 input rejected (with the stable code), 1 anything else.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Command, Option } from 'commander';
import { beijingToEpochMs, formatBeijing, formatDeadline } from '../domain/calendar';
import type { Candidate, Programme, ReviewBody } from '../domain/programme';
import { quotaKey, quotaUsageReport } from '../domain/quota';
import type { Rejection } from '../domain/rejections';
import { listOutbox } from '../mail/outbox';
import { loadProgramme, ProgrammeFileError } from '../programmes/loader';
import { loadRoster, withRoster } from '../programmes/roster';
import { startStack } from '../servers/stack';
import { createKczgWorker, maxCachedWorkflowsFrom } from '../worker/create';
import { mailConfigFromEnv } from '../activities/mail';
import { renderNotice } from '../activities/notify';
import { cycleWorkflowId } from '../workflows/ids';
import type { AuditEntry, CycleStatus, ExtendRequest, UnitState } from '../workflows/messages';
import { describeUsage, type NoticeTemplate } from '../workflows/notices';
import { KczgClient, RejectionError } from './api';
import { ENCODING_ENCRYPTED } from '../codec/aes-gcm-codec';
import { startCodecServer } from '../codec/codec-server';
import { generateAuthKeyPair, issueCredential } from './credentials';
import { parseParty } from '../domain/credentials';
import { readWinnersFile, WinnersRegistry } from '../activities/registry';
import { auditToCsv } from './audit';
import { connectClient, connectWorker, type ConnectionChoice } from './connection';
import {
  ImportFileError,
  IMPORT_COLUMNS,
  prepareRows,
  readImportTable,
  renderReportCsv,
  reportPath,
  runImport,
  templateHeading,
  writeTemplate,
  type ImportRowResult,
} from './import';
import {
  awaitingOf,
  buildMailPlan,
  NOTICE_TEMPLATES,
  presetView,
  previewRequest,
  programmeNow,
  renderMailPlanText,
  type CycleView,
} from './mail-plan';
import { buildPlan, renderPlanIcs, renderPlanText } from './plan';
import { rehearse, renderTimeline } from './rehearsal';

class InputError extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
  }
}

interface GlobalOptions extends ConnectionChoice {
  json?: boolean;
  credential?: string;
}

const program = new Command()
  .name('kczg')
  .description('“科创中国”榜单遴选周期服务 / runs 科创中国 ranking-list cycles on Temporal')
  .option('--json', '只输出一个 JSON 文档 / print exactly one JSON document')
  .option('--address <host:port>', 'Temporal 地址 / Temporal address (default: TEMPORAL_ADDRESS or profile)')
  .option('--namespace <ns>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or profile)')
  .option('--profile <name>', 'envconfig 配置 / temporal.toml profile')
  .option(
    '--credential <token>',
    '本方凭证（默认 KCZG_CREDENTIAL）/ your party’s credential (default: KCZG_CREDENTIAL)',
  )
  .showHelpAfterError();

const globals = (): GlobalOptions => program.opts<GlobalOptions>();

function print(human: string, data: unknown): void {
  if (globals().json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else process.stdout.write(`${human}\n`);
}

async function withApi<T>(fn: (api: KczgClient) => Promise<T>): Promise<T> {
  const { client, connection } = await connectClient(globals());
  try {
    return await fn(
      new KczgClient(client, { credential: globals().credential ?? process.env.KCZG_CREDENTIAL }),
    );
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

function workerCacheSize(option: string | undefined): number {
  try {
    return maxCachedWorkflowsFrom(option === undefined ? process.env : { KCZG_MAX_CACHED_WORKFLOWS: option });
  } catch (error) {
    throw new InputError({
      code: 'INVALID',
      field: 'maxCachedWorkflows',
      rule: 'integer',
      message: (error as Error).message,
      fix: '例如 / e.g. --max-cached-workflows 400',
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
  .option(
    '--max-cached-workflows <n>',
    '内存中保留的工作流数（每个约 0.5 MiB）/ workflows kept in memory, about 0.5 MiB each (default 400, or KCZG_MAX_CACHED_WORKFLOWS)',
  )
  .addHelpText(
    'after',
    '\n需要 / needs KCZG_SMTP_URL, KCZG_MAIL_FROM\n示例 / example:\n  KCZG_SMTP_URL=smtp://127.0.0.1:2525 KCZG_MAIL_FROM=noreply@example.org kczg worker',
  )
  .action(async (opts: { dataDir: string; maxCachedWorkflows?: string }) => {
    const mail = mailConfigFromEnv(process.env);
    const { connection, namespace } = await connectWorker(globals());
    const { client } = await connectClient(globals());
    const worker = await createKczgWorker({
      connection,
      client,
      namespace,
      dataDir: path.resolve(opts.dataDir),
      mail: { ...mail, ledgerDir: path.resolve(opts.dataDir, 'mail-ledger') },
      maxCachedWorkflows: workerCacheSize(opts.maxCachedWorkflows),
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
    // The dev server persists, so its payload key must too: kept in the data folder, and shown so
    // that other terminals (kczg cycle start …) encrypt and decrypt with the same key.
    if (!process.env.KCZG_CODEC_KEYS) {
      const keyFile = path.join(dataDir, 'codec-keys');
      if (!fs.existsSync(keyFile)) {
        fs.writeFileSync(keyFile, `dev:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
      }
      process.env.KCZG_CODEC_KEYS = fs.readFileSync(keyFile, 'utf8').trim();
      process.stderr.write(
        `其他终端请先执行 / in other terminals first run:\n  export KCZG_CODEC_KEYS=$(cat ${keyFile})\n`,
      );
    }
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

program
  .command('codec-server')
  .description('Web UI 解密端点（授权人员本机运行）/ codec endpoint for the Web UI, for authorised staff')
  .option('--port <port>', '端口 / port', '8888')
  .option('--host <host>', '地址 / host', '127.0.0.1')
  .option('--origin <url...>', '允许的 UI 来源 / allowed UI origins')
  .addHelpText(
    'after',
    '\n需要 / needs KCZG_CODEC_KEYS (KCZG_CODEC_KEY_ID); optional KCZG_CODEC_TOKEN, KCZG_CODEC_CORS_ORIGINS\n示例 / example:\n  kczg codec-server --port 8888   # then: temporal server start-dev --ui-codec-endpoint http://127.0.0.1:8888',
  )
  .action(async (opts: { port: string; host: string; origin?: string[] }) => {
    const server = await startCodecServer({
      port: Number(opts.port),
      host: opts.host,
      ...(opts.origin ? { corsOrigins: opts.origin } : {}),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
  });

const cycle = program.command('cycle').description('秘书处：管理周期 / secretariat: steer cycles');

cycle
  .command('start <programme>')
  .description('开启年度周期（重复开启返回同一周期）/ start the programme-year (idempotent)')
  .option('--programme-file <file>', '自定义方案文件 / a programme JSON file instead of a preset')
  .option('--start-at <beijing>', '演练：以此北京时间作为当前时间 / rehearse from this programme time')
  .option('--out <dir>', '发布目录（工作进程侧）/ publication folder (worker side)')
  .option(
    '--roster <file>',
    '推荐单位名册（CSV 或 XLSX：id,name,channels,email,contact）/ the real roster of units (CSV or XLSX)',
  )
  .addHelpText(
    'after',
    '\n示例 / examples:\n  kczg cycle start national-2023\n  kczg cycle start national-2023 --roster units.xlsx\n  kczg cycle start my-2023 --programme-file my-2023.json --start-at "2023-11-01 09:00"',
  )
  .action(
    async (id: string, opts: { programmeFile?: string; startAt?: string; out?: string; roster?: string }) => {
      const loaded = loadProgramme(opts.programmeFile ?? id);
      const programme = opts.roster ? withRoster(loaded, await loadRoster(opts.roster, loaded)) : loaded;
      const result = await withApi((api) =>
        api.startCycle(programme, {
          ...(opts.startAt ? { startAt: parseBeijing(opts.startAt, 'startAt') } : {}),
          ...(opts.out ? { outDir: path.resolve(opts.out) } : {}),
          ...(process.env.KCZG_AUTH_PUBLIC_KEY ? { authPublicKey: process.env.KCZG_AUTH_PUBLIC_KEY } : {}),
        }),
      );
      print(
        `${result.started ? '已开启 / started' : '已在运行 / already running'}: ${result.cycleId}`,
        result,
      );
    },
  );

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
      ...(status.unverifiedSignals
        ? [
            `未经确认的内部信号（已忽略，见审计 signal-unverified）/ unconfirmed internal signals (ignored; audit signal-unverified): ${status.unverifiedSignals}`,
          ]
        : []),
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

/** A tiny progress line on stderr, only for a terminal (`\r` rewrites it). */
function progressLine(label: string): {
  update(done: number, total: number, extra: string): void;
  end(): void;
} {
  if (!process.stderr.isTTY) return { update: () => undefined, end: () => undefined };
  let shown = false;
  return {
    update(done, total, extra) {
      const width = 24;
      const filled = total === 0 ? width : Math.round((width * done) / total);
      process.stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${extra}\x1b[K`,
      );
      shown = true;
    },
    end() {
      if (shown) process.stderr.write('\n');
    },
  };
}

function rejectionLine(r: ImportRowResult): string {
  return `  第 ${r.row} 行 / row ${r.row} [${r.code}]${r.field ? ` ${r.field}` : ''}: ${r.reason ?? ''}`;
}

program
  .command('import [programme] [file]')
  .description(
    '推荐单位：从 CSV/XLSX 批量推荐，逐行报告，中断后可重跑 / unit: import nominations from CSV or XLSX, re-runnable',
  )
  .option('--unit <unit>', '单位编号 / unit id')
  .option('--list <list>', '文件未填榜单时使用 / list id for rows without one')
  .option('--field <field>', '文件未填领域时使用（属于 --list）/ field id for rows without one (of --list)')
  .option('--template [file]', '写出导入模板（.xlsx 或 .csv）/ write the import template (.xlsx or .csv)')
  .option('--concurrency <n>', '同时提交的请求数（1–10）/ requests in flight (1–10)', '8')
  .addHelpText(
    'after',
    [
      '',
      `列 / columns: ${IMPORT_COLUMNS.join(', ')}`,
      '  中文表头亦可 / Chinese headings work too: 榜单, 领域, 名称, 统一社会信用代码, 成立日期 …',
      '  key 为空时按行内容生成幂等键：同一文件重跑不会重复推荐 / without a key, one is derived from the row: re-running adds no duplicates',
      '报告 / report: <file>.report.csv（UTF-8 BOM）；文件本身无效时退出码 2 / exit 2 when the file itself is invalid',
      '',
      '示例 / examples:',
      '  kczg import national-2023 --template nominations.xlsx',
      '  kczg import national-2023 --unit cie nominations.xlsx',
      '  kczg import national-2023 --unit cie --list pioneer-tech --field electronics rows.csv --json',
    ].join('\n'),
  )
  .action(
    async (
      id: string | undefined,
      file: string | undefined,
      opts: { unit?: string; list?: string; field?: string; template?: string | true; concurrency: string },
    ) => {
      if (opts.template !== undefined) {
        const out = path.resolve(opts.template === true ? 'nominations-template.xlsx' : opts.template);
        const programme = id ? await programmeOf(id) : undefined;
        await writeTemplate(out, programme);
        print(`已写出模板 / template written: ${out}`, {
          template: out,
          columns: IMPORT_COLUMNS.map((c) => ({ column: c, heading: templateHeading(c) })),
        });
        return;
      }
      const missing = (field: string, message: string, fix: string) =>
        new InputError({ code: 'INVALID', field, rule: 'required', message, fix });
      if (!id)
        throw missing(
          'programme',
          '缺少方案 / no programme given',
          'kczg import national-2023 --unit cie FILE',
        );
      if (!file)
        throw missing('file', '缺少导入文件 / no file given', 'kczg import national-2023 --unit cie FILE');
      if (!opts.unit) throw missing('unit', '缺少单位编号 / --unit is required', '--unit cie');
      const concurrency = Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10) {
        throw new InputError({
          code: 'INVALID',
          field: 'concurrency',
          rule: 'range',
          message: `--concurrency 须为 1–10 的整数 / must be an integer from 1 to 10, got "${opts.concurrency}"`,
          fix: '--concurrency 8',
        });
      }
      const unitId = opts.unit;
      const cycleId = cycleIdOf(id);
      const programmeId = cycleId.replace(/^kczg:/, '');
      // The file is read and checked before any connection: an invalid file changes nothing.
      const table = await readImportTable(file, { listId: opts.list });
      const prepared = prepareRows(table, {
        programmeId,
        unitId,
        defaults: { listId: opts.list, fieldId: opts.field },
      });

      let stop = false;
      const onSignal = () => {
        if (stop) process.exit(130);
        stop = true;
        process.stderr.write('\n正在停止（等待已发出的请求）/ stopping after the requests in flight…\n');
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const progress = progressLine('导入 / importing');
      const run = await withApi(async (api) => {
        let state: UnitState;
        try {
          state = await api.unitState(cycleId, unitId);
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          throw new RejectionError({
            code: 'UNKNOWN_UNIT',
            field: 'unit',
            rule: 'roster',
            message: `周期 ${cycleId} 的名册中没有单位 ${unitId}（或周期未开启）/ unit ${unitId} is not on the roster of ${cycleId}, or the cycle has not started`,
            fix: '核对单位编号与方案，或请秘书处开启周期 / check the unit and programme ids, or ask the secretariat to start the cycle',
          });
        }
        return runImport(prepared, {
          nominate: (request) => api.nominate(cycleId, unitId, request),
          concurrency,
          room: state.usage.map((u) => ({
            listId: u.listId,
            ...(u.fieldId ? { fieldId: u.fieldId } : {}),
            remaining: u.remaining,
          })),
          existingKeys: new Set(state.nominations.map((n) => n.idempotencyKey)),
          shouldStop: () => stop,
          onProgress: (p) => progress.update(p.done, p.total, `已接受 ${p.accepted} / 已拒绝 ${p.rejected}`),
        });
      }).finally(() => {
        progress.end();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      });

      const report = path.resolve(reportPath(file));
      fs.writeFileSync(report, renderReportCsv(run.rows));
      if (run.failure !== undefined || run.interrupted) {
        process.stderr.write(
          `已写出部分报告 / partial report written: ${report}（${run.pending} 行未处理 / rows not sent；重新运行同一命令即可继续 / run the same command again to continue）\n`,
        );
        throw run.failure ?? new Error('导入已中断 / import interrupted');
      }
      const rejectedRows = run.rows.filter((r) => r.status === 'rejected');
      print(
        [
          `导入完成 / import done: ${run.accepted} 已接受 accepted, ${run.rejected} 已拒绝 rejected（共 ${run.rows.length} 行 / rows）`,
          `报告 / report: ${report}`,
          ...(table.ignored.length ? [`已忽略的列 / ignored columns: ${table.ignored.join(', ')}`] : []),
          ...(rejectedRows.length ? ['拒绝 / rejected:', ...rejectedRows.map(rejectionLine)] : []),
        ].join('\n'),
        {
          programme: programmeId,
          cycleId,
          unitId,
          file: path.resolve(file),
          report,
          total: run.rows.length,
          accepted: run.accepted,
          rejected: run.rejected,
          ignoredColumns: table.ignored,
          rows: run.rows,
        },
      );
    },
  );

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

const auth = program.command('auth').description('秘书处：签发凭证 / secretariat: credentials');
auth
  .command('keygen')
  .description('生成签名密钥对 / generate the Ed25519 key pair')
  .addHelpText(
    'after',
    '\n示例 / example:\n  kczg auth keygen --json > keys.json   # publicKey → KCZG_AUTH_PUBLIC_KEY, privateKey → KCZG_AUTH_PRIVATE_KEY',
  )
  .action(() => {
    const pair = generateAuthKeyPair();
    print(`KCZG_AUTH_PUBLIC_KEY=${pair.publicKey}\nKCZG_AUTH_PRIVATE_KEY=${pair.privateKey}`, pair);
  });
auth
  .command('issue <programme>')
  .description('为一方签发凭证 / issue a credential for one party')
  .requiredOption('--party <party>', 'unit:<id> | body:<id> | final | secretariat')
  .option('--days <n>', '有效天数 / valid for days', '30')
  .addHelpText(
    'after',
    '\n示例 / example:\n  KCZG_AUTH_PRIVATE_KEY=… kczg auth issue national-2023 --party unit:cie --days 60',
  )
  .action((id: string, opts: { party: string; days: string }) => {
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
    const credential = issueCredential({
      privateKey,
      cycle: cycleIdOf(id),
      party,
      validForMs: days * 86_400_000,
    });
    print(credential, { credential, party: opts.party, cycle: cycleIdOf(id), days });
  });

const registry = program.command('registry').description('往年获奖名录 / earlier winners');
registry
  .command('import <file>')
  .description('导入往年榜单（CSV 或 JSON）/ import an earlier year’s winners (CSV or JSON)')
  .option('--data-dir <dir>', '工作进程的数据目录 / the worker’s data folder', '.kczg')
  .addHelpText('after', '\n示例 / example:\n  kczg registry import winners-2021.csv --data-dir .kczg')
  .action(async (file: string, opts: { dataDir: string }) => {
    const entries = await readWinnersFile(file);
    const added = await new WinnersRegistry(path.resolve(opts.dataDir, 'registry', 'winners.json')).record(
      entries,
    );
    print(`已导入 ${added} 条（共 ${entries.length} 条）/ imported ${added} of ${entries.length}`, {
      added,
      total: entries.length,
    });
  });

const mail = program.command('mail').description('邮件 / mail');
for (const [name, held] of [
  ['hold', true],
  ['release', false],
] as const) {
  mail
    .command(`${name} <programme> <reminderId>`)
    .description(
      held ? '暂缓一封计划邮件 / hold one planned mailing' : '放行已暂缓的邮件 / release a held mailing',
    )
    .addHelpText('after', `\n示例 / example:\n  kczg mail ${name} national-2023 collection:T-7`)
    .action(async (id: string, reminderId: string) => {
      const status = await withApi((api) => api.mailHold(cycleIdOf(id), reminderId, held));
      print(
        `${held ? '已暂缓 / held' : '已放行 / released'}: ${reminderId}（暂缓中 / held: ${status.heldMailings.join(', ') || '-'}）`,
        status,
      );
    });
}
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

/** A cycle that is not there is a plain failure, with what to do about it. */
function noCycle(error: unknown, cycleId: string): never {
  if (error instanceof WorkflowNotFoundError) {
    throw new Error(
      `没有周期 ${cycleId}：请先 kczg cycle start，或用 kczg plan 查看方案的计划 / no cycle ${cycleId}: start it first, or see kczg plan for the programme's plan`,
    );
  }
  throw error;
}

mail
  .command('plan <programme>')
  .description(
    '运行中周期的待发邮件：时间（北京时间）、对象、模板 / every message the running cycle will still send: when, to whom, template',
  )
  .addHelpText(
    'after',
    '\n按周期当前的截止时间（含延期、暂停）计算 / follows the cycle’s current deadlines (extensions, pauses)\n示例 / example:\n  kczg mail plan national-2023 --json',
  )
  .action(async (id: string) => {
    const cycleId = cycleIdOf(id);
    const plan = await withApi(async (api) => {
      const [status, setup] = await Promise.all([api.status(cycleId), api.reader.setup(cycleId)]).catch(
        (error: unknown) => noCycle(error, cycleId),
      );
      return buildMailPlan({ programme: setup.programme, status, now: programmeNow(status, Date.now()) });
    });
    print(renderMailPlanText(plan), plan);
  });

interface LiveCycle {
  programme: Programme;
  status: CycleStatus;
  unitState: (unitId: string) => Promise<UnitState | undefined>;
  unitStates: () => Promise<UnitState[]>;
  audit: () => Promise<AuditEntry[]>;
}

/**
 * The running cycle, for templates and previews with real data; undefined when there is none, or
 * no server answers within three seconds (the caller then uses the preset).
 */
async function liveCycle(cycleId: string): Promise<LiveCycle | undefined> {
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 3_000));
  const attempt = (async (): Promise<LiveCycle | undefined> => {
    const { client } = await connectClient(globals());
    const api = new KczgClient(client);
    try {
      const [status, setup] = await Promise.all([api.status(cycleId), api.reader.setup(cycleId)]);
      return {
        programme: setup.programme,
        status,
        unitState: (unitId) => api.unitState(cycleId, unitId).catch(() => undefined),
        unitStates: () => api.reader.unitStates(cycleId),
        audit: () => api.audit(cycleId),
      };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  })().catch(() => undefined);
  return Promise.race([attempt, timeout]);
}

/** A preset or programme file; else the programme of the running cycle by that id. */
async function programmeOf(id: string): Promise<Programme> {
  try {
    return loadProgramme(id.replace(/^kczg:/, ''));
  } catch (error) {
    if (!(error instanceof ProgrammeFileError)) throw error;
    const live = await liveCycle(cycleIdOf(id));
    if (live) return live.programme;
    throw error;
  }
}

mail
  .command('preview <template>')
  .description('用真实数据渲染邮件模板 / render a mail template with real data')
  .option(
    '--programme <programme>',
    '方案（预置或运行中的周期）/ programme: a preset, or a running cycle',
    'national-2023',
  )
  .option('--unit <unit>', '单位编号（默认名册第一家）/ unit id (default: the roster’s first)')
  .option('--body <body>', '评审机构编号，或 final（终评）/ review body id, or final')
  .option('--html <file>', '另存 HTML 正文 / also write the HTML body')
  .addHelpText(
    'after',
    `\n模板 / templates: ${NOTICE_TEMPLATES.join(', ')}\n有运行中的周期时用其真实数据（名额使用、截止时间）/ uses the running cycle's real data when there is one\n示例 / examples:\n  kczg mail preview unitReminder --programme national-2023 --unit cie\n  kczg mail preview bodyReminder --body final --html final.html`,
  )
  .action(
    async (template: string, opts: { programme: string; unit?: string; body?: string; html?: string }) => {
      if (!(NOTICE_TEMPLATES as readonly string[]).includes(template)) {
        throw new InputError({
          code: 'INVALID',
          field: 'template',
          rule: 'enum',
          message: `没有模板 "${template}" / no template "${template}"`,
          fix: `可选模板 / templates: ${NOTICE_TEMPLATES.join(', ')}`,
        });
      }
      const name = template as NoticeTemplate;
      const cycleId = cycleIdOf(opts.programme);
      const live = await liveCycle(cycleId);
      const programme = live?.programme ?? loadProgramme(opts.programme.replace(/^kczg:/, ''));
      const view: CycleView = live?.status ?? presetView(programme, cycleId);
      const now = live ? programmeNow(live.status, Date.now()) : view.deadlines.collectionOpensAt - 60_000;

      const units = programme.roster.units;
      const unit = opts.unit ? units.find((u) => u.id === opts.unit) : units[0];
      if (!unit) {
        throw new RejectionError({
          code: 'UNKNOWN_UNIT',
          field: 'unit',
          rule: 'roster',
          message: `${programme.id} 的名册中没有单位 ${opts.unit ?? ''} / no such unit on the roster of ${programme.id}`,
          fix: `可选单位 / units: ${units.map((u) => u.id).join(', ')}`,
        });
      }
      const bodies = programme.reviewBodies;
      const defaultBody =
        bodies.find((b) => view.parts.some((p) => p.reviewBodies.some((r) => r.bodyId === b.id))) ??
        bodies[0];
      const body: ReviewBody | undefined =
        opts.body === 'final'
          ? programme.finalReviewBody
          : opts.body
            ? bodies.find((b) => b.id === opts.body)
            : defaultBody;
      if (!body) {
        throw new InputError({
          code: 'INVALID',
          field: 'body',
          rule: 'enum',
          message: `没有评审机构 "${opts.body}" / no review body "${opts.body}"`,
          fix: `可选 / choose from: ${[...bodies.map((b) => b.id), 'final'].join(', ')}`,
        });
      }
      const isFinal = body.id === programme.finalReviewBody.id && opts.body === 'final';

      // When and about which deadline: the next time the cycle sends it to this party, if it will.
      const d = view.deadlines;
      const unitClosesAt = Math.max(d.collectionClosesAt, view.unitExtensions[unit.id] ?? 0);
      const partsDueAt = Math.max(d.preliminaryReviewDueAt, ...view.parts.map((p) => p.dueAt));
      const plan = buildMailPlan({ programme, status: view, now });
      const ownDeadline = (view.unitExtensions[unit.id] ?? 0) > d.collectionClosesAt;
      const planned = plan.messages.find(
        (m) =>
          m.template === name &&
          (m.recipient.role === 'unit'
            ? ownDeadline
              ? m.recipient.unitId === unit.id
              : m.recipient.unitId === undefined
            : m.recipient.role === 'reviewBody'
              ? !isFinal && m.recipient.bodyId === body.id
              : m.recipient.role === 'finalReviewBody'
                ? isFinal
                : true),
      );
      const fallbackDeadline: Record<NoticeTemplate, number | undefined> = {
        collectionOpened: unitClosesAt,
        unitReminder: unitClosesAt,
        collectionClosed: unitClosesAt,
        bodyReminder: isFinal ? d.finalReviewDueAt : partsDueAt,
        bodyOverdue: isFinal ? d.finalReviewDueAt : partsDueAt,
        secretariatDigest: view.stage === 'preliminary-review' ? partsDueAt : unitClosesAt,
        escalation: partsDueAt,
        mailFailures: now,
        resultsPublished: undefined,
      };
      const issuedAt = planned?.at ?? now;
      const deadline =
        name === 'resultsPublished' ? undefined : (planned?.deadlineAt ?? fallbackDeadline[name]);

      const usageRows =
        (live && (await live.unitState(unit.id))?.usage) ?? quotaUsageReport(programme, unit, {});
      const whoIsMissing = async (): Promise<string[]> => {
        if (name === 'mailFailures') {
          const failed = live ? (await live.audit()).filter((e) => e.action === 'mail-failed') : [];
          return failed.length > 0
            ? failed.map((e) => e.detail)
            : [`${cycleId}/unit/${unit.id}/collection:T-7: 550 5.1.1 mailbox unavailable（示例 / sample）`];
        }
        if (name !== 'secretariatDigest' && name !== 'escalation') return [];
        if (view.stage === 'preliminary-review' || (name === 'escalation' && live !== undefined)) {
          return view.parts.flatMap((p) =>
            p.reviewBodies
              .filter((b) => b.reportedAt === undefined)
              .map((b) => `${b.bodyId} (${quotaKey(p.listId, p.fieldId)})`),
          );
        }
        if (!live) return units.map((u) => `${u.name} (0)`);
        return (await live.unitStates())
          .filter((s) => !s.complete && s.usage.some((row) => row.remaining > 0))
          .map((s) => `${s.unitName} (${s.nominations.length})`);
      };
      const missing = await whoIsMissing();

      const request = previewRequest({
        cycleId,
        programme,
        template: name,
        issuedAt,
        ...(deadline === undefined ? {} : { deadline }),
        unit,
        body,
        usage: describeUsage(programme, usageRows),
        awaiting: awaitingOf(programme, view, isFinal ? 'final' : body.id),
        missing,
      });
      const rendered = renderNotice(request);
      const html = opts.html ? path.resolve(opts.html) : undefined;
      if (html) fs.writeFileSync(html, rendered.html);
      const to = request.to.map((t) => `${t.name} <${t.email}>`).join(', ');
      print(
        [
          `数据来源 / data: ${live ? `运行中的周期 / running cycle ${cycleId}` : `预置方案 / preset ${programme.id}`}`,
          `发送时间 / sent at: ${formatBeijing(issuedAt)}（北京时间 / Beijing time）`,
          `收件人 / to: ${to}`,
          `主题 / subject: ${rendered.subject}`,
          '',
          rendered.text,
          ...(html ? [`HTML: ${html}`] : []),
        ].join('\n'),
        {
          template: name,
          source: live ? 'cycle' : 'preset',
          cycleId,
          programmeId: programme.id,
          issuedAt,
          issued: formatBeijing(issuedAt),
          ...(deadline === undefined ? {} : { deadlineAt: deadline }),
          to: request.to,
          subject: rendered.subject,
          text: rendered.text,
          ...(html ? { html } : {}),
          calendar: rendered.ics !== undefined,
        },
      );
    },
  );

/**
 * A failure's message, with what to do where the SDK's own says nothing useful: a client without
 * KCZG_CODEC_KEYS reading an encrypted cycle only gets "Unknown encoding: binary/encrypted".
 */
function describeFailure(message: string): string {
  if (message.includes(`Unknown encoding: ${ENCODING_ENCRYPTED}`)) {
    return (
      '载荷已加密，本终端未设置密钥：请设置 KCZG_CODEC_KEYS（kczg dev 的密钥在其数据目录的 codec-keys 文件中）/ ' +
      'the payloads are encrypted and KCZG_CODEC_KEYS is not set here: set it to the keys of the workers ' +
      '(for kczg dev: export KCZG_CODEC_KEYS=$(cat <data-dir>/codec-keys))'
    );
  }
  return message;
}

function reportFailure(error: unknown): number {
  const rejection =
    error instanceof RejectionError || error instanceof InputError || error instanceof ImportFileError
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
  const message = describeFailure(error instanceof Error ? error.message : String(error));
  if (globals().json)
    process.stdout.write(`${JSON.stringify({ error: { code: 'FAILURE', message } }, null, 2)}\n`);
  else process.stderr.write(`失败 / failed: ${message}\n`);
  return 1;
}

program.parseAsync(process.argv).then(
  () => process.exit(0),
  (error: unknown) => process.exit(reportFailure(error)),
);

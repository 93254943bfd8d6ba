/** `kczg cycle …`: the secretariat starts, reads and steers a programme-year's cycle. */
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { ExtendRequest, ExtensionScope, FanOutProgress } from '../../workflows/messages';
import type { KczgClient } from '../api';
import { printAudit } from './audit';
import { cycleIdOf, examples, parseInstant, type Cli } from './context';

interface StartOptions {
  programmeFile?: string;
  startAt?: string;
  out?: string;
  roster?: string;
}

/**
 * Starts the cycle; a server that refuses because the namespace lacks kczg's search attributes
 * gets the same SETUP_REQUIRED error as `kczg worker` (naming `kczg setup`).
 */
async function startCycle(api: KczgClient, ...args: Parameters<KczgClient['startCycle']>) {
  try {
    return await api.startCycle(...args);
  } catch (error) {
    const { missingSearchAttributes, SetupRequiredError } = await import('../../worker/setup');
    const namespace = api.client.options.namespace;
    const missing = await missingSearchAttributes(api.client.connection, namespace).catch(() => undefined);
    if (missing && missing.length > 0) throw new SetupRequiredError(namespace, missing);
    throw error;
  }
}

function registerStart(cycle: Command, cli: Cli): void {
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
      examples(
        'kczg cycle start national-2023',
        'kczg cycle start national-2023 --roster units.xlsx',
        'kczg cycle start my-2023 --programme-file my-2023.json --start-at "2023-11-01 09:00"',
      ),
    )
    .action(async (id: string, opts: StartOptions) => {
      const [{ loadProgramme }, { loadRoster, withRoster }] = await Promise.all([
        import('../../programmes/loader'),
        import('../../programmes/roster'),
      ]);
      const loaded = loadProgramme(opts.programmeFile ?? id);
      const programme = opts.roster ? withRoster(loaded, await loadRoster(opts.roster, loaded)) : loaded;
      const startAt = opts.startAt ? await parseInstant(opts.startAt, 'startAt') : undefined;
      const result = await cli.withApi((api) =>
        startCycle(api, programme, {
          ...(startAt !== undefined ? { startAt } : {}),
          ...(opts.out ? { outDir: path.resolve(opts.out) } : {}),
          ...(process.env.KCZG_AUTH_PUBLIC_KEY ? { authPublicKey: process.env.KCZG_AUTH_PUBLIC_KEY } : {}),
        }),
      );
      cli.print(
        `${result.started ? '已开启 / started' : '已在运行 / already running'}: ${result.cycleId}`,
        result,
      );
    });
}

/** A running hand-over or broadcast: its counts are not final yet. */
function fanOutLine({ step, done, total }: FanOutProgress): string {
  const of = total > 0 ? `${done}/${total}` : '…';
  switch (step) {
    case 'reading-units':
      return `移交评审中：读取单位 ${of} · handing over to review: reading units (${done} of ${total || '?'})`;
    case 'handing-over':
      return `移交评审中 ${of} · handing over ${done} of ${total} nominations`;
    case 'telling':
      return `通知暂缓邮件中 ${of} · telling ${done} of ${total || '?'} units and review bodies about held mail`;
  }
}

function registerStatus(cycle: Command, cli: Cli): void {
  cycle
    .command('status <programme>')
    .description('阶段、截止时间、各榜单计数、评审状态 / stage, deadlines, counts, review state')
    .addHelpText('after', examples('kczg cycle status national-2023 --json'))
    .action(async (id: string) => {
      const status = await cli.withApi((api) => api.status(cycleIdOf(id)));
      const { formatDeadline } = await import('../../domain/calendar');
      const left = (at: number) =>
        `${formatDeadline(at)}（剩余 ${Math.max(0, Math.round((at - status.now) / 86_400_000))} 天 / days left）`;
      const lines = [
        `${status.cycleId} · 阶段 / stage: ${status.stage}${status.paused ? '（已暂停 / paused）' : ''}`,
        ...(status.fanOut ? [fanOutLine(status.fanOut)] : []),
        `征集截止 / collection closes: ${left(status.deadlines.collectionClosesAt)}`,
        `初评截止 / preliminary review due: ${left(status.deadlines.preliminaryReviewDueAt)}`,
        `终评截止 / final review due: ${left(status.deadlines.finalReviewDueAt)}`,
        ...status.parts.map(
          (p) =>
            `  ${p.listId}${p.fieldId ? `/${p.fieldId}` : ''}: 已推荐 ${p.nominations} 项 / ${p.nominations} nominated; ${p.reviewBodies.map((b) => `${b.bodyId} ${b.reportedAt ? '已报送 reported' : '未报送 pending'}`).join(', ')}`,
        ),
        ...(status.escalated.length ? [`已升级 / escalated: ${status.escalated.join(', ')}`] : []),
        ...(status.unverifiedSignals
          ? [
              `未经确认的内部信号（已忽略，见审计 signal-unverified）/ unconfirmed internal signals (ignored; audit signal-unverified): ${status.unverifiedSignals}`,
            ]
          : []),
      ];
      cli.print(lines.join('\n'), status);
    });
}

type Stage = Extract<ExtensionScope, { kind: 'stage' }>['stage'];

interface ExtendOptions {
  stage?: Stage;
  unit?: string;
  list?: string;
  field?: string;
  until: string;
  reason: string;
}

function scopeOf(opts: ExtendOptions): ExtendRequest['scope'] {
  if (opts.unit) return { kind: 'unit', unitId: opts.unit };
  if (opts.list) return { kind: 'part', listId: opts.list, ...(opts.field ? { fieldId: opts.field } : {}) };
  return { kind: 'stage', stage: opts.stage ?? 'collection' };
}

function registerExtend(cycle: Command, cli: Cli): void {
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
    .requiredOption(
      '--until <beijing>',
      '新截止时间（北京时间，或 RFC 3339）/ new deadline, Beijing time or RFC 3339',
    )
    .requiredOption('--reason <text>', '理由 / reason')
    .addHelpText(
      'after',
      examples('kczg cycle extend national-2023 --unit cie --until "2023-12-05 24:00" --reason "材料补正"'),
    )
    .action(async (id: string, opts: ExtendOptions) => {
      const until = await parseInstant(opts.until, 'until');
      const status = await cli.withApi((api) =>
        cli.waitingForWorker(
          'extend',
          api.extend(cycleIdOf(id), { scope: scopeOf(opts), until, reason: opts.reason }),
        ),
      );
      const { formatDeadline } = await import('../../domain/calendar');
      cli.print(`已延期 / extended until ${formatDeadline(until)}`, status);
    });
}

function registerClock(cycle: Command, cli: Cli): void {
  for (const [name, zh] of [
    ['pause', '暂停时钟 / pause the clock'],
    ['resume', '恢复时钟（剩余截止时间顺延）/ resume; remaining deadlines shift'],
    ['cancel', '取消周期 / cancel the cycle'],
  ] as const) {
    cycle
      .command(`${name} <programme>`)
      .description(zh)
      .requiredOption('--reason <text>', '理由 / reason')
      .addHelpText('after', examples(`kczg cycle ${name} national-2023 --reason "系统维护"`))
      .action(async (id: string, opts: { reason: string }) => {
        const status = await cli.withApi((api) =>
          cli.waitingForWorker(name, api[name](cycleIdOf(id), opts.reason)),
        );
        cli.print(`${name}: ${status.stage}${status.paused ? ' (paused)' : ''}`, status);
      });
  }
}

function registerAudit(cycle: Command, cli: Cli): void {
  cycle
    .command('audit <programme>')
    .description('审计日志（同 kczg audit）/ audit log, as kczg audit')
    .option('--project <id>', '只看一个项目 / one project’s entries only')
    .option('--csv <file>', '另存为 CSV / also write CSV')
    .addHelpText('after', examples('kczg cycle audit national-2023 --csv audit.csv'))
    .action((id: string, opts: { project?: string; csv?: string }) => printAudit(cli, id, opts));
}

export function registerCycleCommands(program: Command, cli: Cli): void {
  const cycle = program.command('cycle').description('秘书处：管理周期 / secretariat: steer cycles');
  registerStart(cycle, cli);
  registerStatus(cycle, cli);
  registerExtend(cycle, cli);
  registerClock(cycle, cli);
  registerAudit(cycle, cli);
}

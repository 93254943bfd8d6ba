/**
 * Tracking after publication: `kczg project status|report|verify|waive|accept|export` and the
 * secretariat's steering `extend|pause|resume|hold|release`. The owner (the winning unit) reports
 * progress; the secretariat verifies, reduces targets with a reason, moves dues, pauses and holds
 * mail, and records acceptance; progress across every project exports with Chinese headings.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { formatDeadline } from '../../domain/calendar';
import type { ReportedFigure } from '../../domain/deliverables';
import type { ProjectState } from '../../workflows/project/messages';
import { textTable } from '../text-table';
import { cycleIdOf, examples, InputError, parseInstant, readJsonFile, type Cli } from './context';

const OUTCOME_NOTE = '通过 / passed · 部分通过 / partly passed · 不通过 / failed';
const EXPORT_FORMATS = ['.xlsx', '.csv', '.json'];

function projectText(state: ProjectState): string {
  return [
    `${state.projectId} · ${state.owner.name} · ${state.partName}`,
    ...textTable(
      ['报告 / report', '截止 / due', '状态 / status'],
      state.dues.map((d) => [
        d.id,
        `${formatDeadline(d.at)}${d.originalAt === undefined ? '' : `（原 / was ${formatDeadline(d.originalAt)}）`}`,
        d.status,
      ]),
    ),
    ...(state.pausedAt === undefined
      ? []
      : [`已暂停 / paused since ${formatDeadline(state.pausedAt)}（不发提醒 / no reminders）`]),
    ...(state.holds?.length ? [`暂缓邮件 / held mail: ${state.holds.join(', ')}`] : []),
    ...textTable(
      ['指标 / target', '完成 / reached', '目标 / threshold', '达标 / met'],
      state.outcome.targets.map((t) => [
        t.target,
        String(t.reached),
        `${t.threshold}${t.waived ? '（已抵减 / reduced）' : ''}`,
        t.met ? '是 / yes' : '否 / no',
      ]),
    ),
    `结论 / outcome: ${state.outcome.outcome}${state.acceptedAt === undefined ? '（未验收，按现有数据 / not yet accepted）' : ''}`,
  ].join('\n');
}

function registerReading(project: Command, cli: Cli): void {
  project
    .command('status <programme>')
    .description('立项项目的报告与验收情况 / funded projects: reports and acceptance')
    .option('--project <id>', '项目编号（即立项推荐编号）/ project id (the winning nomination id)')
    .addHelpText(
      'after',
      examples(
        'kczg project status service-teams-2023',
        'kczg project status service-teams-2023 --project cast-hubei.1 --json',
      ),
    )
    .action(async (id: string, opts: { project?: string }) => {
      const cycleId = cycleIdOf(id);
      if (opts.project) {
        const projectId = opts.project;
        const state = await cli.withApi((api) => api.project.state(cycleId, projectId));
        cli.print(projectText(state), state);
        return;
      }
      const states = await cli.withApi((api) => api.project.states(cycleId));
      const rows = states.map((s) => [
        s.projectId,
        s.owner.name,
        s.partName,
        [
          ...s.dues.map(
            (d) => `${d.id}:${d.status}${d.originalAt === undefined ? '' : '（已延期 / extended）'}`,
          ),
          ...(s.pausedAt === undefined ? [] : ['已暂停 / paused']),
          ...(s.holds?.length ? [`暂缓 / held: ${s.holds.join(',')}`] : []),
        ].join(' '),
        s.acceptedAt === undefined ? `（${s.outcome.outcome}）` : s.outcome.outcome,
      ]);
      cli.print(
        [
          ...textTable(
            ['项目 / project', '单位 / unit', '榜单 / list', '报告 / reports', '结论 / outcome'],
            rows,
          ),
          OUTCOME_NOTE,
        ].join('\n'),
        states,
      );
    });
  project
    .command('export <programme>')
    .description('导出全部项目的任务进展 / export progress across every project')
    .requiredOption('--out <file>', '输出文件 .xlsx、.csv 或 .json / output file')
    .addHelpText('after', examples('kczg project export service-teams-2023 --out progress.xlsx'))
    .action(async (id: string, opts: { out: string }) => {
      if (!EXPORT_FORMATS.includes(path.extname(opts.out).toLowerCase())) {
        throw new InputError({
          code: 'INVALID',
          field: 'out',
          rule: 'format',
          message: `不支持的输出格式 / unsupported output format: ${opts.out}`,
          fix: '文件名以 .xlsx、.csv 或 .json 结尾 / end the file name with .xlsx, .csv or .json',
        });
      }
      const [{ loadProgrammeFast }, { progressRows, writeProgress }] = await Promise.all([
        import('./programme-cache'),
        import('../project-export'),
      ]);
      const programme = await loadProgrammeFast(id);
      const states = await cli.withApi((api) => api.project.states(cycleIdOf(id)));
      const rows = progressRows(programme, states);
      await writeProgress(opts.out, `${programme.name.zh} 任务进展`, rows);
      cli.print(
        `已导出 / exported ${states.length} 个项目 / projects, ${rows.length} 行 / rows → ${opts.out}`,
        {
          out: opts.out,
          projects: states.length,
          rows: rows.length,
        },
      );
    });
}

function registerWriting(project: Command, cli: Cli): void {
  project
    .command('report <programme>')
    .description('项目承担单位提交进展报告（累计完成数）/ the owner reports progress (cumulative figures)')
    .requiredOption('--project <id>', '项目编号 / project id')
    .requiredOption('--figures <file>', 'JSON：[{target, value, evidence:[附件引用]}] / figures JSON')
    .addHelpText(
      'after',
      examples('kczg project report service-teams-2023 --project cast-hubei.1 --figures figures.json'),
    )
    .action(async (id: string, opts: { project: string; figures: string }) => {
      const figures = readJsonFile(opts.figures, 'figures') as ReportedFigure[];
      const cycleId = cycleIdOf(id);
      const result = await cli.withApi(async (api) => {
        const { owner } = await api.project.state(cycleId, opts.project);
        return api.project.submitReport(cycleId, opts.project, owner.unitId, figures);
      });
      cli.print(`已提交 / submitted ${result.reportId}（${result.dueId}）`, result);
    });
  project
    .command('verify <programme>')
    .description('秘书处审核报告 / the secretariat verifies a report')
    .requiredOption('--project <id>', '项目编号 / project id')
    .requiredOption('--report <id>', '报告编号，如 r1 / report id')
    .requiredOption('--decision <decision>', 'accept | reject | more')
    .option('--reason <text>', '退回或要求补充的理由 / reason for reject or more')
    .addHelpText(
      'after',
      examples(
        'kczg project verify service-teams-2023 --project cast-hubei.1 --report r1 --decision reject --reason "缺少合同"',
      ),
    )
    .action(
      async (id: string, opts: { project: string; report: string; decision: string; reason?: string }) => {
        const report = await cli.withApi((api) =>
          api.project.verifyReport(cycleIdOf(id), opts.project, {
            reportId: opts.report,
            decision: opts.decision as 'accept' | 'reject' | 'more',
            ...(opts.reason === undefined ? {} : { reason: opts.reason }),
          }),
        );
        cli.print(`${report.id}: ${report.status}`, report);
      },
    );
  project
    .command('waive <programme>')
    .description('秘书处抵减目标值（须说明理由）/ the secretariat reduces a target, with a reason')
    .requiredOption('--project <id>', '项目编号 / project id')
    .requiredOption('--target <id>', '指标编号 / target id')
    .requiredOption('--threshold <n>', '抵减后的目标值 / reduced threshold')
    .requiredOption('--reason <text>', '理由 / reason')
    .addHelpText(
      'after',
      examples(
        'kczg project waive service-teams-2023 --project cast-hubei.1 --target transfers-contracted --threshold 3 --reason "实现重大技术转移转化"',
      ),
    )
    .action(
      async (id: string, opts: { project: string; target: string; threshold: string; reason: string }) => {
        const waivers = await cli.withApi((api) =>
          api.project.recordWaiver(cycleIdOf(id), opts.project, {
            target: opts.target,
            threshold: Number(opts.threshold),
            reason: opts.reason,
          }),
        );
        cli.print(`已抵减 / reduced ${opts.target} → ${opts.threshold}`, waivers);
      },
    );
  project
    .command('accept <programme>')
    .description(
      '秘书处记录验收结论（按规则计算）/ the secretariat records acceptance (computed by the rule)',
    )
    .requiredOption('--project <id>', '项目编号 / project id')
    .addHelpText('after', examples('kczg project accept service-teams-2023 --project cast-hubei.1'))
    .action(async (id: string, opts: { project: string }) => {
      const outcome = await cli.withApi((api) => api.project.recordAcceptance(cycleIdOf(id), opts.project));
      cli.print(`验收结论 / outcome: ${outcome.outcome}`, outcome);
    });
}

function printSteered(cli: Cli, what: string, state: ProjectState): void {
  cli.print(`${what}\n${projectText(state)}`, state);
}

function registerSteering(project: Command, cli: Cli): void {
  project
    .command('extend <programme>')
    .description(
      '秘书处延长报告截止时间（一期或全部，须说明理由）/ the secretariat extends a report due (one or all)',
    )
    .requiredOption('--project <id>', '项目编号 / project id')
    .option(
      '--due <id>',
      '报告期，如 final-1；省略则顺延全部未确认的报告期 / one due; omitted: every due not yet accepted, spacing kept',
    )
    .requiredOption(
      '--until <beijing>',
      '新截止时间（北京时间）/ new deadline, Beijing time, e.g. "2024-12-31 24:00"',
    )
    .requiredOption('--reason <text>', '理由 / reason')
    .addHelpText(
      'after',
      examples(
        'kczg project extend service-teams-2023 --project cast-hubei.1 --due final-1 --until "2024-12-31 24:00" --reason "平台确认延迟"',
      ),
    )
    .action(async (id: string, opts: { project: string; due?: string; until: string; reason: string }) => {
      const until = await parseInstant(opts.until, 'until');
      const state = await cli.withApi((api) =>
        api.project.extend(cycleIdOf(id), opts.project, {
          ...(opts.due === undefined ? {} : { dueId: opts.due }),
          until,
          reason: opts.reason,
        }),
      );
      printSteered(cli, `已延期 / extended until ${formatDeadline(until)}`, state);
    });
  for (const [name, zh] of [
    ['pause', '暂停项目（暂停期间不发提醒，恢复后截止时间顺延）/ pause: no reminders; dues move on resuming'],
    ['resume', '恢复项目 / resume the project'],
  ] as const) {
    project
      .command(`${name} <programme>`)
      .description(zh)
      .requiredOption('--project <id>', '项目编号 / project id')
      .requiredOption('--reason <text>', '理由 / reason')
      .addHelpText(
        'after',
        examples(`kczg project ${name} service-teams-2023 --project cast-hubei.1 --reason "项目调整"`),
      )
      .action(async (id: string, opts: { project: string; reason: string }) => {
        const state = await cli.withApi((api) => api.project[name](cycleIdOf(id), opts.project, opts.reason));
        printSteered(cli, name === 'pause' ? '已暂停 / paused' : '已恢复 / resumed', state);
      });
  }
  for (const [name, held, zh] of [
    ['hold', true, '暂缓项目的提醒邮件 / hold the project’s reminder mail'],
    ['release', false, '放行暂缓的邮件 / release held mail'],
  ] as const) {
    project
      .command(`${name} <programme>`)
      .description(zh)
      .requiredOption('--project <id>', '项目编号 / project id')
      .option(
        '--mail <id>',
        'all（默认）、report:<报告期> 或 report:<报告期>:<提醒> / all (default), a due or one mailing',
        'all',
      )
      .addHelpText(
        'after',
        examples(`kczg project ${name} service-teams-2023 --project cast-hubei.1 --mail report:final-1:T-1`),
      )
      .action(async (id: string, opts: { project: string; mail: string }) => {
        const state = await cli.withApi((api) =>
          api.project.mailHold(cycleIdOf(id), opts.project, opts.mail, held),
        );
        printSteered(cli, `${held ? '已暂缓 / held' : '已放行 / released'} ${opts.mail}`, state);
      });
  }
}

export function registerProjectCommands(program: Command, cli: Cli): void {
  const project = program
    .command('project')
    .description('立项项目的任务跟踪与验收 / tracking funded projects to acceptance');
  registerReading(project, cli);
  registerWriting(project, cli);
  registerSteering(project, cli);
}

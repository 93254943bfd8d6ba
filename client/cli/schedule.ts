/**
 * `kczg schedule open-next|list|trigger|delete`: the Temporal Schedules that open a programme's
 * next year (client/schedule-api.ts). Creating one twice leaves the first.
 */
import type { Command } from 'commander';
import type { KczgClient } from '../api';
import type { NextYearSchedule, ScheduleApi } from '../schedule-api';
import { examples, parseInstant, type Cli } from './context';

async function schedules<T>(cli: Cli, fn: (schedule: ScheduleApi) => Promise<T>): Promise<T> {
  const { ScheduleApi } = await import('../schedule-api');
  return cli.withApi((api: KczgClient) => fn(new ScheduleApi(api.client, api.taskQueue)));
}

async function line(s: NextYearSchedule): Promise<string> {
  const { formatBeijing } = await import('../../domain/calendar');
  return `${s.programmeId} ← ${s.from} · ${formatBeijing(s.at)} (北京时间) · 已执行 / fired ${s.actions} · ${s.scheduleId}`;
}

function registerOpenNext(schedule: Command, cli: Cli): void {
  schedule
    .command('open-next <programme>')
    .description(
      '创建开启下一年度周期的计划（日期顺延一年，截止日遇节假日顺延至工作日）/ schedule the opening of the next year',
    )
    .option('--programme-file <file>', '自定义方案文件 / a programme JSON file instead of a preset')
    .option(
      '--at <beijing>',
      '开启时间（北京时间，默认为下一年度征集开始时）/ when to open (default: when next year’s collection opens)',
    )
    .option(
      '--start-at <beijing>',
      '演练：下一年度周期以此北京时间作为当前时间 / rehearse: next year’s programme time at its start',
    )
    .addHelpText(
      'after',
      examples(
        'kczg schedule open-next national-2023',
        'kczg schedule open-next service-teams-2023 --at "2024-02-20 09:00"',
      ),
    )
    .action(async (id: string, opts: { programmeFile?: string; at?: string; startAt?: string }) => {
      const { loadProgramme } = await import('../../programmes/loader');
      const programme = loadProgramme(opts.programmeFile ?? id);
      const at = opts.at ? await parseInstant(opts.at, 'at') : undefined;
      const startAt = opts.startAt ? await parseInstant(opts.startAt, 'startAt') : undefined;
      const result = await schedules(cli, (s) =>
        s.openNext(programme, {
          ...(at === undefined ? {} : { at }),
          ...(startAt === undefined ? {} : { startAt }),
          ...(process.env.KCZG_AUTH_PUBLIC_KEY ? { authPublicKey: process.env.KCZG_AUTH_PUBLIC_KEY } : {}),
        }),
      );
      const head = result.created ? '已创建 / created' : '已存在，未改动 / exists already, unchanged';
      cli.print(
        [`${head}: ${await line(result)}`, ...(result.notes ?? []).map((n) => `  ${n}`)].join('\n'),
        result,
      );
    });
}

export function registerScheduleCommands(program: Command, cli: Cli): void {
  const schedule = program
    .command('schedule')
    .description('年度周期的自动开启计划 / Schedules that open next years');
  registerOpenNext(schedule, cli);
  schedule
    .command('list')
    .description('列出开启下一年度的计划 / list the next-year Schedules')
    .addHelpText('after', examples('kczg schedule list --json'))
    .action(async () => {
      const all = await schedules(cli, (s) => s.list());
      const lines = await Promise.all(all.map(line));
      cli.print(lines.length ? lines.join('\n') : '（无计划 / no Schedules）', all);
    });
  schedule
    .command('trigger <next-programme>')
    .description('立即开启下一年度（不等计划时间）/ open the next year now')
    .addHelpText('after', examples('kczg schedule trigger national-2024'))
    .action(async (id: string) => {
      const result = await schedules(cli, (s) => s.trigger(id));
      cli.print(`已触发 / triggered: ${await line(result)}`, result);
    });
  schedule
    .command('delete <next-programme>')
    .description('删除计划（已开启的周期不受影响）/ delete the Schedule (an opened cycle stays)')
    .addHelpText('after', examples('kczg schedule delete national-2024'))
    .action(async (id: string) => {
      const result = await schedules(cli, (s) => s.remove(id));
      cli.print(`已删除 / deleted: ${result.scheduleId}`, result);
    });
}

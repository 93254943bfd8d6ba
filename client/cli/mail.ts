/** `kczg mail …`: the running cycle's mail plan, holding and releasing a mailing, the local outbox. */
import path from 'node:path';
import type { Command } from 'commander';
import { rfc3339Beijing } from '../instants';
import { cycleIdOf, examples, type Cli } from './context';
import { registerMailPreview } from './mail-preview';

function registerHold(mail: Command, cli: Cli): void {
  for (const [name, held] of [
    ['hold', true],
    ['release', false],
  ] as const) {
    mail
      .command(`${name} <programme> <reminderId>`)
      .description(
        held ? '暂缓一封计划邮件 / hold one planned mailing' : '放行已暂缓的邮件 / release a held mailing',
      )
      .addHelpText('after', examples(`kczg mail ${name} national-2023 collection:T-7`))
      .action(async (id: string, reminderId: string) => {
        const status = await cli.withApi((api) =>
          cli.waitingForWorker(`mail ${name}`, api.mailHold(cycleIdOf(id), reminderId, held)),
        );
        cli.print(
          `${held ? '已暂缓 / held' : '已放行 / released'}: ${reminderId}（暂缓中 / held: ${status.heldMailings.join(', ') || '-'}）`,
          status,
        );
      });
  }
}

function registerOutbox(mail: Command, cli: Cli): void {
  mail
    .command('outbox [dir]')
    .description('列出本地邮箱中的邮件 / list the local outbox')
    .addHelpText('after', examples('kczg mail outbox out/rehearsal/outbox'))
    .action(async (dir: string | undefined) => {
      const { listOutbox } = await import('../../mail/outbox');
      // The Date header as an RFC 3339 instant in Beijing time, like every instant in --json.
      const entries = (await listOutbox(path.resolve(dir ?? '.kczg/outbox'))).map((e) =>
        e.date ? { ...e, date: rfc3339Beijing(Date.parse(e.date)) } : e,
      );
      cli.print(
        entries.map((e) => `${e.date ?? ''}  ${e.to.join(', ')}  ${e.subject}`).join('\n') ||
          '（空 / empty）',
        entries,
      );
    });
}

/** A cycle that is not there is a plain failure, with what to do about it. */
export async function noCycle(error: unknown, cycleId: string): Promise<never> {
  const { WorkflowNotFoundError } = await import('@temporalio/client');
  if (error instanceof WorkflowNotFoundError) {
    throw new Error(
      `没有周期 ${cycleId}：请先 kczg cycle start，或用 kczg plan 查看方案的计划 / no cycle ${cycleId}: start it first, or see kczg plan for the programme's plan`,
    );
  }
  throw error;
}

function registerMailPlan(mail: Command, cli: Cli): void {
  mail
    .command('plan <programme>')
    .description(
      '运行中周期的待发邮件：时间（北京时间）、对象、模板 / every message the running cycle will still send: when, to whom, template',
    )
    .addHelpText(
      'after',
      '\n按周期当前的截止时间（含延期、暂停）计算 / follows the cycle’s current deadlines (extensions, pauses)' +
        examples('kczg mail plan national-2023 --json'),
    )
    .action(async (id: string) => {
      const cycleId = cycleIdOf(id);
      const { buildMailPlan, programmeNow, renderMailPlanText } = await import('../mail-plan');
      const plan = await cli.withApi(async (api) => {
        const [status, setup] = await Promise.all([api.status(cycleId), api.reader.setup(cycleId)]).catch(
          (error: unknown) => noCycle(error, cycleId),
        );
        return buildMailPlan({ programme: setup.programme, status, now: programmeNow(status, Date.now()) });
      });
      cli.print(renderMailPlanText(plan), plan);
    });
}

export function registerMailCommands(program: Command, cli: Cli): void {
  const mail = program.command('mail').description('邮件 / mail');
  registerHold(mail, cli);
  registerOutbox(mail, cli);
  registerMailPlan(mail, cli);
  registerMailPreview(mail, cli);
}

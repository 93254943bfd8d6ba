/**
 * `kczg audit <programme>`: the cycle's audit log with every decision of its funded projects
 * (reports, verdicts, waivers, acceptance, steering), merged in time order and marked with the
 * project id; `--project` keeps one project's entries, `--csv` also writes a spreadsheet.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { cycleIdOf, examples, type Cli } from './context';

interface AuditOptions {
  project?: string;
  csv?: string;
}

/** The merged log (cycle and projects), printed; `kczg audit` and `kczg cycle audit` are the same. */
export async function printAudit(cli: Cli, id: string, opts: AuditOptions): Promise<void> {
  const merged = await cli.withApi((api) => api.project.cycleAudit(cycleIdOf(id)));
  const entries = opts.project ? merged.filter((e) => e.projectId === opts.project) : merged;
  const [{ auditToCsv }, { formatDeadline }] = await Promise.all([
    import('../audit'),
    import('../../domain/calendar'),
  ]);
  if (opts.csv) fs.writeFileSync(opts.csv, auditToCsv(entries));
  cli.print(
    entries
      .map((e) =>
        [formatDeadline(e.at), e.projectId ? `[${e.projectId}]` : '', e.actor, e.action, e.outcome, e.detail]
          .filter(Boolean)
          .join('  '),
      )
      .join('\n'),
    entries,
  );
}

export function registerAuditCommand(program: Command, cli: Cli): void {
  program
    .command('audit <programme>')
    .description(
      '审计日志（含立项项目的报告、审核、抵减、验收与调度）/ audit log, with the funded projects’ decisions',
    )
    .option('--project <id>', '只看一个项目 / one project’s entries only')
    .option('--csv <file>', '另存为 CSV / also write CSV')
    .addHelpText(
      'after',
      examples(
        'kczg audit service-teams-2023',
        'kczg audit service-teams-2023 --project cast-hubei.1 --json',
        'kczg audit service-teams-2023 --csv audit.csv',
      ),
    )
    .action((id: string, opts: AuditOptions) => printAudit(cli, id, opts));
}

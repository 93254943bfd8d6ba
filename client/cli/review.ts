/**
 * Review bodies' and the final review's commands: `review complete`, `review status` (with the
 * expert panel's progress), the expert review (client/cli/experts.ts), `final complete`.
 */
import type { Command } from 'commander';
import type { FinalResults, ReviewResultEntry } from '../../workflows/messages';
import { cycleIdOf, examples, readJsonFile, type Cli } from './context';
import { textTable } from '../text-table';
import { panelOverview, panelOverviewText, panelProgress, registerExpertCommands } from './experts';

function registerReview(program: Command, cli: Cli): void {
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
      examples(
        'kczg review complete national-2023 --body info-tech-consortium --list pioneer-tech --field electronics --results r.json',
      ),
    )
    .action(async (id: string, opts: { body: string; list: string; field?: string; results: string }) => {
      const results = readJsonFile(opts.results, 'results') as ReviewResultEntry[];
      const part = await cli.withApi((api) =>
        api.reportReview(cycleIdOf(id), opts.body, {
          listId: opts.list,
          ...(opts.field ? { fieldId: opts.field } : {}),
          results,
        }),
      );
      cli.print(`已报送 / reported: ${part.listId}${part.fieldId ? `/${part.fieldId}` : ''}`, part);
    });
  review
    .command('status <programme>')
    .description(
      '评审机构：待评审的榜单与报送情况 / review body: its parts to review and what it has reported',
    )
    .option(
      '--body <body>',
      '评审机构编号；缺省列出各机构的方案备案与评分进度 / body id; omitted: every body’s plan and scoring progress',
    )
    .addHelpText(
      'after',
      examples(
        'kczg review status national-2023 --body info-tech-consortium --json',
        'kczg review status national-2023   # 谁尚未备案评审方案 / who has not filed a plan',
      ),
    )
    .action(async (id: string, opts: { body?: string }) => {
      if (!opts.body) {
        const rows = await cli.withApi((api) => panelOverview(api, cycleIdOf(id)));
        cli.print(panelOverviewText(rows).join('\n'), rows);
        return;
      }
      const body = opts.body;
      const state = await cli.withApi((api) => api.reviewState(cycleIdOf(id), body));
      const { formatDeadline } = await import('../../domain/calendar');
      cli.print(
        [
          `${state.bodyId} · 截止 / due ${formatDeadline(state.dueAt)}`,
          ...textTable(
            ['榜单 / part', '待评 / to review', '报送 / reported'],
            state.parts.map((p) => [
              `${p.listId}${p.fieldId ? `/${p.fieldId}` : ''}`,
              `${p.nominationIds.length} 项 / nominations`,
              p.reportedAt
                ? `${formatDeadline(p.reportedAt)}${p.late ? '（逾期 / late）' : ''}`
                : '未报送 / pending',
            ]),
          ),
          ...panelProgress(state),
        ].join('\n'),
        state,
      );
    });
  registerExpertCommands(review, cli);
}

function registerFinal(program: Command, cli: Cli): void {
  const final = program.command('final').description('终评 / final review');
  final
    .command('complete <programme>')
    .description('报送终评入选名单 / report the final winners')
    .requiredOption(
      '--results <file>',
      '结果 JSON：{winners: [{listId, fieldId?, nominationIds}]} / results JSON',
    )
    .addHelpText('after', examples('kczg final complete national-2023 --results winners.json'))
    .action(async (id: string, opts: { results: string }) => {
      const results = readJsonFile(opts.results, 'results') as FinalResults;
      const status = await cli.withApi((api) => api.finalComplete(cycleIdOf(id), results));
      cli.print(`终评已记录 / final results recorded: ${status.stage}`, status);
    });
}

export function registerReviewCommands(program: Command, cli: Cli): void {
  registerReview(program, cli);
  registerFinal(program, cli);
}

/**
 * Expert review commands under `kczg review`: plan (备案), assign, conflict, score, confirm, and
 * the panel's progress shown by `review status`.
 */
import type { Command } from 'commander';
import type { ReviewPlan } from '../../domain/review-plan';
import type { ExpertReviewReceipt, ReviewBodyState } from '../../workflows/messages';
import type { KczgClient } from '../api';
import { textTable } from '../text-table';
import { cycleIdOf, examples, InputError, readJsonFile, required, type Cli } from './context';

interface BodyOption {
  body: string;
}

function partOf(text: string): { listId: string; fieldId?: string } {
  const [listId, fieldId, ...rest] = text.split('/');
  if (!listId || rest.length > 0)
    throw new InputError({
      code: 'INVALID',
      field: 'part',
      rule: 'format',
      message: '须为 榜单 或 榜单/领域 / expected list or list/field',
      fix: '例如 / e.g. pioneer-tech/electronics',
    });
  return { listId, ...(fieldId ? { fieldId } : {}) };
}

function summary(receipt: ExpertReviewReceipt): string {
  return `已分配 / assigned ${receipt.assigned} · 已评 / scored ${receipt.scored} · 回避 / conflicts ${receipt.conflicts} · 缺额 / short of N ${receipt.shortfalls.length}`;
}

/** The panel's progress lines for `review status`. */
export function panelProgress(state: ReviewBodyState): string[] {
  const review = state.expertReview;
  if (!review) return [];
  if (review.planFiledAt === undefined) return ['评审方案：未备案 / review plan: not filed'];
  return [
    `评审方案：已备案 / review plan filed · ${summary({
      assigned: review.progress.reduce((n, p) => n + p.assigned, 0),
      scored: review.progress.reduce((n, p) => n + p.scored, 0),
      conflicts: review.conflicts.length,
      shortfalls: review.shortfalls,
    })}`,
    ...textTable(
      ['专家 / expert', '已分配 / assigned', '已评 / scored'],
      review.progress.map((p) => [
        `${p.name} (${p.expertId})`,
        String(p.assigned),
        `${p.scored}${p.scored < p.assigned ? ' ⏳' : ''}`,
      ]),
    ),
  ];
}

export interface PanelOverviewRow {
  bodyId: string;
  /** Not started: the body has nothing to review yet (before the hand-over, or no nominations). */
  started: boolean;
  planFiled: boolean;
  assigned: number;
  scored: number;
  partsReported: number;
  parts: number;
}

/** Every review body of the cycle: has it filed its plan, how far its experts are. */
export async function panelOverview(api: KczgClient, cycleId: string): Promise<PanelOverviewRow[]> {
  const status = await api.status(cycleId);
  const bodies = [...new Set(status.parts.flatMap((p) => p.reviewBodies.map((b) => b.bodyId)))];
  return Promise.all(
    bodies.map(async (bodyId) => {
      const state = await api.reviewState(cycleId, bodyId).catch(() => undefined);
      const progress = state?.expertReview?.progress ?? [];
      return {
        bodyId,
        started: state !== undefined,
        planFiled: state?.expertReview?.planFiledAt !== undefined,
        assigned: progress.reduce((n, p) => n + p.assigned, 0),
        scored: progress.reduce((n, p) => n + p.scored, 0),
        partsReported: state?.parts.filter((p) => p.reportedAt !== undefined).length ?? 0,
        parts: state?.parts.length ?? 0,
      };
    }),
  );
}

export function panelOverviewText(rows: PanelOverviewRow[]): string[] {
  const missing = rows.filter((r) => r.started && !r.planFiled).map((r) => r.bodyId);
  return [
    ...textTable(
      ['评审机构 / body', '评审方案 / plan', '已评/已分配 / scored', '已报送 / reported'],
      rows.map((r) => [
        r.bodyId,
        !r.started ? '未开始 / not started' : r.planFiled ? '已备案 / filed' : '未备案 / not filed',
        `${r.scored}/${r.assigned}`,
        `${r.partsReported}/${r.parts}`,
      ]),
    ),
    missing.length > 0 ? `未备案评审方案 / plan not filed: ${missing.join(', ')}` : '',
  ].filter(Boolean);
}

/** `review plan`: the body files its review plan (criteria, weights, scales, panel). */
function registerPlanCommand(review: Command, cli: Cli): void {
  review
    .command('plan <programme>')
    .description(
      '备案评审工作方案、专家构成及评价标准 / file the review plan (criteria, weights, scales, panel)',
    )
    .requiredOption('--body <body>', '评审机构编号 / body id')
    .requiredOption(
      '--file <plan.json>',
      '{criteria: [{id, name: {zh, en}, weight, min, max, step}], experts: [{id, name, email, organisation}], expertsPerNomination}',
    )
    .addHelpText(
      'after',
      examples('kczg review plan national-2023 --body info-tech-consortium --file plan.json'),
    )
    .action(async (id: string, opts: BodyOption & { file: string }) => {
      const plan = readJsonFile(opts.file, 'plan') as ReviewPlan;
      const state = await cli.withApi((api) => api.review.fileReviewPlan(cycleIdOf(id), opts.body, plan));
      cli.print(`评审方案已备案 / review plan filed · ${summary(state)}`, state);
    });
}

/** `review assign`: experts assigned to nominations, balanced or by hand. */
function registerAssignCommand(review: Command, cli: Cli): void {
  review
    .command('assign <programme>')
    .description('分配评审专家（自动均衡或手动）/ assign experts (balanced, or by hand)')
    .requiredOption('--body <body>', '评审机构编号 / body id')
    .option('--auto', '每份材料补足 N 名无利益冲突的专家 / give each nomination N experts without conflicts')
    .option('--nomination <id>', '手动分配的推荐编号 / the nomination to assign by hand')
    .option('--experts <ids>', '专家编号，逗号分隔 / expert ids, comma-separated')
    .addHelpText(
      'after',
      examples(
        'kczg review assign national-2023 --body info-tech-consortium --auto',
        'kczg review assign national-2023 --body info-tech-consortium --nomination cie.3 --experts e01,e04',
      ),
    )
    .action(
      async (id: string, opts: BodyOption & { auto?: boolean; nomination?: string; experts?: string }) => {
        const request = opts.auto
          ? { auto: true }
          : {
              nominationId: required(opts.nomination, 'nomination', '--nomination cie.3 或 / or --auto'),
              expertIds: required(opts.experts, 'experts', '--experts e01,e04')
                .split(',')
                .map((e) => e.trim()),
            };
        const state = await cli.withApi((api) => api.review.assignExperts(cycleIdOf(id), opts.body, request));
        const short = state.shortfalls.map(
          (s) => `  ${s.nominationId}: ${s.available}/${s.needed} 名无冲突专家 / conflict-free experts`,
        );
        cli.print([`已分配 / assigned · ${summary(state)}`, ...short].join('\n'), state);
      },
    );
}

/** `review conflict`: a conflict of interest declared for an expert and a nomination. */
function registerConflictCommand(review: Command, cli: Cli): void {
  review
    .command('conflict <programme>')
    .description('申报回避（专家本人或评审机构）/ declare a conflict of interest (the expert or the body)')
    .requiredOption('--body <body>', '评审机构编号 / body id')
    .requiredOption('--expert <id>', '专家编号 / expert id')
    .requiredOption('--nomination <id>', '推荐编号 / nomination id')
    .requiredOption('--reason <text>', '回避理由 / reason')
    .addHelpText(
      'after',
      examples(
        'kczg review conflict national-2023 --body info-tech-consortium --expert e02 --nomination cie.3 --reason "曾与候选团队合作"',
      ),
    )
    .action(async (id: string, opts: BodyOption & { expert: string; nomination: string; reason: string }) => {
      const state = await cli.withApi((api) =>
        api.review.declareConflict(cycleIdOf(id), opts.body, {
          expertId: opts.expert,
          nominationId: opts.nomination,
          reason: opts.reason,
        }),
      );
      cli.print(`已申报回避 / conflict declared · ${summary(state)}`, state);
    });
}

/** `review score`: an expert's score sheet, read against the filed plan. */
function registerScoreCommand(review: Command, cli: Cli): void {
  review
    .command('score <programme>')
    .description('提交专家评分表（JSON、CSV 或 XLSX）/ submit an expert’s score sheet (JSON, CSV or XLSX)')
    .requiredOption('--body <body>', '评审机构编号 / body id')
    .requiredOption('--expert <id>', '专家编号 / expert id')
    .requiredOption(
      '--file <sheet>',
      '每行一项推荐：推荐编号、各指标得分、是否推荐、评语 / one row per nomination',
    )
    .addHelpText(
      'after',
      examples('kczg review score national-2023 --body info-tech-consortium --expert e01 --file e01.xlsx'),
    )
    .action(async (id: string, opts: BodyOption & { expert: string; file: string }) => {
      const cycleId = cycleIdOf(id);
      const state = await cli.withApi(async (api) => {
        const plan = (await api.reviewState(cycleId, opts.body)).expertReview?.plan;
        if (!plan)
          throw new InputError({
            code: 'WRONG_STAGE',
            field: 'plan',
            rule: 'plan-required',
            message: '评审方案尚未备案 / the review plan has not been filed',
          });
        const { readScoreSheets, ScoreSheetFileError } = await import('../score-sheets');
        const { TableError } = await import('../../tables/table');
        const sheets = await readScoreSheets(opts.file, plan).catch((error: unknown) => {
          if (error instanceof ScoreSheetFileError) throw new InputError(error.rejection);
          if (error instanceof TableError)
            throw new InputError({
              code: 'INVALID',
              field: 'file',
              rule: error.problem.kind,
              message: error.message,
              fix: error.expected,
            });
          throw error;
        });
        return api.review.submitScores(cycleId, opts.body, opts.expert, sheets);
      });
      cli.print(`评分已提交 / scores submitted · ${summary(state)}`, state);
    });
}

/** `review confirm`: the chair confirms a part's ranked shortlist (the body's report). */
function registerConfirmCommand(review: Command, cli: Cli): void {
  review
    .command('confirm <programme>')
    .description(
      '主任委员确认排名推荐名单（即报送初评结果）/ the chair confirms the ranked shortlist (the body’s report)',
    )
    .requiredOption('--body <body>', '评审机构编号 / body id')
    .requiredOption('--part <list[/field]>', '榜单或榜单/领域 / list or list/field')
    .option(
      '--top <n>',
      '推荐前 n 名；缺省为多数专家推荐者 / recommend the top n; default: those most experts recommend',
    )
    .option(
      '--reason <text>',
      '评分未齐时提前确认的理由（记入审计）/ why confirm before every score is in (audited)',
    )
    .addHelpText(
      'after',
      examples(
        'kczg review confirm national-2023 --body info-tech-consortium --part pioneer-tech/electronics --top 10',
      ),
    )
    .action(async (id: string, opts: BodyOption & { part: string; top?: string; reason?: string }) => {
      const top = opts.top === undefined ? undefined : Number(opts.top);
      const request = {
        ...partOf(opts.part),
        ...(top === undefined ? {} : { top }),
        ...(opts.reason ? { reason: opts.reason } : {}),
      };
      const part = await cli.withApi((api) => api.review.confirmShortlist(cycleIdOf(id), opts.body, request));
      const recommended = part.results?.filter((r) => r.verdict === 'recommended').length ?? 0;
      cli.print(
        `已确认并报送 / confirmed and reported: ${opts.part}（推荐 / recommended ${recommended}）`,
        part,
      );
    });
}

export function registerExpertCommands(review: Command, cli: Cli): void {
  registerPlanCommand(review, cli);
  registerAssignCommand(review, cli);
  registerConflictCommand(review, cli);
  registerScoreCommand(review, cli);
  registerConfirmCommand(review, cli);
}

/**
 * Score sheets as files: an expert's sheet read from JSON, CSV or XLSX (one row per nomination:
 * 推荐编号, one column per criterion of the filed plan, 是否推荐, 评语), and a body's score sheet
 * rendered as XLSX (every expert's totals and the ranking by the rule of domain/scoring.ts).
 * Nothing in a file is dropped: a heading that names no column is refused.
 */
import path from 'node:path';
import type { Rejection } from '../domain/rejections';
import type { ReviewPlan } from '../domain/review-plan';
import { AGGREGATION_RULE, type ScoreSheet } from '../domain/scoring';
import type { ReviewBodyState } from '../workflows/messages';

type Column = { kind: 'nominationId' | 'recommend' | 'comment' } | { kind: 'criterion'; id: string };

const FIXED: Array<[string, Column]> = [
  ['nominationId', { kind: 'nominationId' }],
  ['推荐编号', { kind: 'nominationId' }],
  ['recommend', { kind: 'recommend' }],
  ['是否推荐', { kind: 'recommend' }],
  ['comment', { kind: 'comment' }],
  ['评语', { kind: 'comment' }],
];

const YES = new Set(['true', 'yes', 'y', '1', '是', '推荐']);
const NO = new Set(['false', 'no', 'n', '0', '否', '不推荐']);

export class ScoreSheetFileError extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
    this.name = 'ScoreSheetFileError';
  }
}

/** The column headings of an expert's sheet for this plan (the template's header row). */
export function sheetHeadings(plan: ReviewPlan): string[] {
  return [
    '推荐编号 nominationId',
    ...plan.criteria.map((c) => `${c.name.zh} ${c.id}`),
    '是否推荐 recommend',
    '评语 comment',
  ];
}

/** A cell as the sheet means it: numbers as numbers; anything else kept, so the check names it. */
const scoreCell = (text: string): unknown =>
  text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;

function recommendCell(text: string): unknown {
  const folded = text.normalize('NFKC').trim().toLowerCase();
  return YES.has(folded) ? true : NO.has(folded) ? false : text;
}

/** Reads an expert's score sheets; JSON is `[sheet…]` or `{sheets: [sheet…]}`. */
export async function readScoreSheets(file: string, plan: ReviewPlan): Promise<ScoreSheet[]> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') {
    const fs = await import('node:fs/promises');
    let parsed: unknown;
    try {
      parsed = JSON.parse(await fs.readFile(file, 'utf8'));
    } catch (error) {
      throw new ScoreSheetFileError({
        code: 'INVALID',
        field: 'file',
        rule: 'json',
        message: `无法读取 / cannot read ${file}: ${(error as Error).message}`,
      });
    }
    const sheets = Array.isArray(parsed) ? parsed : (parsed as { sheets?: unknown })?.sheets;
    if (!Array.isArray(sheets))
      throw new ScoreSheetFileError({
        code: 'INVALID',
        field: 'sheets',
        rule: 'type',
        message: '须为评分表数组 / expected a list of score sheets',
      });
    return sheets as ScoreSheet[];
  }
  const { readTableFile } = await import('../tables/read-table');
  const { cellReader, headingLookup, tableOf } = await import('../tables/table');
  const lookup = headingLookup<Column>([
    ...FIXED,
    ...plan.criteria.flatMap((c): Array<[string, Column]> => [
      [c.id, { kind: 'criterion', id: c.id }],
      [c.name.zh, { kind: 'criterion', id: c.id }],
    ]),
  ]);
  const table = tableOf(await readTableFile(file), lookup);
  if (table.ignored.length > 0)
    throw new ScoreSheetFileError({
      code: 'INVALID',
      field: table.ignored[0],
      rule: 'unknown-column',
      message: `表头「${table.ignored[0]}」不是评分表的列 / that heading is not a column of the sheet`,
      fix: `表头 / headings: ${sheetHeadings(plan).join(', ')}`,
    });
  const columnOf = new Map(
    [...table.columns].map(([column, index]) => [
      column.kind === 'criterion' ? column.id : column.kind,
      index,
    ]),
  );
  return table.rows.map(({ cells }) => {
    const cell = cellReader(columnOf, cells);
    const scores = Object.fromEntries(
      plan.criteria.filter((c) => cell(c.id) !== '').map((c) => [c.id, scoreCell(cell(c.id))]),
    );
    return {
      nominationId: cell('nominationId'),
      scores,
      recommend: recommendCell(cell('recommend')),
      ...(cell('comment') ? { comment: cell('comment') } : {}),
    } as ScoreSheet;
  });
}

/** A body's score sheet (XLSX bytes): the ranking per part, every expert's sheet, the conflicts. */
export async function bodyScoreSheetXlsx(state: ReviewBodyState): Promise<Buffer> {
  const ExcelJS = (await import('exceljs')).default;
  const review = state.expertReview;
  const plan = review?.plan;
  const workbook = new ExcelJS.Workbook();
  const ranking = workbook.addWorksheet('排名 Ranking');
  ranking.addRow([`${state.bodyId} 评分汇总 / score summary`]);
  ranking.addRow([`${AGGREGATION_RULE.zh} / ${AGGREGATION_RULE.en}`]);
  ranking.addRow([
    '榜单 part',
    '名次 rank',
    '推荐编号 nomination',
    '得分 score',
    '去极值 trimmed',
    '推荐票 votes',
    '中位数 median',
    '评分专家 experts',
  ]);
  for (const [part, scores] of Object.entries(review?.ranking ?? {}))
    scores.forEach((s, i) =>
      ranking.addRow([
        part,
        i + 1,
        s.nominationId,
        s.score,
        s.trimmed ? '是' : '否',
        s.recommendVotes,
        s.median,
        s.totals.map((t) => `${t.expertId}:${t.total}`).join(' '),
      ]),
    );
  const sheets = workbook.addWorksheet('评分 Sheets');
  sheets.addRow([
    '专家 expert',
    '推荐编号 nomination',
    ...(plan?.criteria.map((c) => `${c.name.zh} ${c.id} (${c.weight})`) ?? []),
    '加权总分 total',
    '是否推荐 recommend',
    '评语 comment',
  ]);
  for (const s of review?.sheets ?? [])
    sheets.addRow([
      s.expertId,
      s.nominationId,
      ...(plan?.criteria.map((c) => s.scores[c.id]) ?? []),
      s.total,
      s.recommend ? '是' : '否',
      s.comment ?? '',
    ]);
  const conflicts = workbook.addWorksheet('回避 Conflicts');
  conflicts.addRow(['专家 expert', '推荐编号 nomination', '来源 source']);
  for (const c of review?.conflicts ?? []) conflicts.addRow([c.expertId, c.nominationId, c.source]);
  for (const sheet of [ranking, sheets, conflicts]) sheet.columns.forEach((column) => (column.width = 18));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * The money columns of a funded programme's 立项名单: each project's amount in 万元 as the notices
 * write it (元 in JSON), a total row per list, and a summary of every list with the overall total.
 * Programmes without funding publish none of this.
 */
import type { FundingSummary, ListFunding } from '../../domain/funding';
import type { Programme } from '../../domain/programme';

export const AMOUNT_HEADING = '资助金额（万元）';
/** A winning bundle's co-applications, published in its row (domain/bundles.ts). */
export const SUB_PROJECTS_HEADING = '子项目';
/** The cell of a project whose notice states no amount. */
export const AMOUNT_NOT_STATED = '未载明';

export function amountCell(amountCny: number | undefined): string | number {
  return amountCny === undefined ? AMOUNT_NOT_STATED : amountCny / 10_000;
}

/** A list's total: 未载明 when its notice states no amount. */
function listTotal(list: ListFunding): number | undefined {
  return list.amountStated ? list.totalCny : undefined;
}

export const SUMMARY_HEADINGS = ['榜单', '入选项目', '资助名额', AMOUNT_HEADING, '资助金额（元）'] as const;
export type SummaryRow = Record<(typeof SUMMARY_HEADINGS)[number], string | number>;

/** One row per list with winners, then the overall total. */
export function fundingSummaryRows(programme: Programme, summary: FundingSummary): SummaryRow[] {
  const names = new Map(programme.lists.map((l) => [l.id, l.name.zh]));
  const rows: SummaryRow[] = summary.lists.map((l) => ({
    榜单: names.get(l.listId) ?? l.listId,
    入选项目: l.winners,
    资助名额: l.slots ?? AMOUNT_NOT_STATED,
    [AMOUNT_HEADING]: amountCell(listTotal(l)),
    '资助金额（元）': listTotal(l) ?? AMOUNT_NOT_STATED,
  }));
  const stated = summary.lists.some((l) => l.amountStated);
  rows.push({
    榜单: '合计 / total',
    入选项目: summary.awards.length,
    资助名额: summary.budgetCny === undefined ? '' : `预算 ${summary.budgetCny / 10_000}万元`,
    [AMOUNT_HEADING]: amountCell(stated ? summary.totalCny : undefined),
    '资助金额（元）': stated ? summary.totalCny : AMOUNT_NOT_STATED,
  });
  return rows;
}

/** The summary as JSON: every amount in 元 (CNY). */
export function fundingSummaryJson(programme: Programme, summary: FundingSummary): string {
  return `${JSON.stringify(
    {
      programme: programme.id,
      year: programme.year,
      currency: 'CNY',
      lists: summary.lists,
      totalCny: summary.totalCny,
      ...(summary.budgetCny !== undefined ? { budgetCny: summary.budgetCny } : {}),
      awards: summary.awards,
    },
    null,
    2,
  )}\n`;
}

/** The row under a funded list: how many projects of how many slots, and their total. */
export function listTotalRow(list: ListFunding): Record<string, string | number> {
  const slots = list.slots === undefined ? '' : `（名额 ${list.slots}）`;
  return {
    序号: '',
    榜单: '合计 / total',
    名称: `${list.winners} 项${slots}`,
    [AMOUNT_HEADING]: amountCell(listTotal(list)),
  };
}

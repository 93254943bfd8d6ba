/**
 * Progress across a cycle's funded projects as a table with Chinese headings: one row per project
 * and target (the threshold in force and the notice's, the figure accepted, met or not, the
 * reduction's reason, each report's status, the acceptance outcome), written as XLSX, CSV or JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { csvCell } from '../activities/publish';
import { renderXlsx } from '../activities/publication/xlsx';
import { formatBeijing } from '../domain/calendar';
import { deliverablesOf } from '../domain/deliverables';
import type { Programme } from '../domain/programme';
import type { ProjectState } from '../workflows/project/messages';

export const PROGRESS_HEADINGS = [
  '项目编号',
  '承担单位',
  '榜单领域',
  '任务指标',
  '计量单位',
  '现行目标值',
  '通知目标值',
  '已确认完成数',
  '是否达标',
  '抵减理由',
  '报告情况',
  '验收结论',
  '验收时间',
] as const;
export type ProgressHeading = (typeof PROGRESS_HEADINGS)[number];
export type ProgressRow = Record<ProgressHeading, string | number>;

const DUE_STATUS = { owed: '待提交', submitted: '待审核', accepted: '已确认' } as const;
const REPORT_KIND = { 'half-yearly': '半年报', 'year-end': '年终报告', final: '终期报告' } as const;

export function progressRows(programme: Programme, projects: readonly ProjectState[]): ProgressRow[] {
  return projects.flatMap((project) => {
    const targets = deliverablesOf(programme, project.listId, project.fieldId)?.targets ?? [];
    const reports = project.dues.map((d) => `${REPORT_KIND[d.kind]}：${DUE_STATUS[d.status]}`).join('；');
    return project.outcome.targets.map((t) => {
      const target = targets.find((x) => x.id === t.target);
      return {
        项目编号: project.projectId,
        承担单位: project.owner.name,
        榜单领域: project.partName,
        任务指标: target?.metric.zh ?? t.target,
        计量单位: target?.unit ?? '',
        现行目标值: t.threshold,
        通知目标值: target?.threshold ?? t.threshold,
        已确认完成数: t.reached,
        是否达标: t.met ? '是' : '否',
        抵减理由: project.waivers.filter((w) => w.target === t.target).at(-1)?.reason ?? '',
        报告情况: reports,
        验收结论: project.acceptedAt === undefined ? '未验收' : project.outcome.outcome,
        验收时间: project.acceptedAt === undefined ? '' : formatBeijing(project.acceptedAt),
      };
    });
  });
}

/** The rows in the format the file name ends with (.xlsx, .csv or .json). */
export async function renderProgress(
  file: string,
  title: string,
  rows: readonly ProgressRow[],
): Promise<string | Buffer> {
  const format = path.extname(file).toLowerCase();
  if (format === '.json') return `${JSON.stringify(rows, null, 2)}\n`;
  if (format === '.csv') {
    const lines = [PROGRESS_HEADINGS, ...rows.map((r) => PROGRESS_HEADINGS.map((h) => r[h]))];
    return `\uFEFF${lines.map((l) => l.map(csvCell).join(',')).join('\r\n')}\r\n`;
  }
  if (format === '.xlsx') {
    const subtitle = `${rows.length} 行 / rows · 导出于 / exported ${formatBeijing(Date.now())}（北京时间）`;
    return renderXlsx({ sheetName: '任务进展', title, subtitle, headings: PROGRESS_HEADINGS, rows });
  }
  throw new RangeError(`不支持的格式 ${format || '（无扩展名）'} / use .xlsx, .csv or .json`);
}

/** Writes the export the user asked for (kczg project export --out). */
export async function writeProgress(
  file: string,
  title: string,
  rows: readonly ProgressRow[],
): Promise<void> {
  const content = await renderProgress(file, title, rows);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, content);
}

/** The cycle's audit log (with its projects' entries, cycle-audit.ts) as CSV (UTF-8 with BOM, Beijing time). */
import { formatBeijing } from '../domain/calendar';
import { csvCell } from '../activities/publish';
import type { CycleAuditEntry } from './cycle-audit';

/** A 项目 column follows when any entry is a project's (the cycle's own log keeps its six). */
export function auditToCsv(entries: CycleAuditEntry[]): string {
  const withProjects = entries.some((e) => e.projectId !== undefined);
  const rows = [
    ['时间（北京时间）', '操作者', '操作', '结果', '详情', '代码', ...(withProjects ? ['项目'] : [])],
    ...entries.map((e) => [
      formatBeijing(e.at),
      e.actor,
      e.action,
      e.outcome,
      e.detail,
      e.code ?? '',
      ...(withProjects ? [e.projectId ?? ''] : []),
    ]),
  ];
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** The cycle's audit log as CSV (UTF-8 with BOM, Beijing time), for spreadsheets. */
import { formatBeijing } from '../domain/calendar';
import type { AuditEntry } from '../workflows/messages';
import { csvCell } from '../activities/publish';

export function auditToCsv(entries: AuditEntry[]): string {
  const rows = [
    ['时间（北京时间）', '操作者', '操作', '结果', '详情', '代码'],
    ...entries.map((e) => [formatBeijing(e.at), e.actor, e.action, e.outcome, e.detail, e.code ?? '']),
  ];
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/**
 * What a workflow asks the mail activity to send: small, template-agnostic facts. The activity
 * renders them (mail/templates.ts), so rendered HTML never lands in workflow history.
 */
import type { Bilingual, Programme } from '../domain/programme';
import type { MailTemplate } from '../domain/schedule';
import type { QuotaUsageRow } from './messages';

/** The templates a notice can use (mail/templates.ts renders them). */
export type NoticeTemplate = MailTemplate;

export interface NoticeUsageRow {
  list: string;
  field?: string;
  used: number;
  limit: number;
}

export interface NoticeRequest {
  cycleId: string;
  /** Cycle, party, deadline and offset: the same key is never sent twice. */
  businessKey: string;
  to: Array<{ name: string; email: string }>;
  template: NoticeTemplate;
  programme: { id: string; name: Bilingual; year: number };
  /** Programme time when the workflow asked for it, epoch ms (days left, calendar stamp). */
  issuedAt: number;
  /** The deadline the notice is about, epoch ms. */
  deadline?: number;
  /** The addressee as the text names it (unit or body name). */
  party: string;
  usage?: NoticeUsageRow[];
  /** For review bodies: how many nominations await them, per part. */
  awaiting?: Array<{ list: string; field?: string; count: number }>;
  /** For the secretariat: who has not finished. */
  missing?: string[];
  /** For a funded project's owner: the project and its targets' accepted progress. */
  project?: {
    name: string;
    targets: Array<{ metric: string; unit: string; threshold: number; reached: number }>;
  };
}

/** Usage rows with list and field names, as a unit's e-mail shows them. */
export function describeUsage(programme: Programme, rows: QuotaUsageRow[]): NoticeUsageRow[] {
  return rows.map((row) => ({
    ...partNames(programme, row.listId, row.fieldId),
    used: row.used,
    limit: row.limit,
  }));
}

export function partNames(
  programme: Programme,
  listId: string,
  fieldId?: string,
): { list: string; field?: string } {
  const list = programme.lists.find((l) => l.id === listId);
  const field = list?.fields?.find((f) => f.id === fieldId);
  return { list: list?.name.zh ?? listId, ...(fieldId ? { field: field?.name.zh ?? fieldId } : {}) };
}

export function programmeRef(programme: Programme): NoticeRequest['programme'] {
  return { id: programme.id, name: programme.name, year: programme.year };
}

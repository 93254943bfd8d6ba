/**
 * The tracking year in the one schedule: each funded project's report deadlines and the
 * reminders, overdue notices and escalations that lead to and follow them (schedule.ts
 * projectReportTimeline), from the programme and the publication instant. The project workflow
 * sleeps on it; `kczg plan` shows its deadlines per list and field. Pure.
 */
import { beijingToEpochMs } from './calendar';
import { deliverablesOf, reportDues, type ReportDueAt } from './deliverables';
import type { Bilingual, Programme } from './programme';
import { projectReportTimeline, type ScheduledEvent } from './schedule';

export interface ProjectSchedule {
  dues: ReportDueAt[];
  events: ScheduledEvent[];
}

/** A project's whole report schedule as it stands before any report is in. */
export function projectSchedule(
  programme: Programme,
  project: { listId: string; fieldId?: string; unitId: string; publishedAt: number },
): ProjectSchedule {
  const deliverables = deliverablesOf(programme, project.listId, project.fieldId);
  if (!deliverables) return { dues: [], events: [] };
  const dues = reportDues(deliverables, project.publishedAt);
  const events = projectReportTimeline(programme.reminders, {
    unitId: project.unitId,
    dues,
    owed: new Set(dues.map((d) => d.id)),
    sent: new Set(),
    held: new Set(),
    from: project.publishedAt,
  });
  return { dues, events };
}

export interface TrackedPart {
  listId: string;
  fieldId?: string;
  name: Bilingual;
  targets: number;
  dues: ReportDueAt[];
}

/** Every list or field with deliverables and its report deadlines, for a publication instant. */
export function trackingCalendar(
  programme: Programme,
  publishedAt = beijingToEpochMs(programme.stages.publication.on),
): TrackedPart[] {
  return programme.lists.flatMap((list) => {
    const parts = list.fields?.some((f) => f.deliverables)
      ? list.fields.map((field) => ({ field, deliverables: field.deliverables ?? list.deliverables }))
      : [{ field: undefined, deliverables: list.deliverables }];
    return parts.flatMap(({ field, deliverables }) =>
      deliverables
        ? [
            {
              listId: list.id,
              ...(field ? { fieldId: field.id } : {}),
              name: field
                ? {
                    zh: `${list.name.zh} · ${field.name.zh}`,
                    en: `${list.name.en ?? list.name.zh} · ${field.name.en ?? field.name.zh}`,
                  }
                : list.name,
              targets: deliverables.targets.length,
              dues: reportDues(deliverables, publishedAt),
            },
          ]
        : [],
    );
  });
}

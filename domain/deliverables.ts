/**
 * Deliverables after publication: which targets a funded project owes, when its reports are due,
 * which reports and waivers are acceptable, and the acceptance rule (all targets met → 通过, some →
 * 部分通过, none → 不通过). Pure: workflows and the CLI call the same rules.
 */
import type { AttachmentRef } from './dossier';
import { addDays } from './holidays';
import type { Deliverables, Programme, ReportKind, Target } from './programme';
import { reject, type Rejection } from './rejections';
import { beijingDay, beijingInstant } from './reminders';

/** The deliverables of a winner of a list (and field): the field's own, else the list's. */
export function deliverablesOf(
  programme: Programme,
  listId: string,
  fieldId?: string,
): Deliverables | undefined {
  const list = programme.lists.find((l) => l.id === listId);
  const field = fieldId === undefined ? undefined : list?.fields?.find((f) => f.id === fieldId);
  return field?.deliverables ?? list?.deliverables;
}

export interface ReportDueAt {
  /** Stable within the project: "half-yearly-1", "year-end-1", "final-1". */
  id: string;
  kind: ReportKind;
  /** The deadline, epoch ms (a Beijing "24:00" is the next midnight). */
  at: number;
}

/**
 * The project's report deadlines in time order. "months after publication" ends on the Beijing day
 * that many months after the publication day (clamped to the month's last day), at 24:00. Fixed
 * dates not after publication are dropped: there is nothing to report yet.
 */
export function reportDues(deliverables: Deliverables, publishedAt: number): ReportDueAt[] {
  const publicationDay = beijingDay(publishedAt);
  const dues = deliverables.reports
    .map((due) => ({
      kind: due.kind,
      at: due.at === 'fixed' ? beijingDateTime(due.on) : endOfDay(addMonths(publicationDay, due.months)),
    }))
    .filter((due) => due.at > publishedAt)
    .sort((a, b) => a.at - b.at);
  const counts = new Map<ReportKind, number>();
  return dues.map((due) => {
    const n = (counts.get(due.kind) ?? 0) + 1;
    counts.set(due.kind, n);
    return { id: `${due.kind}-${n}`, ...due };
  });
}

/** "YYYY-MM-DD" plus whole months, clamped to the last day of the month reached. */
function addMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number);
  const index = year * 12 + (month - 1) + months;
  const lastDay = new Date(Date.UTC(Math.floor(index / 12), (index % 12) + 1, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}-${pad(Math.min(day, lastDay))}`;
}

/** The end of a Beijing day: the next day's midnight ("24:00" as the notices write it). */
function endOfDay(date: string): number {
  return beijingInstant(addDays(date, 1), '00:00');
}

/** A preset's Beijing date-time, "YYYY-MM-DD HH:mm", "24:00" being the end of that day. */
function beijingDateTime(value: string): number {
  const [date, time] = value.split(' ');
  return time === '24:00' ? endOfDay(date) : beijingInstant(date, time);
}

/** One reported figure: the cumulative count reached so far for a target, with its evidence. */
export interface ReportedFigure {
  target: string;
  value: number;
  evidence: AttachmentRef[];
}

const MAX_TEXT = 500;

/**
 * Checks a progress report: every figure names one of the project's targets once, is a
 * non-negative finite number, and carries evidence where the target requires it (a zero needs none).
 * Returns the refusals; an empty list means the report is well formed.
 */
export function checkReport(deliverables: Deliverables, figures: unknown): Rejection[] {
  if (!Array.isArray(figures) || figures.length === 0) {
    return [
      reject('INVALID', '报告至少须填报一项指标 / a report needs at least one figure', {
        field: 'figures',
        rule: 'figures',
        fix: '按目标编号填报累计完成数 / give the cumulative figure per target id',
      }),
    ];
  }
  const seen = new Set<string>();
  return figures.flatMap((raw: unknown, i): Rejection[] => {
    const figure = (raw ?? {}) as Partial<Record<keyof ReportedFigure, unknown>>;
    const field = `figures[${i}]`;
    const target = deliverables.targets.find((t) => t.id === figure.target);
    if (!target) {
      return [
        reject('INVALID', `目标“${String(figure.target)}”不属于本项目 / not a target of this project`, {
          field: `${field}.target`,
          rule: 'target',
          fix: `可用目标 / targets: ${deliverables.targets.map((t) => t.id).join(', ')}`,
        }),
      ];
    }
    if (seen.has(target.id)) {
      return [
        reject('DUPLICATE', `目标“${target.id}”重复填报 / reported twice`, {
          field: `${field}.target`,
          rule: 'target',
        }),
      ];
    }
    seen.add(target.id);
    return checkFigure(target, figure, field);
  });
}

function checkFigure(
  target: Target,
  figure: Partial<Record<keyof ReportedFigure, unknown>>,
  field: string,
): Rejection[] {
  const value = figure.value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    return [
      reject(
        'INVALID',
        `“${target.metric.zh}”的完成数须为非负数 / the figure must be a non-negative number`,
        {
          field: `${field}.value`,
          rule: 'figure',
          fix: `填写累计完成的${target.unit}数，如 3 / give the cumulative count, e.g. 3`,
        },
      ),
    ];
  }
  const evidence = Array.isArray(figure.evidence) ? figure.evidence : [];
  if (target.evidenceRequired && value > 0 && evidence.length === 0) {
    return [
      reject('INVALID', `“${target.metric.zh}”须附佐证材料 / evidence is required for this target`, {
        field: `${field}.evidence`,
        rule: 'evidence',
        fix: '先上传佐证文件（kczg attach），再在报告中引用 / upload the evidence first and cite it',
      }),
    ];
  }
  return [];
}

/** A reduction of one target's threshold ("可适当抵减"), with the secretariat's reason. */
export interface Waiver {
  target: string;
  threshold: number;
  reason: string;
}

/** Checks a waiver against the target's threshold in force (after earlier waivers). */
export function checkWaiver(
  deliverables: Deliverables,
  waivers: readonly Waiver[],
  waiver: Waiver,
): Rejection[] {
  const target = deliverables.targets.find((t) => t.id === waiver.target);
  if (!target) {
    return [
      reject('INVALID', `目标“${waiver.target}”不属于本项目 / not a target of this project`, {
        field: 'target',
        rule: 'target',
      }),
    ];
  }
  const current = thresholdInForce(target, waivers);
  if (!Number.isInteger(waiver.threshold) || waiver.threshold < 0 || waiver.threshold >= current) {
    return [
      reject(
        'INVALID',
        `抵减后的目标须为小于 ${current} 的非负整数 / the reduced threshold must be a whole number below ${current}`,
        {
          field: 'threshold',
          rule: 'reduction',
          limit: current,
        },
      ),
    ];
  }
  const reason = waiver.reason.trim();
  if (reason.length === 0 || reason.length > MAX_TEXT) {
    return [
      reject(
        'INVALID',
        '抵减须说明理由（不超过500字）/ a reduction needs a reason of at most 500 characters',
        {
          field: 'reason',
          rule: 'reason',
          limit: MAX_TEXT,
        },
      ),
    ];
  }
  return [];
}

/** The threshold after the latest waiver of the target, else the notice's. */
export function thresholdInForce(target: Target, waivers: readonly Waiver[]): number {
  return waivers.filter((w) => w.target === target.id).at(-1)?.threshold ?? target.threshold;
}

export type AcceptanceOutcome = '通过' | '部分通过' | '不通过';

export interface TargetAcceptance {
  target: string;
  threshold: number;
  /** The latest accepted figure; 0 when none was accepted. */
  reached: number;
  met: boolean;
  waived: boolean;
}

export interface ProjectAcceptance {
  outcome: AcceptanceOutcome;
  targets: TargetAcceptance[];
}

/**
 * The acceptance rule: each target is met when its latest accepted figure reaches the threshold
 * in force; all met → 通过, none → 不通过, otherwise 部分通过.
 */
export function acceptance(
  deliverables: Deliverables,
  accepted: Readonly<Record<string, number>>,
  waivers: readonly Waiver[],
): ProjectAcceptance {
  const targets = deliverables.targets.map((target) => {
    const threshold = thresholdInForce(target, waivers);
    const reached = accepted[target.id] ?? 0;
    return {
      target: target.id,
      threshold,
      reached,
      met: reached >= threshold,
      waived: threshold !== target.threshold,
    };
  });
  const met = targets.filter((t) => t.met).length;
  const outcome: AcceptanceOutcome = met === targets.length ? '通过' : met === 0 ? '不通过' : '部分通过';
  return { outcome, targets };
}

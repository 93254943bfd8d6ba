/**
 * `kczg plan <programme>`: the whole timeline of a programme-year, before any cycle runs: every
 * stage and every reminder, digest and overdue notice the service will send, in Beijing time.
 * Pure: no Temporal, no I/O, no wall clock (the .ics DTSTAMP comes from the caller).
 *
 * The reminders are the year's schedule (domain/schedule-year.ts) before the cycle starts: the
 * timelines the unit, review-body and cycle workflows sleep on. Units share one row per reminder;
 * review bodies that review only lists organised separately (另行组织) get none.
 */
import { formatBeijing } from '../domain/calendar';
import { formatWan, fundedParts, hasFunding } from '../domain/funding';
import { icsCalendar, type IcsEventInput } from '../domain/ics';
import type { Bilingual, Programme, ReminderPolicy } from '../domain/programme';
import type { NoticeParty } from '../domain/mail-ids';
import { formatBeijingDeadline, type ReminderKind, type ReminderRole } from '../domain/reminders';
import { initialScheduleState, yearSchedule } from '../domain/schedule-year';
import { trackingCalendar } from '../domain/schedule-tracking';
import type { ScheduleStage } from '../domain/schedule';
import { programmeDeadlines, reviewAssignments } from '../domain/timeline';
import { textTable as table } from './text-table';

export type PlanStageKey = ScheduleStage;

export interface PlanStage {
  key: PlanStageKey;
  name: Bilingual;
  /** Epoch ms. */
  startsAt: number;
  /** Beijing local time, "2023-10-07 00:00". */
  starts: string;
  /** The stage's deadline (publication: the day it is published), epoch ms. */
  deadlineAt: number;
  /** As the notices write it, Beijing time: "2023-11-30 24:00". */
  deadline: string;
}

export interface PlanRecipient {
  role: ReminderRole;
  /** The review body's id, for role 'reviewBody'. */
  bodyId?: string;
  name: Bilingual;
  /** What a review body reviews: "list" or "list · field" (Chinese names). */
  parts?: string[];
}

export interface PlanReminder {
  /** Unique within the plan and stable: "collection:T-14", "review:ittn:overdue-1", ... */
  id: string;
  /** The deadline it is about: "collection", "review:<bodyId>", "final" or "preliminary-review". */
  key: string;
  stage: PlanStageKey;
  kind: ReminderKind;
  /** Epoch ms. */
  at: number;
  /** Beijing date, "2023-11-16". */
  date: string;
  /** Beijing time of day, "09:00". */
  time: string;
  /** Days before the deadline's day; negative after it (overdue). */
  offsetDays: number;
  recipient: PlanRecipient;
  /** The deadline instant, epoch ms, and as the notices write it. */
  deadlineAt: number;
  deadline: string;
}

export interface PlanReviewBody {
  id: string;
  name: Bilingual;
  parts: string[];
}

/** What a funded list or field may award: slots × amount (元), as its notice states them. */
export interface PlanFunding {
  part: string;
  slots?: number;
  amountCny?: number;
  /** slots × amount, when the notice states both. */
  totalCny?: number;
  note?: string;
}

/** A list or field whose winners owe progress reports, and when (from the planned publication). */
export interface PlanTrackedPart {
  listId: string;
  fieldId?: string;
  name: Bilingual;
  targets: number;
  reports: Array<{ id: string; kind: string; at: number; deadline: string }>;
}

export interface ProgrammePlan {
  programme: { id: string; year: number; name: Bilingual; issuer: Bilingual; source?: string };
  stages: PlanStage[];
  /** Sorted by time, then id. */
  reminders: PlanReminder[];
  /** Preliminary review bodies with something to review, in programme order. */
  reviewBodies: PlanReviewBody[];
  policy: ReminderPolicy;
  roster: { units: number; sample: boolean };
  assumptions: { path: string; note: string }[];
  /** Funded programmes only: each funded list or field, the sum of what they may award, the budget. */
  funding?: { parts: PlanFunding[]; totalCny: number; budgetCny?: number };
  /** The tracking year: report deadlines per list or field with deliverables. */
  tracking: PlanTrackedPart[];
}

const STAGE_NAMES: Record<PlanStageKey, Bilingual> = {
  collection: { zh: '征集推荐', en: 'Nomination' },
  'preliminary-review': { zh: '初评', en: 'Preliminary review' },
  'final-review': { zh: '终评', en: 'Final review' },
  publication: { zh: '发布', en: 'Publication' },
  promotion: { zh: '宣传推广', en: 'Promotion' },
  tracking: { zh: '任务跟踪', en: 'Tracking' },
};

const KIND_NAMES: Record<ReminderKind, { zh: string; en: string }> = {
  reminder: { zh: '提醒', en: 'reminder' },
  overdue: { zh: '逾期催办', en: 'overdue' },
  digest: { zh: '秘书处汇总', en: 'digest' },
};

function copyBilingual(b: Bilingual): Bilingual {
  return b.en === undefined ? { zh: b.zh } : { zh: b.zh, en: b.en };
}

function planStages(programme: Programme): PlanStage[] {
  const d = programmeDeadlines(programme);
  const stage = (key: PlanStageKey, startsAt: number, deadlineAt: number): PlanStage => ({
    key,
    name: STAGE_NAMES[key],
    startsAt,
    starts: formatBeijing(startsAt),
    deadlineAt,
    deadline: formatBeijingDeadline(deadlineAt),
  });
  return [
    stage('collection', d.collectionOpensAt, d.collectionClosesAt),
    stage('preliminary-review', d.collectionClosesAt, d.preliminaryReviewDueAt),
    stage('final-review', d.preliminaryReviewDueAt, d.finalReviewDueAt),
    stage('publication', d.finalReviewDueAt, d.publicationAt),
    stage('promotion', d.promotionFrom, d.promotionUntil),
  ];
}

function planReviewBodies(programme: Programme): PlanReviewBody[] {
  return programme.reviewBodies
    .map((body) => ({
      id: body.id,
      name: copyBilingual(body.name),
      parts: reviewAssignments(programme)
        .filter((a) => a.bodyId === body.id)
        .map((a) => partName(programme, a.listId, a.fieldId)),
    }))
    .filter((body) => body.parts.length > 0);
}

/** Who a planned notice goes to, as the plan names them (every unit is one row). */
function recipients(
  programme: Programme,
  reviewBodies: PlanReviewBody[],
): (party: NoticeParty) => PlanRecipient {
  const secretariat: PlanRecipient = { role: 'secretariat', name: copyBilingual(programme.secretariat.name) };
  const units: PlanRecipient = {
    role: 'unit',
    name: {
      zh: `全部推荐单位（${programme.roster.units.length} 家）`,
      en: `all nominating units (${programme.roster.units.length})`,
    },
  };
  return (party) => {
    if (party.kind === 'unit') return units;
    if (party.kind === 'secretariat') return secretariat;
    if (party.kind === 'final')
      return { role: 'finalReviewBody', name: copyBilingual(programme.finalReviewBody.name) };
    const body = reviewBodies.find((b) => b.id === party.id) as PlanReviewBody;
    return { role: 'reviewBody', bodyId: body.id, name: body.name, parts: body.parts };
  };
}

/** The year's schedule before the cycle starts; every unit gets the same reminders: one row. */
function planReminders(
  programme: Programme,
  recipientOf: (party: NoticeParty) => PlanRecipient,
): PlanReminder[] {
  const seen = new Set<string>();
  return yearSchedule(programme, initialScheduleState(programme), -Infinity)
    .filter((e) => e.kind === 'reminder' || e.kind === 'overdue' || e.kind === 'digest')
    .filter((e) => !seen.has(e.id) && Boolean(seen.add(e.id)))
    .map((e) => {
      const local = formatBeijing(e.at);
      const deadlineAt = e.deadlineAt as number;
      return {
        id: e.id,
        key: e.key as string,
        stage: e.stage,
        kind: e.kind as ReminderKind,
        at: e.at,
        date: local.slice(0, 10),
        time: local.slice(11, 16),
        offsetDays: e.offsetDays as number,
        recipient: recipientOf(e.party as NoticeParty),
        deadlineAt,
        deadline: formatBeijingDeadline(deadlineAt),
      };
    });
}

export function buildPlan(programme: Programme): ProgrammePlan {
  const policy = programme.reminders;
  const reviewBodies = planReviewBodies(programme);
  return {
    programme: {
      id: programme.id,
      year: programme.year,
      name: copyBilingual(programme.name),
      issuer: copyBilingual(programme.issuer),
      ...(programme.source === undefined ? {} : { source: programme.source }),
    },
    stages: planStages(programme),
    reminders: planReminders(programme, recipients(programme, reviewBodies)),
    reviewBodies,
    policy: { ...policy, daysBefore: [...policy.daysBefore] },
    roster: { units: programme.roster.units.length, sample: programme.roster.sample },
    assumptions: programme.assumptions.map((a) => ({ path: a.path, note: a.note })),
    ...(hasFunding(programme) ? { funding: planFunding(programme) } : {}),
    tracking: trackingCalendar(programme).map((part) => ({
      listId: part.listId,
      ...(part.fieldId === undefined ? {} : { fieldId: part.fieldId }),
      name: copyBilingual(part.name),
      targets: part.targets,
      reports: part.dues.map((due) => ({
        id: due.id,
        kind: due.kind,
        at: due.at,
        deadline: formatBeijingDeadline(due.at),
      })),
    })),
  };
}

function planFunding(programme: Programme): NonNullable<ProgrammePlan['funding']> {
  const parts = fundedParts(programme).map(({ name, funding: { slots, amountCny, note } }): PlanFunding => {
    const total = slots !== undefined && amountCny !== undefined ? slots * amountCny : undefined;
    return {
      part: name,
      ...(slots !== undefined ? { slots } : {}),
      ...(amountCny !== undefined ? { amountCny } : {}),
      ...(total !== undefined ? { totalCny: total } : {}),
      ...(note !== undefined ? { note } : {}),
    };
  });
  return {
    parts,
    totalCny: parts.reduce((n, p) => n + (p.totalCny ?? 0), 0),
    ...(programme.budget ? { budgetCny: programme.budget.totalCny } : {}),
  };
}

function renderFunding(funding: NonNullable<ProgrammePlan['funding']>): string[] {
  const money = (cny: number | undefined) => (cny === undefined ? '未载明' : formatWan(cny));
  const budget = funding.budgetCny === undefined ? '' : `，预算 / budget ${formatWan(funding.budgetCny)}`;
  const total = funding.parts.some((p) => p.totalCny !== undefined) ? funding.totalCny : undefined;
  return [
    '',
    '资助 / Funding',
    ...table(
      ['榜单 · 领域 / Part', '名额 / Slots', '每项 / Each', '合计 / Total'],
      [
        ...funding.parts.map((p) => [
          p.part,
          p.slots === undefined ? '未载明' : String(p.slots),
          money(p.amountCny),
          money(p.totalCny),
        ]),
        ['合计 / total', '', '', money(total)],
      ],
    ),
    ...funding.parts.filter((p) => p.note).map((p) => `- ${p.part}: ${p.note}`),
    `资助合计 / funds in all: ${total === undefined ? '通知未载明金额 / no amount stated' : `${formatWan(total)}（${total} 元）`}${budget}`,
  ];
}

function partName(programme: Programme, listId: string, fieldId?: string): string {
  const list = programme.lists.find((l) => l.id === listId);
  const field = list?.fields?.find((f) => f.id === fieldId);
  const listName = list?.name.zh ?? listId;
  return fieldId === undefined ? listName : `${listName} · ${field?.name.zh ?? fieldId}`;
}

const REPORT_KIND_NAMES: Record<string, string> = {
  'half-yearly': '半年报',
  'year-end': '年终报告',
  final: '终期报告',
};

function bilingual(b: Bilingual): string {
  return b.en ? `${b.zh} / ${b.en}` : b.zh;
}

function offsetLabel(days: number): string {
  return days >= 0 ? `T-${days}` : `T+${-days}`;
}

/** What a reminder is about, e.g. "初评截止 / preliminary review due 2023-12-30 24:00". */
function deadlineLabel(r: PlanReminder): string {
  const what: Record<PlanStageKey, string> = {
    collection: '征集截止 / nominations close',
    'preliminary-review': '初评截止 / preliminary review due',
    'final-review': '终评截止 / final review due',
    publication: '发布 / publication',
    promotion: '推广结束 / promotion ends',
    tracking: '进展报告截止 / progress report due',
  };
  return `${what[r.stage]} ${r.deadline}`;
}

/** A readable, Chinese-first plan for a terminal; every time is Beijing time. */
export function renderPlanText(plan: ProgrammePlan): string {
  const p = plan.programme;
  const lines: string[] = [
    `${p.name.zh}（${p.id}）`,
    ...(p.name.en ? [`${p.name.en} (${p.id})`] : []),
    `发布单位 / issuer: ${bilingual(p.issuer)}`,
    `推荐单位 / units: ${plan.roster.units}${plan.roster.sample ? '（示例名单 / sample roster, not a real one）' : ''}`,
    `提醒规则 / reminder policy: T-${plan.policy.daysBefore.join(', T-')} ${plan.policy.at}` +
      `${plan.policy.workingDaysOnly ? '，遇节假日提前至工作日 / moved to working days' : ''}` +
      `${plan.policy.overdueEveryDays > 0 ? `，逾期每 ${plan.policy.overdueEveryDays} 天催办，最多 ${plan.policy.overdueMaxCount} 次 / overdue every ${plan.policy.overdueEveryDays} days, at most ${plan.policy.overdueMaxCount}` : ''}`,
    '所有时间均为北京时间 / all times are Beijing time (UTC+8)',
    '',
    '阶段 / Stages',
    ...table(
      ['阶段 / Stage', '开始 / Starts', '截止 (北京时间) / Deadline'],
      plan.stages.map((s) => [bilingual(s.name), s.starts, s.deadline]),
    ),
    '',
    `提醒 / Reminders (${plan.reminders.length})`,
    ...table(
      ['日期时间 (北京时间)', '类型 / Kind', '对象 / Recipient', '截止事项 / Deadline'],
      plan.reminders.map((r) => [
        `${r.date} ${r.time}`,
        `${KIND_NAMES[r.kind].zh} ${offsetLabel(r.offsetDays)}`,
        r.recipient.name.zh,
        deadlineLabel(r),
      ]),
    ),
  ];
  if (plan.reviewBodies.length > 0) {
    lines.push('', '初评分工 / Preliminary review bodies');
    for (const body of plan.reviewBodies) {
      lines.push(`- ${bilingual(body.name)}: ${body.parts.join('；')}`);
    }
  }
  if (plan.funding) lines.push(...renderFunding(plan.funding));
  if (plan.tracking.length > 0) {
    lines.push('', '任务跟踪：进展报告截止 / Tracking: progress reports due');
    lines.push(
      ...table(
        ['榜单 / List', '任务目标 / Targets', '报告截止 (北京时间) / Reports due'],
        plan.tracking.map((part) => [
          part.name.zh,
          String(part.targets),
          part.reports.map((r) => `${REPORT_KIND_NAMES[r.kind] ?? r.kind} ${r.deadline}`).join('；'),
        ]),
      ),
    );
  }
  lines.push('', '假设 / Assumptions');
  if (plan.assumptions.length === 0) lines.push('（无 / none）');
  for (const a of plan.assumptions) lines.push(`- ${a.path}: ${a.note}`);
  return `${lines.join('\n')}\n`;
}

/**
 * An iCalendar object with one event per stage deadline and one per reminder, UIDs
 * `<programmeId>.<key>@kczg` (stage key or reminder id), so a re-import updates the same events.
 */
export function renderPlanIcs(plan: ProgrammePlan, stamp: number): string {
  const p = plan.programme;
  const stageEvents: IcsEventInput[] = plan.stages.map((s) => ({
    uid: `${p.id}.${s.key}@kczg`,
    title: `${p.name.zh}：${s.name.zh}截止 / ${s.name.en ?? s.key} deadline`,
    description:
      `${bilingual(s.name)}：${s.starts} 至 ${s.deadline}（北京时间）/ ` +
      `from ${s.starts} to ${s.deadline} Beijing time.`,
    at: s.deadlineAt,
    stamp,
  }));
  const reminderEvents: IcsEventInput[] = plan.reminders.map((r) => ({
    uid: `${p.id}.${r.id}@kczg`,
    title: `${p.name.zh}：${KIND_NAMES[r.kind].zh} ${offsetLabel(r.offsetDays)} → ${r.recipient.name.zh}`,
    description:
      `${KIND_NAMES[r.kind].zh} / ${KIND_NAMES[r.kind].en}，对象 / recipient: ${bilingual(r.recipient.name)}` +
      `${r.recipient.parts ? `（${r.recipient.parts.join('；')}）` : ''}\n` +
      `${deadlineLabel(r)}（北京时间 / Beijing time）`,
    at: r.at,
    stamp,
  }));
  return icsCalendar([...stageEvents, ...reminderEvents]);
}

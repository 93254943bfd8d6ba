/**
 * `kczg mail plan` and `kczg mail preview`: what a running cycle will still send, and what one of
 * its messages looks like. Pure: the CLI gathers the cycle's status.
 *
 * The plan is the year's schedule (domain/schedule-year.ts) over the cycle's current state: the
 * same timelines the unit, review-body and cycle workflows sleep on, so it cannot drift from what
 * they send. Rows group the units that get the same message at the same instant. Times are
 * Beijing time.
 */
import { formatBeijing } from '../domain/calendar';
import { noticeKey, type NoticeParty } from '../domain/mail-ids';
import type { Bilingual, Programme, ReviewBody, Unit } from '../domain/programme';
import { formatBeijingDeadline, type ReminderKind, type ReminderRole } from '../domain/reminders';
import type { ScheduleCondition, ScheduledEvent } from '../domain/schedule';
import {
  cycleDeadlines,
  initialScheduleState,
  yearSchedule,
  type CycleScheduleState,
} from '../domain/schedule-year';
import type { CycleStatus, StageId } from '../workflows/messages';
import {
  partNames,
  programmeRef,
  type NoticeRequest,
  type NoticeTemplate,
  type NoticeUsageRow,
} from '../workflows/notices';
import type { PlanStageKey } from './plan';
import { textTable as table } from './text-table';

export const TEMPLATE_NAMES: Record<NoticeTemplate, Bilingual> = {
  collectionOpened: { zh: '征集开始通知', en: 'nominations open' },
  unitReminder: { zh: '推荐截止提醒', en: 'nomination reminder' },
  collectionClosed: { zh: '征集截止通知', en: 'nominations closed' },
  bodyReminder: { zh: '评审截止提醒', en: 'review reminder' },
  bodyOverdue: { zh: '逾期催办', en: 'overdue notice' },
  expertReminder: { zh: '专家评分提醒', en: 'expert scoring reminder' },
  secretariatDigest: { zh: '秘书处汇总', en: 'secretariat digest' },
  escalation: { zh: '逾期升级', en: 'escalation' },
  mailFailures: { zh: '投递失败汇总', en: 'undeliverable mail' },
  resultsPublished: { zh: '结果发布通知', en: 'results published' },
  reportReminder: { zh: '进展报告提醒', en: 'progress report reminder' },
  reportOverdue: { zh: '进展报告逾期催办', en: 'progress report overdue' },
  reportEscalation: { zh: '进展报告逾期升级', en: 'progress report escalation' },
};

/** Every template, in the order the names list them. */
export const NOTICE_TEMPLATES = Object.keys(TEMPLATE_NAMES) as readonly NoticeTemplate[];

export const ROLE_NAMES: Record<ReminderRole, Bilingual> = {
  unit: { zh: '推荐单位', en: 'unit' },
  reviewBody: { zh: '初评机构', en: 'review body' },
  secretariat: { zh: '秘书处', en: 'secretariat' },
  finalReviewBody: { zh: '终评机构', en: 'final review body' },
};

export interface MailPlanRecipient {
  role: ReminderRole;
  name: Bilingual;
  unitId?: string;
  bodyId?: string;
  /** For a group of units: how many. */
  count?: number;
}

export interface MailPlanEntry {
  /** Stable within a plan: "collection:T-7", "unit:cie:collection:T-1", "review:ittn:overdue-1"… */
  id: string;
  /** Epoch ms, and Beijing local time "YYYY-MM-DD HH:mm". */
  at: number;
  when: string;
  stage: PlanStageKey;
  template: NoticeTemplate;
  kind: ReminderKind | 'notice';
  recipient: MailPlanRecipient;
  /** The deadline the message is about, epoch ms, and as the notices write it. */
  deadlineAt?: number;
  deadline?: string;
  /** Sent only if this still holds then. */
  onlyIf?: Bilingual;
  /** The id the workflows keep for this reminder (what the secretariat holds or releases). */
  reminderId?: string;
  /** Held by the secretariat: not sent when due unless released. */
  held?: boolean;
}

export interface MailPlan {
  cycleId: string;
  programmeId: string;
  stage: StageId;
  paused: boolean;
  /** Programme time the plan is computed from, epoch ms and Beijing. */
  now: number;
  nowText: string;
  messages: MailPlanEntry[];
}

export type CycleView = Pick<
  CycleStatus,
  'cycleId' | 'stage' | 'paused' | 'deadlines' | 'unitExtensions' | 'parts'
> & { heldMailings?: string[] };

/** Programme time of a running cycle: its last step, or the server clock with its offset if later. */
export function programmeNow(status: Pick<CycleStatus, 'now' | 'clockOffsetMs'>, wallClock: number): number {
  return Math.max(status.now, wallClock + status.clockOffsetMs);
}

const OWES_WORK: Bilingual = {
  zh: '该单位仍有名额未用且未声明完成',
  en: 'the unit still has quota left and has not marked itself complete',
};
const ONLY_IF: Record<ScheduleCondition, Bilingual> = {
  'owes-work': OWES_WORK,
  'results-outstanding': { zh: '仍有评审结果未报送', en: 'results are still outstanding' },
  'scores-outstanding': { zh: '该专家仍有评分未提交', en: 'the expert still owes score sheets' },
  'final-outstanding': { zh: '终评结果尚未提交', en: 'the final results are not in yet' },
  'final-in': { zh: '终评结果已提交', en: 'the final results are in' },
};
const ESCALATES: Bilingual = { zh: '有评审机构逾期未报送', en: 'a review body has not reported by then' };

const partyKey = (party: NoticeParty) =>
  party.kind === 'unit' || party.kind === 'review' ? `${party.kind}:${party.id}` : party.kind;

/**
 * The cycle's state for the schedule, from its status. The status does not say which mail each
 * party was sent: counted as sent is what fell due before `now` under the programme's own
 * deadlines or the cycle's current ones (a unit's extension, or the stage's deadline without it).
 */
export function scheduleStateOf(programme: Programme, status: CycleView, now: number): CycleScheduleState {
  const current: CycleScheduleState = {
    stage: status.stage,
    deadlines: status.deadlines,
    unitExtensions: status.unitExtensions,
    parts: status.parts,
    finalIn: status.stage === 'awaiting-publication' || status.stage === 'promotion',
    sent: () => new Set(),
  };
  const sent = new Map<string, Set<string>>();
  const earlier = [initialScheduleState(programme), { ...current, stage: 'collection-pending' as const }];
  for (const state of [...earlier, { ...earlier[1], unitExtensions: {} }]) {
    for (const event of yearSchedule(programme, state, -Infinity)) {
      if (event.at > now || !event.party) continue;
      const key = partyKey(event.party);
      sent.set(key, (sent.get(key) ?? new Set()).add(event.id));
    }
  }
  return { ...current, sent: (party) => sent.get(partyKey(party)) ?? new Set() };
}

/** The id the plan shows: the workflows' reminder id, or a notice named by its stage. */
function planId(event: ScheduledEvent): string {
  if (event.id === 'opened') return 'collection:opened';
  if (event.id.startsWith('closed@')) return 'collection:closed';
  if (event.id === 'published') return 'publication:published';
  if (event.template === 'escalation') return 'preliminary-review:escalation';
  return event.id;
}

interface PlanRow {
  event: ScheduledEvent;
  id: string;
  recipient: MailPlanRecipient;
}

/** Units' messages: one row for all units, or for those on the common deadline, or per unit. */
function unitRows(programme: Programme, status: CycleView, events: ScheduledEvent[]): PlanRow[] {
  const units = programme.roster.units;
  const extended = new Set(
    units
      .filter((u) => (status.unitExtensions[u.id] ?? 0) > status.deadlines.collectionClosesAt)
      .map((u) => u.id),
  );
  const regular = units.length - extended.size;
  const groups = new Map<string, ScheduledEvent[]>();
  for (const e of events) groups.set(`${e.id}@${e.at}`, [...(groups.get(`${e.id}@${e.at}`) ?? []), e]);
  return [...groups.values()].flatMap((group): PlanRow[] => {
    const ids = group.map((e) => (e.party as { id: string }).id);
    const allUnits = ids.length === units.length;
    if (allUnits || (ids.length === regular && ids.every((id) => !extended.has(id)))) {
      const n = ids.length;
      const name =
        allUnits || extended.size === 0
          ? { zh: `全部推荐单位（${n} 家）`, en: `all nominating units (${n})` }
          : { zh: `其余推荐单位（${n} 家）`, en: `the other nominating units (${n})` };
      return [
        { event: group[0], id: planId(group[0]), recipient: { role: 'unit' as const, name, count: n } },
      ];
    }
    return group.map((event) => {
      const unit = units.find((u) => u.id === (event.party as { id: string }).id) as Unit;
      return {
        event,
        id: `unit:${unit.id}:${planId(event)}`,
        recipient: { role: 'unit' as const, name: { zh: unit.name }, unitId: unit.id },
      };
    });
  });
}

function recipientOf(programme: Programme, party: NoticeParty): MailPlanRecipient {
  if (party.kind === 'secretariat') return { role: 'secretariat', name: programme.secretariat.name };
  if (party.kind === 'final') return { role: 'finalReviewBody', name: programme.finalReviewBody.name };
  const id = (party as { id: string }).id;
  const body = programme.reviewBodies.find((b) => b.id === id);
  return { role: 'reviewBody', name: body?.name ?? { zh: id }, bodyId: id };
}

/** Every message the cycle will still send after `now`, by time: the year's schedule, as rows. */
export function buildMailPlan(args: { programme: Programme; status: CycleView; now: number }): MailPlan {
  const { programme, status, now } = args;
  const events = yearSchedule(programme, scheduleStateOf(programme, status, now), now).filter(
    (e) => e.kind !== 'stage' && e.party,
  );
  const held = new Set(status.heldMailings ?? []);
  const rows: PlanRow[] = [
    ...unitRows(
      programme,
      status,
      events.filter((e) => e.party?.kind === 'unit'),
    ),
    ...events
      .filter((e) => e.party?.kind !== 'unit')
      .map((event) => ({
        event,
        id: planId(event),
        recipient: recipientOf(programme, event.party as NoticeParty),
      })),
  ];
  const messages: MailPlanEntry[] = rows.map(({ event, id, recipient }) => {
    const reminderId = event.kind === 'notice' ? undefined : event.id;
    return {
      id,
      at: event.at,
      when: formatBeijing(event.at),
      stage: event.stage,
      template: event.template as NoticeTemplate,
      kind: event.kind === 'notice' ? 'notice' : (event.kind as ReminderKind),
      recipient,
      ...(event.deadlineAt === undefined
        ? {}
        : { deadlineAt: event.deadlineAt, deadline: formatBeijingDeadline(event.deadlineAt) }),
      ...(event.onlyIf
        ? { onlyIf: event.template === 'escalation' ? ESCALATES : ONLY_IF[event.onlyIf] }
        : {}),
      ...(reminderId === undefined ? {} : { reminderId, ...(held.has(reminderId) ? { held: true } : {}) }),
    };
  });
  messages.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    cycleId: status.cycleId,
    programmeId: programme.id,
    stage: status.stage,
    paused: status.paused,
    now,
    nowText: formatBeijing(now),
    messages,
  };
}

export function renderMailPlanText(plan: MailPlan): string {
  const lines = [
    `${plan.cycleId} · 阶段 / stage: ${plan.stage}${plan.paused ? '（已暂停 / paused）' : ''}`,
    `当前时间 / programme time: ${plan.nowText}（北京时间 / Beijing time）`,
    ...(plan.paused
      ? [
          '时钟已暂停：暂停期间不发送，恢复后未到的时间顺延暂停时长 / paused: nothing is sent; on resume, times shift by the pause’s length',
        ]
      : []),
    '',
    `待发邮件 / messages still to send (${plan.messages.length})`,
    ...table(
      ['时间 (北京时间)', '模板 / template', '对象 / recipient', '截止 / deadline', '条件 / only if'],
      plan.messages.map((m) => [
        m.when,
        `${TEMPLATE_NAMES[m.template].zh} ${m.template}`,
        `${ROLE_NAMES[m.recipient.role].zh}：${m.recipient.name.zh}`,
        m.deadline ?? '',
        [m.held ? '已暂停发送 / held' : '', m.onlyIf?.zh ?? ''].filter(Boolean).join('；'),
      ]),
    ),
  ];
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Preview

export interface PreviewArgs {
  cycleId: string;
  programme: Programme;
  template: NoticeTemplate;
  /** When the message is rendered (days left are counted from here), epoch ms. */
  issuedAt: number;
  /** The deadline the message is about (none for resultsPublished). */
  deadline?: number;
  unit: Unit;
  /** The review body (or the final review body) for bodyReminder / bodyOverdue. */
  body: ReviewBody;
  usage: NoticeUsageRow[];
  awaiting: NonNullable<NoticeRequest['awaiting']>;
  missing: string[];
}

/** The notice request the workflows would send for this template, with the given data. */
export function previewRequest(args: PreviewArgs): NoticeRequest {
  const { programme, template } = args;
  const common = {
    cycleId: args.cycleId,
    template,
    programme: programmeRef(programme),
    issuedAt: args.issuedAt,
    ...(args.deadline === undefined ? {} : { deadline: args.deadline }),
  };
  switch (template) {
    case 'collectionOpened':
    case 'unitReminder':
    case 'collectionClosed':
    case 'resultsPublished':
    case 'reportReminder':
    case 'reportOverdue':
      return {
        ...common,
        businessKey: noticeKey(args.cycleId, { kind: 'unit', id: args.unit.id }, 'preview'),
        to: [
          {
            name: args.unit.contact ? `${args.unit.name} ${args.unit.contact}` : args.unit.name,
            email: args.unit.email,
          },
        ],
        party: args.unit.name,
        usage: args.usage,
      };
    case 'bodyReminder':
    case 'bodyOverdue':
    case 'expertReminder':
      return {
        ...common,
        businessKey: noticeKey(args.cycleId, { kind: 'review', id: args.body.id }, 'preview'),
        to: args.body.contacts.map((c) => ({ name: `${args.body.name.zh} ${c.name}`, email: c.email })),
        party: args.body.name.zh,
        awaiting: args.awaiting,
      };
    case 'secretariatDigest':
    case 'escalation':
    case 'mailFailures':
    case 'reportEscalation':
      return {
        ...common,
        businessKey: noticeKey(args.cycleId, { kind: 'secretariat' }, 'preview'),
        to: programme.secretariat.contacts.map((c) => ({
          name: `${programme.secretariat.name.zh} ${c.name}`,
          email: c.email,
        })),
        party: programme.secretariat.name.zh,
        missing: args.missing,
      };
  }
}

/** What a review body (or, with `final`, the final review body) has awaiting, per part. */
export function awaitingOf(
  programme: Programme,
  status: Pick<CycleStatus, 'parts'>,
  bodyId: string | 'final',
): NonNullable<NoticeRequest['awaiting']> {
  return status.parts
    .filter((p) => bodyId === 'final' || p.reviewBodies.some((b) => b.bodyId === bodyId))
    .map((p) => ({
      ...partNames(programme, p.listId, p.fieldId),
      count:
        bodyId === 'final'
          ? p.reviewBodies.reduce((n, b) => n + (b.shortlisted ?? 0), 0)
          : p.reviewBodies.find((b) => b.bodyId === bodyId)?.reportedAt === undefined
            ? p.nominations
            : 0,
    }))
    .filter((a, _i, all) => a.count > 0 || all.every((x) => x.count === 0));
}

/** A programme's cycle as it would stand before it starts: for previews without a running cycle. */
export function presetView(programme: Programme, cycleId: string): CycleView {
  const { stage, deadlines, unitExtensions, parts } = initialScheduleState(programme);
  return {
    cycleId,
    stage,
    paused: false,
    deadlines: cycleDeadlines(deadlines),
    unitExtensions,
    parts,
  };
}

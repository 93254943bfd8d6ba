/**
 * `kczg mail plan` and `kczg mail preview`: what a running cycle will still send, and what one of
 * its messages looks like. Pure: the CLI gathers the cycle's status and entity states.
 *
 * The plan starts from buildPlan() (client/plan.ts) over a copy of the programme whose stages
 * carry the cycle's current deadlines (extensions, pauses), then follows the workflows where a
 * cycle differs from its programme: units with their own extension are reminded on their own
 * deadline, review bodies on their parts' deadlines, and a reminder already sent under an earlier
 * deadline is not sent again (the workflows keep its id; "earlier" means the programme's own or
 * the stage's current deadline: an intermediate extension is not in the status). Stage notices
 * (opening, closing, escalation, publication) are added. Times are Beijing time.
 */
import { formatBeijing } from '../domain/calendar';
import type { Bilingual, Programme, ReviewBody, Unit } from '../domain/programme';
import { quotaKey } from '../domain/quota';
import {
  formatBeijingDeadline,
  planReminders,
  type PlannedReminder,
  type ReminderKind,
  type ReminderRole,
} from '../domain/reminders';
import type { CycleStatus, StageId } from '../workflows/messages';
import {
  programmeRef,
  type NoticeRequest,
  type NoticeTemplate,
  type NoticeUsageRow,
} from '../workflows/notices';
import { programmeDeadlines, reviewAssignments } from '../domain/timeline';
import { buildPlan, type PlanStageKey } from './plan';

export const NOTICE_TEMPLATES: readonly NoticeTemplate[] = [
  'collectionOpened',
  'unitReminder',
  'collectionClosed',
  'bodyReminder',
  'bodyOverdue',
  'secretariatDigest',
  'escalation',
  'mailFailures',
  'resultsPublished',
];

export const TEMPLATE_NAMES: Record<NoticeTemplate, Bilingual> = {
  collectionOpened: { zh: '征集开始通知', en: 'nominations open' },
  unitReminder: { zh: '推荐截止提醒', en: 'nomination reminder' },
  collectionClosed: { zh: '征集截止通知', en: 'nominations closed' },
  bodyReminder: { zh: '评审截止提醒', en: 'review reminder' },
  bodyOverdue: { zh: '逾期催办', en: 'overdue notice' },
  secretariatDigest: { zh: '秘书处汇总', en: 'secretariat digest' },
  escalation: { zh: '逾期升级', en: 'escalation' },
  mailFailures: { zh: '投递失败汇总', en: 'undeliverable mail' },
  resultsPublished: { zh: '结果发布通知', en: 'results published' },
};

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

/**
 * "YYYY-MM-DD HH:mm" of a deadline, rounded up to the minute: a deadline moved by a pause lies
 * between minutes, and rounding up keeps the Beijing day reminders are counted from.
 */
function deadlineText(at: number): string {
  return formatBeijingDeadline(Math.ceil(at / 60_000) * 60_000);
}

/** The programme with its stages replaced by the cycle's current deadlines. */
export function programmeWithDeadlines(programme: Programme, d: CycleStatus['deadlines']): Programme {
  return {
    ...programme,
    stages: {
      collection: { opens: deadlineText(d.collectionOpensAt), closes: deadlineText(d.collectionClosesAt) },
      preliminaryReview: { due: deadlineText(d.preliminaryReviewDueAt) },
      finalReview: { due: deadlineText(d.finalReviewDueAt) },
      publication: { on: deadlineText(d.publicationAt) },
      promotion: { from: programme.stages.promotion.from, until: deadlineText(d.promotionUntil) },
    },
  };
}

const STAGE_RANK: Record<StageId, number> = {
  'collection-pending': 0,
  collection: 1,
  'preliminary-review': 2,
  'final-review': 3,
  'awaiting-publication': 4,
  promotion: 5,
  closed: 99,
  cancelled: 99,
};
const ENTRY_RANK: Record<PlanStageKey, number> = {
  collection: 1,
  'preliminary-review': 2,
  'final-review': 3,
  publication: 4,
  promotion: 5,
};

const OWES_WORK: Bilingual = {
  zh: '该单位仍有名额未用且未声明完成',
  en: 'the unit still has quota left and has not marked itself complete',
};
const RESULTS_OUTSTANDING: Bilingual = { zh: '仍有评审结果未报送', en: 'results are still outstanding' };
const FINAL_OUTSTANDING: Bilingual = { zh: '终评结果尚未提交', en: 'the final results are not in yet' };
const FINAL_IN: Bilingual = { zh: '终评结果已提交', en: 'the final results are in' };

/** Every message the cycle will still send after `now`, by time. */
export function buildMailPlan(args: { programme: Programme; status: CycleView; now: number }): MailPlan {
  const { programme, status, now } = args;
  const d = status.deadlines;
  const policy = programme.reminders;
  const base = buildPlan(programmeWithDeadlines(programme, d));
  /** The programme's own plan: a reminder it had before `now` was sent under that id already. */
  const original = buildPlan(programme).reminders;
  const sentBefore = (id: string) => original.some((o) => o.id === id && o.at <= now);
  const rank = STAGE_RANK[status.stage];
  const handedOver = rank >= STAGE_RANK['preliminary-review'];
  const messages: MailPlanEntry[] = [];
  const held = new Set(status.heldMailings ?? []);
  const add = (entry: Omit<MailPlanEntry, 'when' | 'deadline' | 'reminderId' | 'held'>) => {
    if (entry.at <= now || ENTRY_RANK[entry.stage] < rank) return;
    // A unit's own reminder is kept by its workflow under the plain id ("collection:T-1").
    const reminderId = entry.kind === 'notice' ? undefined : entry.id.replace(/^unit:[^:]+:/, '');
    messages.push({
      ...entry,
      when: formatBeijing(entry.at),
      ...(entry.deadlineAt === undefined ? {} : { deadline: formatBeijingDeadline(entry.deadlineAt) }),
      ...(reminderId === undefined ? {} : { reminderId, ...(held.has(reminderId) ? { held: true } : {}) }),
    });
  };
  /** Planned reminders on a moved deadline, less those already sent under the old one. */
  const stillDue = (moved: PlannedReminder[], old: PlannedReminder[]) =>
    moved.filter((r) => !old.some((o) => o.id === r.id && o.at <= now) && !sentBefore(r.id));

  // Units: the stage deadline, or their own extension.
  const stageClose = d.collectionClosesAt;
  const units = programme.roster.units;
  const extended = units
    .filter((u) => (status.unitExtensions[u.id] ?? 0) > stageClose)
    .map((u) => ({ unit: u, closesAt: status.unitExtensions[u.id] }));
  const regular = units.length - extended.length;
  const group = (n: number, others: boolean): MailPlanRecipient => ({
    role: 'unit',
    name: others
      ? { zh: `其余推荐单位（${n} 家）`, en: `the other nominating units (${n})` }
      : { zh: `全部推荐单位（${n} 家）`, en: `all nominating units (${n})` },
    count: n,
  });
  const regularUnits = group(regular, extended.length > 0);
  const unitRecipient = (u: Unit): MailPlanRecipient => ({
    role: 'unit',
    name: { zh: u.name },
    unitId: u.id,
  });
  const collectionClosesAt = Math.max(stageClose, ...extended.map((e) => e.closesAt));

  add({
    id: 'collection:opened',
    at: d.collectionOpensAt,
    stage: 'collection',
    template: 'collectionOpened',
    kind: 'notice',
    recipient: group(units.length, false),
    deadlineAt: stageClose,
  });
  if (regular > 0) {
    add({
      id: 'collection:closed',
      at: stageClose,
      stage: 'collection',
      template: 'collectionClosed',
      kind: 'notice',
      recipient: regularUnits,
      deadlineAt: stageClose,
    });
  }
  const unitPlan = (at: number) =>
    planReminders({
      deadlines: [{ key: 'collection', at, role: 'unit' }],
      policy,
      opensAt: d.collectionOpensAt,
    }).filter((r) => r.kind === 'reminder');
  for (const { unit, closesAt } of extended) {
    for (const r of stillDue(unitPlan(closesAt), unitPlan(stageClose))) {
      add({
        id: `unit:${unit.id}:${r.id}`,
        at: r.at,
        stage: 'collection',
        template: 'unitReminder',
        kind: 'reminder',
        recipient: unitRecipient(unit),
        deadlineAt: closesAt,
        onlyIf: OWES_WORK,
      });
    }
    add({
      id: `unit:${unit.id}:collection:closed`,
      at: closesAt,
      stage: 'collection',
      template: 'collectionClosed',
      kind: 'notice',
      recipient: unitRecipient(unit),
      deadlineAt: closesAt,
    });
  }

  // Review bodies: each on the latest deadline of the parts it reviews.
  const partsOf = (bodyId: string) =>
    status.parts.filter(
      (p) => p.reviewBodies.some((b) => b.bodyId === bodyId) && (!handedOver || p.nominations > 0),
    );
  const bodyDue = (bodyId: string) =>
    Math.max(d.preliminaryReviewDueAt, ...partsOf(bodyId).map((p) => p.dueAt));
  const bodyDone = (bodyId: string) =>
    handedOver &&
    partsOf(bodyId).every((p) => p.reviewBodies.find((b) => b.bodyId === bodyId)?.reportedAt !== undefined);
  const partsDueAt = Math.max(d.preliminaryReviewDueAt, ...status.parts.map((p) => p.dueAt));
  const allReported =
    handedOver && status.parts.every((p) => p.reviewBodies.every((b) => b.reportedAt !== undefined));
  const bodyPlan = (bodyId: string, at: number) =>
    planReminders({
      deadlines: [{ key: `review:${bodyId}`, at, role: 'reviewBody' }],
      policy,
      opensAt: d.collectionClosesAt,
    }).filter((r) => r.kind !== 'digest');
  const digestPlan = (key: string, at: number, role: ReminderRole) =>
    planReminders({ deadlines: [{ key, at, role }], policy }).filter((r) => r.kind === 'digest');

  for (const r of base.reminders) {
    if (sentBefore(r.id)) continue;
    const entry = {
      id: r.id,
      at: r.at,
      stage: r.stage,
      kind: r.kind,
      deadlineAt: r.deadlineAt,
    };
    if (r.stage === 'collection') {
      if (r.kind === 'reminder' && regular > 0) {
        add({ ...entry, template: 'unitReminder', recipient: regularUnits, onlyIf: OWES_WORK });
      } else if (r.kind === 'digest' && collectionClosesAt === stageClose) {
        add({ ...entry, template: 'secretariatDigest', recipient: secretariatOf(programme) });
      }
    } else if (r.stage === 'preliminary-review') {
      if (r.kind === 'digest') {
        if (partsDueAt === d.preliminaryReviewDueAt && !allReported) {
          add({
            ...entry,
            template: 'secretariatDigest',
            recipient: secretariatOf(programme),
            onlyIf: RESULTS_OUTSTANDING,
          });
        }
        continue;
      }
      const bodyId = r.recipient.bodyId as string;
      if (bodyDone(bodyId) || bodyDue(bodyId) !== d.preliminaryReviewDueAt) continue;
      if (handedOver && partsOf(bodyId).length === 0) continue;
      add({
        ...entry,
        template: r.kind === 'overdue' ? 'bodyOverdue' : 'bodyReminder',
        recipient: { role: 'reviewBody', name: r.recipient.name, bodyId },
        onlyIf: RESULTS_OUTSTANDING,
      });
    } else if (r.stage === 'final-review') {
      add({
        ...entry,
        template: r.kind === 'overdue' ? 'bodyOverdue' : 'bodyReminder',
        recipient: { role: 'finalReviewBody', name: r.recipient.name },
        onlyIf: FINAL_OUTSTANDING,
      });
    }
  }

  // Deadlines that moved away from the stage's: recomputed as the workflows re-plan them.
  if (collectionClosesAt !== stageClose) {
    for (const r of stillDue(
      digestPlan('collection', collectionClosesAt, 'unit'),
      digestPlan('collection', stageClose, 'unit'),
    )) {
      add({
        id: r.id,
        at: r.at,
        stage: 'collection',
        template: 'secretariatDigest',
        kind: 'digest',
        recipient: secretariatOf(programme),
        deadlineAt: collectionClosesAt,
      });
    }
  }
  for (const body of base.reviewBodies) {
    const due = bodyDue(body.id);
    if (due === d.preliminaryReviewDueAt || bodyDone(body.id)) continue;
    if (handedOver && partsOf(body.id).length === 0) continue;
    for (const r of stillDue(bodyPlan(body.id, due), bodyPlan(body.id, d.preliminaryReviewDueAt))) {
      add({
        id: r.id,
        at: r.at,
        stage: 'preliminary-review',
        template: r.kind === 'overdue' ? 'bodyOverdue' : 'bodyReminder',
        kind: r.kind,
        recipient: { role: 'reviewBody', name: body.name, bodyId: body.id },
        deadlineAt: due,
        onlyIf: RESULTS_OUTSTANDING,
      });
    }
  }
  if (base.reviewBodies.length > 0 && partsDueAt !== d.preliminaryReviewDueAt && !allReported) {
    for (const r of stillDue(
      digestPlan('preliminary-review', partsDueAt, 'reviewBody'),
      digestPlan('preliminary-review', d.preliminaryReviewDueAt, 'reviewBody'),
    )) {
      add({
        id: r.id,
        at: r.at,
        stage: 'preliminary-review',
        template: 'secretariatDigest',
        kind: 'digest',
        recipient: secretariatOf(programme),
        deadlineAt: partsDueAt,
        onlyIf: RESULTS_OUTSTANDING,
      });
    }
  }

  if (base.reviewBodies.length > 0 && !allReported) {
    add({
      id: 'preliminary-review:escalation',
      at: partsDueAt,
      stage: 'preliminary-review',
      template: 'escalation',
      kind: 'notice',
      recipient: secretariatOf(programme),
      deadlineAt: partsDueAt,
      onlyIf: { zh: '有评审机构逾期未报送', en: 'a review body has not reported by then' },
    });
  }
  add({
    id: 'publication:published',
    at: d.publicationAt,
    stage: 'publication',
    template: 'resultsPublished',
    kind: 'notice',
    recipient: group(units.length, false),
    onlyIf: FINAL_IN,
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

function secretariatOf(programme: Programme): MailPlanRecipient {
  return { role: 'secretariat', name: programme.secretariat.name };
}

/** Terminal columns: East Asian wide characters take two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const cp = char.codePointAt(0) as number;
    width +=
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6)
        ? 2
        : 1;
  }
  return width;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i]))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - displayWidth(c))))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
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
      return {
        ...common,
        businessKey: `${args.cycleId}/unit/${args.unit.id}/preview`,
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
      return {
        ...common,
        businessKey: `${args.cycleId}/review/${args.body.id}/preview`,
        to: args.body.contacts.map((c) => ({ name: `${args.body.name.zh} ${c.name}`, email: c.email })),
        party: args.body.name.zh,
        awaiting: args.awaiting,
      };
    case 'secretariatDigest':
    case 'escalation':
    case 'mailFailures':
      return {
        ...common,
        businessKey: `${args.cycleId}/secretariat/preview`,
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
  const names = (listId: string, fieldId?: string) => {
    const list = programme.lists.find((l) => l.id === listId);
    const field = list?.fields?.find((f) => f.id === fieldId);
    return { list: list?.name.zh ?? listId, ...(fieldId ? { field: field?.name.zh ?? fieldId } : {}) };
  };
  return status.parts
    .filter((p) => bodyId === 'final' || p.reviewBodies.some((b) => b.bodyId === bodyId))
    .map((p) => ({
      ...names(p.listId, p.fieldId),
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
  const d = programmeDeadlines(programme);
  const parts = new Map<string, CycleStatus['parts'][number]>();
  for (const a of reviewAssignments(programme)) {
    const key = quotaKey(a.listId, a.fieldId);
    const part = parts.get(key) ?? {
      listId: a.listId,
      ...(a.fieldId ? { fieldId: a.fieldId } : {}),
      nominations: 0,
      reviewBodies: [],
      dueAt: d.preliminaryReviewDueAt,
    };
    part.reviewBodies.push({ bodyId: a.bodyId });
    parts.set(key, part);
  }
  return {
    cycleId,
    stage: 'collection-pending',
    paused: false,
    deadlines: {
      collectionOpensAt: d.collectionOpensAt,
      collectionClosesAt: d.collectionClosesAt,
      preliminaryReviewDueAt: d.preliminaryReviewDueAt,
      finalReviewDueAt: d.finalReviewDueAt,
      publicationAt: d.publicationAt,
      promotionUntil: d.promotionUntil,
    },
    unitExtensions: {},
    parts: [...parts.values()],
  };
}

/**
 * The schedule: every future event of one timeline (a unit's, a review body's, the cycle's
 * digests or the final review's reminders) as data, in the order it happens, and the rule for
 * what to send on waking when events fell due while no worker ran. The workflows sleep until the
 * next event of their timeline and execute it; the year's schedule (schedule-year.ts) puts every
 * timeline of a cycle together for `kczg plan` and `kczg mail plan`. Pure and deterministic.
 */
import type { ReminderPolicy } from './programme';
import type { ReportDueAt } from './deliverables';
import { expertMailId, type NoticeParty } from './mail-ids';
import { planReminders, type ReminderRole } from './reminders';

export type ScheduleStage =
  'collection' | 'preliminary-review' | 'final-review' | 'publication' | 'promotion' | 'tracking';

export type MailTemplate =
  | 'collectionOpened'
  | 'unitReminder'
  | 'collectionClosed'
  | 'bodyReminder'
  | 'bodyOverdue'
  | 'expertReminder'
  | 'secretariatDigest'
  | 'escalation'
  | 'mailFailures'
  | 'resultsPublished'
  | 'reportReminder'
  | 'reportOverdue'
  | 'reportEscalation';

/** What must still hold when an event is due for its mail to go. */
export type ScheduleCondition =
  'owes-work' | 'results-outstanding' | 'scores-outstanding' | 'final-outstanding' | 'final-in';

export type ScheduledKind = 'stage' | 'notice' | 'reminder' | 'overdue' | 'digest';

export interface ScheduledEvent {
  /**
   * The id its workflow keeps (and the secretariat holds): a reminder id ("collection:T-7",
   * "review:ittn:overdue-1", "collection:digest-T-14"), a notice id ("opened", "closed@<ms>",
   * "escalation/preliminary-review", "published"), or for a stage change the stage entered.
   */
  id: string;
  at: number;
  kind: ScheduledKind;
  stage: ScheduleStage;
  /** Whom the mail goes to (stage changes have none). */
  party?: NoticeParty;
  template?: MailTemplate;
  /** The deadline the event is about. */
  deadlineAt?: number;
  onlyIf?: ScheduleCondition;
  /** Reminders: the deadline's key ("collection", "review:ittn") and days before it (negative after). */
  key?: string;
  offsetDays?: number;
}

/** Events already sent or held, and the instant planning starts from (earlier ones never go). */
export interface TimelineFilter {
  sent: ReadonlySet<string>;
  held: ReadonlySet<string>;
  /** Reminders before this instant are not planned (the workflow began later). */
  from: number;
}

const byTime = (a: ScheduledEvent, b: ScheduledEvent) => a.at - b.at;

/** A unit's timeline: the opening notice, reminders while the window is open, the closing notice. */
export function unitTimeline(
  policy: ReminderPolicy,
  unit: TimelineFilter & { unitId: string; opensAt: number; closesAt: number; paused: boolean },
): ScheduledEvent[] {
  const party: NoticeParty = { kind: 'unit', id: unit.unitId };
  const about = { stage: 'collection' as const, party, deadlineAt: unit.closesAt };
  const reminders = planReminders({
    deadlines: [{ key: 'collection', at: unit.closesAt, role: 'unit' }],
    policy,
    opensAt: unit.opensAt,
  }).filter((r) => r.kind === 'reminder');
  const events: ScheduledEvent[] = [
    { id: 'opened', at: unit.opensAt, kind: 'notice', template: 'collectionOpened', ...about },
    ...reminders.map((r) => ({
      id: r.id,
      at: r.at,
      kind: 'reminder' as const,
      template: 'unitReminder' as const,
      onlyIf: 'owes-work' as const,
      key: r.key,
      offsetDays: r.offsetDays,
      ...about,
    })),
    {
      id: `closed@${unit.closesAt}`,
      at: unit.closesAt,
      kind: 'notice',
      template: 'collectionClosed',
      ...about,
    },
  ];
  // While paused only the opening notice can go: the rest waits for the resumed deadline.
  return events
    .filter(
      (e) =>
        !unit.sent.has(e.id) &&
        !unit.held.has(e.id) &&
        (e.kind !== 'reminder' || e.at >= unit.from) &&
        !(unit.paused && e.template !== 'collectionOpened'),
    )
    .sort(byTime);
}

/** A deadline others owe and the reminders (or, for the secretariat, digests) that lead to it. */
function remindersOf(
  policy: ReminderPolicy,
  deadline: { key: string; at: number; role: ReminderRole },
  keep: 'digests' | 'reminders',
  filter: TimelineFilter,
  about: Pick<ScheduledEvent, 'stage' | 'party' | 'onlyIf'>,
): ScheduledEvent[] {
  return planReminders({ deadlines: [deadline], policy })
    .filter(
      (r) =>
        (keep === 'digests') === (r.kind === 'digest') &&
        !filter.sent.has(r.id) &&
        !filter.held.has(r.id) &&
        r.at >= filter.from,
    )
    .map((r) => ({
      id: r.id,
      at: r.at,
      kind: r.kind,
      key: r.key,
      offsetDays: r.offsetDays,
      deadlineAt: deadline.at,
      template: (r.kind === 'digest'
        ? 'secretariatDigest'
        : r.kind === 'overdue'
          ? 'bodyOverdue'
          : 'bodyReminder') as MailTemplate,
      ...about,
    }))
    .sort(byTime);
}

/** A review body's reminders and overdue notices, while it has parts to report. */
export function reviewBodyTimeline(
  policy: ReminderPolicy,
  body: TimelineFilter & { bodyId: string; dueAt: number; outstanding: boolean },
): ScheduledEvent[] {
  if (!body.outstanding) return [];
  return remindersOf(
    policy,
    { key: `review:${body.bodyId}`, at: body.dueAt, role: 'reviewBody' },
    'reminders',
    body,
    {
      stage: 'preliminary-review',
      party: { kind: 'review', id: body.bodyId },
      onlyIf: 'results-outstanding',
    },
  );
}

/**
 * Reminders to the body's experts who still owe score sheets: each expert gets the body's
 * reminders before the deadline (not its overdue notices: those go to the body), under the id
 * `expert/<expertId>/<reminderId>`; holding the body's reminder holds its experts' too.
 */
export function expertReminderTimeline(
  policy: ReminderPolicy,
  body: TimelineFilter & { bodyId: string; dueAt: number; owing: readonly string[] },
): ScheduledEvent[] {
  if (body.owing.length === 0) return [];
  const reminders = reviewBodyTimeline(policy, {
    ...body,
    outstanding: true,
    sent: new Set(),
  }).filter((r) => r.kind === 'reminder');
  return body.owing
    .flatMap((expertId) =>
      reminders.map((r) => ({
        ...r,
        id: expertMailId(expertId, r.id),
        template: 'expertReminder' as const,
        onlyIf: 'scores-outstanding' as const,
      })),
    )
    .filter((e) => !body.sent.has(e.id) && !body.held.has(e.id))
    .sort(byTime);
}

/** The secretariat's digests of who still owes a stage's deadline. */
export function digestTimeline(
  policy: ReminderPolicy,
  digest: TimelineFilter & {
    key: 'collection' | 'preliminary-review' | 'publication' | 'promotion';
    deadlineAt: number;
    owner: ReminderRole;
  },
): ScheduledEvent[] {
  const stage: ScheduleStage = digest.key;
  return remindersOf(
    policy,
    { key: digest.key, at: digest.deadlineAt, role: digest.owner },
    'digests',
    digest,
    {
      stage,
      party: { kind: 'secretariat' },
      ...(digest.key === 'preliminary-review' ? { onlyIf: 'results-outstanding' as const } : {}),
    },
  );
}

/** The final review body's reminders and overdue notices. */
export function finalReviewTimeline(
  policy: ReminderPolicy,
  final: TimelineFilter & { dueAt: number },
): ScheduledEvent[] {
  return remindersOf(policy, { key: 'final', at: final.dueAt, role: 'finalReviewBody' }, 'reminders', final, {
    stage: 'final-review',
    party: { kind: 'final' },
    onlyIf: 'final-outstanding',
  });
}

/**
 * A funded project's report timeline: for each report it still owes, reminders to its owner
 * (working days before, as for nominations), overdue notices after the deadline, and with the
 * first overdue notice an escalation to the secretariat. Ids: "report:<dueId>:T-7",
 * "report:<dueId>:overdue-1", "report:<dueId>:escalation".
 */
export function projectReportTimeline(
  policy: ReminderPolicy,
  project: TimelineFilter & { unitId: string; dues: readonly ReportDueAt[]; owed: ReadonlySet<string> },
): ScheduledEvent[] {
  const owner: NoticeParty = { kind: 'unit', id: project.unitId };
  const events = project.dues
    .filter((due) => project.owed.has(due.id))
    .flatMap((due): ScheduledEvent[] => {
      const planned = planReminders({
        deadlines: [{ key: `report:${due.id}`, at: due.at, role: 'unit' }],
        policy,
      }).filter((r) => r.kind !== 'digest');
      const about = { stage: 'tracking' as const, deadlineAt: due.at, onlyIf: 'owes-work' as const };
      const firstOverdue = planned.find((r) => r.kind === 'overdue');
      return [
        ...planned.map((r) => ({
          id: r.id,
          at: r.at,
          kind: r.kind,
          key: r.key,
          offsetDays: r.offsetDays,
          party: owner,
          template: (r.kind === 'overdue' ? 'reportOverdue' : 'reportReminder') as MailTemplate,
          ...about,
        })),
        ...(firstOverdue
          ? [
              {
                id: `report:${due.id}:escalation`,
                at: firstOverdue.at,
                kind: 'notice' as const,
                key: firstOverdue.key,
                party: { kind: 'secretariat' as const },
                template: 'reportEscalation' as const,
                ...about,
              },
            ]
          : []),
      ];
    });
  return events
    .filter(
      (e) =>
        !project.sent.has(e.id) && !project.held.has(e.id) && (e.kind === 'notice' || e.at >= project.from),
    )
    .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * What a timeline does on waking at `now`:
 * - `in-order`: the earliest event, whenever it was due (every missed event goes, one by one);
 * - `latest-of-due`: of the events already due only the latest goes, the earlier are overtaken;
 * - `once-on-waking`: notices due go first, each once; of the reminders, digests and overdue
 *   notices due, a reminder whose deadline has passed is pointless and the earlier ones are
 *   overtaken by the latest, which goes once. Nothing due: the next future event.
 */
export type WakingRule = 'in-order' | 'latest-of-due' | 'once-on-waking';

export function nextOnWaking(
  timeline: readonly ScheduledEvent[],
  now: number,
  rule: WakingRule,
): { next: ScheduledEvent | undefined; overtaken: ScheduledEvent[] } {
  if (rule === 'in-order' || timeline.length === 0) return { next: timeline[0], overtaken: [] };
  const due = timeline.filter((e) => e.at <= now);
  if (rule === 'latest-of-due') return { next: due.at(-1) ?? timeline[0], overtaken: due.slice(0, -1) };
  const notice = due.find((e) => e.kind === 'notice');
  if (notice) return { next: notice, overtaken: [] };
  const pointless = (e: ScheduledEvent) => e.kind === 'reminder' && (e.deadlineAt ?? Infinity) <= now;
  const latest = due.filter((e) => !pointless(e)).at(-1);
  return {
    next: latest ?? timeline.find((e) => e.at > now),
    overtaken: due.filter((e) => e !== latest),
  };
}

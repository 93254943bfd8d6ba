/**
 * The year's schedule of one cycle: every future event, in order — stage changes, each unit's
 * and review body's notices, the secretariat's digests and escalation, the final review's
 * reminders, the publication notice — put together from the same timelines the workflows sleep
 * on (schedule.ts). `kczg plan` reads it over a programme before any cycle runs, `kczg mail plan`
 * over the state a cycle's status query returns. Pure.
 */
import type { NoticeParty } from './mail-ids';
import type { Programme } from './programme';
import { quotaKey } from './quota';
import {
  digestTimeline,
  expertReminderTimeline,
  finalReviewTimeline,
  reviewBodyTimeline,
  unitTimeline,
  type ScheduledEvent,
} from './schedule';
import type { CycleStage } from './steering';
import { programmeDeadlines, reviewAssignments } from './timeline';

export interface SchedulePart {
  listId: string;
  fieldId?: string;
  nominations: number;
  dueAt: number;
  reviewBodies: Array<{ bodyId: string; reportedAt?: number }>;
}

/** A cycle's current stage deadlines, as extensions and pauses moved them (epoch ms). */
export interface CycleDeadlines {
  collectionOpensAt: number;
  collectionClosesAt: number;
  preliminaryReviewDueAt: number;
  finalReviewDueAt: number;
  publicationAt: number;
  promotionUntil: number;
}

/** The deadlines a cycle steers (promotion's start is not one of them). */
export function cycleDeadlines(d: CycleDeadlines): CycleDeadlines {
  return {
    collectionOpensAt: d.collectionOpensAt,
    collectionClosesAt: d.collectionClosesAt,
    preliminaryReviewDueAt: d.preliminaryReviewDueAt,
    finalReviewDueAt: d.finalReviewDueAt,
    publicationAt: d.publicationAt,
    promotionUntil: d.promotionUntil,
  };
}

/** A cycle's state as the schedule needs it (what `cycle status` returns, less the counts). */
export interface CycleScheduleState {
  stage: CycleStage;
  deadlines: CycleDeadlines;
  unitExtensions: Record<string, number>;
  parts: SchedulePart[];
  finalIn: boolean;
  /** Mail ids each party was already sent. Held mail is listed: the caller marks it. */
  sent: (party: NoticeParty) => ReadonlySet<string>;
  /** A body's experts who still owe score sheets (from its review state), when known. */
  expertsOwing?: (bodyId: string) => readonly string[];
}

const STAGE_RANK: Record<CycleStage, number> = {
  'collection-pending': 0,
  collection: 1,
  'preliminary-review': 2,
  'final-review': 3,
  'awaiting-publication': 4,
  promotion: 5,
  closed: 99,
  cancelled: 99,
};

const NOTHING_HELD: ReadonlySet<string> = new Set();

/** A cycle's state before it starts: the programme's own deadlines, nothing sent. */
export function initialScheduleState(programme: Programme): CycleScheduleState {
  const d = programmeDeadlines(programme);
  const parts = new Map<string, SchedulePart>();
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
    stage: 'collection-pending',
    deadlines: d,
    unitExtensions: {},
    parts: [...parts.values()],
    finalIn: false,
    sent: () => new Set(),
  };
}

/** The cycle's derived instants: when collection closes for the last unit, when review ends. */
function instants(state: CycleScheduleState) {
  const d = state.deadlines;
  return {
    collectionClosesAt: Math.max(d.collectionClosesAt, ...Object.values(state.unitExtensions)),
    partsDueAt: Math.max(d.preliminaryReviewDueAt, ...state.parts.map((p) => p.dueAt)),
  };
}

function stageChanges(state: CycleScheduleState, rank: number): ScheduledEvent[] {
  const d = state.deadlines;
  const { collectionClosesAt, partsDueAt } = instants(state);
  const change = (
    id: CycleStage | 'publication',
    at: number,
    stage: ScheduledEvent['stage'],
    from: number,
  ) => (rank <= from ? [{ id, at, kind: 'stage' as const, stage }] : []);
  return [
    ...change('collection', d.collectionOpensAt, 'collection', 0),
    ...change('preliminary-review', collectionClosesAt, 'preliminary-review', 1),
    ...change('final-review', partsDueAt, 'final-review', 2),
    ...change('publication', d.publicationAt, 'publication', 4),
    ...change('closed', d.promotionUntil, 'promotion', 5),
  ];
}

function collectionEvents(programme: Programme, state: CycleScheduleState): ScheduledEvent[] {
  const d = state.deadlines;
  const units = programme.roster.units.flatMap((unit) =>
    unitTimeline(programme.reminders, {
      unitId: unit.id,
      opensAt: d.collectionOpensAt,
      closesAt: Math.max(d.collectionClosesAt, state.unitExtensions[unit.id] ?? 0),
      paused: false,
      sent: state.sent({ kind: 'unit', id: unit.id }),
      held: NOTHING_HELD,
      from: -Infinity,
    }),
  );
  // The digests count down to the common deadline, whatever single units were given.
  const digests = digestTimeline(programme.reminders, {
    key: 'collection',
    deadlineAt: d.collectionClosesAt,
    owner: 'unit',
    sent: state.sent({ kind: 'secretariat' }),
    held: NOTHING_HELD,
    from: -Infinity,
  });
  return [...units, ...digests];
}

/** Review bodies remind until they have reported, whatever stage the cycle is in. */
function reviewEvents(programme: Programme, state: CycleScheduleState, rank: number): ScheduledEvent[] {
  const handedOver = rank >= STAGE_RANK['preliminary-review'];
  const { collectionClosesAt, partsDueAt } = instants(state);
  const partsOf = (bodyId: string) =>
    state.parts.filter(
      (p) => p.reviewBodies.some((b) => b.bodyId === bodyId) && (!handedOver || p.nominations > 0),
    );
  const bodies = programme.reviewBodies.map((b) => b.id).filter((id) => partsOf(id).length > 0);
  const reported = (p: SchedulePart, bodyId: string) =>
    handedOver && p.reviewBodies.find((b) => b.bodyId === bodyId)?.reportedAt !== undefined;
  const outstanding = bodies.filter((id) => partsOf(id).some((p) => !reported(p, id)));
  const reminders = outstanding.flatMap((bodyId) => {
    const body = {
      bodyId,
      dueAt: Math.max(...partsOf(bodyId).map((p) => p.dueAt)),
      sent: state.sent({ kind: 'review', id: bodyId }),
      held: NOTHING_HELD,
      from: collectionClosesAt,
    };
    return [
      ...reviewBodyTimeline(programme.reminders, { ...body, outstanding: true }),
      ...expertReminderTimeline(programme.reminders, { ...body, owing: state.expertsOwing?.(bodyId) ?? [] }),
    ];
  });
  if (rank > STAGE_RANK['preliminary-review'] || outstanding.length === 0) return reminders;
  const secretariat: NoticeParty = { kind: 'secretariat' };
  const digests = digestTimeline(programme.reminders, {
    key: 'preliminary-review',
    deadlineAt: partsDueAt,
    owner: 'reviewBody',
    sent: state.sent(secretariat),
    held: NOTHING_HELD,
    from: collectionClosesAt,
  });
  const escalation: ScheduledEvent = {
    id: 'escalation/preliminary-review',
    at: partsDueAt,
    kind: 'notice',
    stage: 'preliminary-review',
    party: secretariat,
    template: 'escalation',
    deadlineAt: partsDueAt,
    onlyIf: 'results-outstanding',
  };
  return [...reminders, ...digests, escalation];
}

function finalEvents(programme: Programme, state: CycleScheduleState): ScheduledEvent[] {
  return finalReviewTimeline(programme.reminders, {
    dueAt: state.deadlines.finalReviewDueAt,
    sent: state.sent({ kind: 'final' }),
    held: NOTHING_HELD,
    from: instants(state).partsDueAt,
  });
}

function publicationEvents(programme: Programme, state: CycleScheduleState): ScheduledEvent[] {
  return programme.roster.units.map((unit) => ({
    id: 'published',
    at: state.deadlines.publicationAt,
    kind: 'notice' as const,
    stage: 'publication' as const,
    party: { kind: 'unit' as const, id: unit.id },
    template: 'resultsPublished' as const,
    onlyIf: 'final-in' as const,
  }));
}

/** Every event of the cycle's year after `now`, by time, then id. */
export function yearSchedule(programme: Programme, state: CycleScheduleState, now: number): ScheduledEvent[] {
  const rank = STAGE_RANK[state.stage];
  if (rank >= STAGE_RANK.closed) return [];
  const events = [
    ...stageChanges(state, rank),
    ...(rank <= STAGE_RANK.collection ? collectionEvents(programme, state) : []),
    ...reviewEvents(programme, state, rank),
    ...(rank <= STAGE_RANK['final-review'] && !state.finalIn ? finalEvents(programme, state) : []),
    ...(rank <= STAGE_RANK['awaiting-publication'] ? publicationEvents(programme, state) : []),
  ];
  return events
    .filter((e) => e.at > now)
    .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The cycle's hands on its review-body workflows: the hand-over from collection to review (one
 * workflow per body, with its parts' nominations) and telling them when the review deadline moves.
 */
import { summariseNomination, type NominationSummary } from '../domain/assignment';
import type { Programme } from '../domain/programme';
import { quotaKey } from '../domain/quota';
import { reviewAssignments } from '../domain/timeline';
import { reviewBodyWorkflowId, unitWorkflowId } from '../workflows/ids';
import {
  reviewDeadlineSignal,
  type ReviewPartState,
  type UnitState,
  unitStateQuery,
} from '../workflows/messages';
import { reviewBodyWorkflow, type ReviewBodyWorkflowInput } from '../workflows/review-body';
import { forEachConcurrently } from './cycle-reader';
import { ignoreMissing, type EntityContext } from './entities-context';
import { progressTo } from './fan-out-progress';

/**
 * The nominations' ids per reviewed part (quota key), and the parts each body reviews with their
 * nominations (and their summaries, when asked); parts without nominations go to no body.
 */
function partsByBody(
  programme: Programme,
  states: UnitState[],
  withSummaries?: boolean,
): { byPart: Map<string, string[]>; bodies: Map<string, ReviewPartState[]> } {
  const byPart = new Map<string, string[]>();
  const summaries = new Map<string, NominationSummary[]>();
  // Appended in place: copying the part's list per nomination made the gathering quadratic.
  const append = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const state of states) {
    for (const n of state.nominations) {
      const key = quotaKey(n.listId, n.fieldId);
      append(byPart, key, n.id);
      if (withSummaries) append(summaries, key, summariseNomination(n, state.unitName));
    }
  }
  const bodies = new Map<string, ReviewPartState[]>();
  for (const a of reviewAssignments(programme)) {
    const key = quotaKey(a.listId, a.fieldId);
    const ids = byPart.get(key) ?? [];
    if (ids.length === 0) continue;
    const nominations = summaries.get(key);
    bodies.set(a.bodyId, [
      ...(bodies.get(a.bodyId) ?? []),
      {
        listId: a.listId,
        ...(a.fieldId ? { fieldId: a.fieldId } : {}),
        nominationIds: ids,
        ...(nominations ? { nominations } : {}),
      },
    ]);
  }
  return { byPart, bodies };
}

/** Summaries handed over in a body's input up to this size; larger, the body reads them itself. */
export const INLINE_SUMMARY_BYTES = 512 * 1024;

/** The body's parts as its input carries them: summaries inline, or left for the body to read. */
function withinPayload(
  parts: ReviewPartState[],
  inlineBytes: number,
): { parts: ReviewPartState[]; fetch: boolean } {
  const summaries = parts.flatMap((p) => p.nominations ?? []);
  if (summaries.length === 0 || JSON.stringify(summaries).length <= inlineBytes)
    return { parts, fetch: false };
  return { parts: parts.map(({ nominations: _left, ...part }) => part), fetch: true };
}

export function createReviewBodyActivities({ deps, client, limit, setupOf, unitStates }: EntityContext) {
  async function broadcastReviewDeadline(args: {
    cycleId: string;
    dueAt: number;
    bodies?: string[];
  }): Promise<void> {
    const { programme } = await setupOf(args.cycleId);
    const bodies = args.bodies ?? programme.reviewBodies.map((b) => b.id);
    await forEachConcurrently(bodies, limit, (bodyId) =>
      ignoreMissing(
        client.workflow
          .getHandle(reviewBodyWorkflowId(args.cycleId, bodyId))
          .signal(reviewDeadlineSignal, { dueAt: args.dueAt }),
      ),
    );
  }

  /**
   * Collection is over: gathers every unit's nominations per reviewed part and starts one review
   * workflow per body with the ids of its parts' nominations. Returns nominations per part.
   */
  async function handOverToReview(args: {
    cycleId: string;
    clockOffsetMs: number;
    dueByPart: Record<string, number>;
    /** Hand each body a summary of every nomination (domain/assignment.ts) for its conflict checks. */
    withSummaries?: boolean;
    /** Tell the cycle how far the hand-over has got (fanOutProgressSignal). */
    reportProgress?: boolean;
  }): Promise<Record<string, number>> {
    const { programme, authPublicKey } = await setupOf(args.cycleId);
    const progress = progressTo(client, args.cycleId, 'hand-over', args.reportProgress);
    const states = await unitStates(args.cycleId, (read, units) =>
      progress.update('reading-units', read, units),
    );
    const { byPart, bodies } = partsByBody(programme, states, args.withSummaries);
    const total = [...bodies.values()].flat().reduce((n, p) => n + p.nominationIds.length, 0);
    let handedOver = 0;
    progress.update('handing-over', 0, total);
    await forEachConcurrently([...bodies], limit, async ([bodyId, handed]) => {
      const { parts, fetch } = withinPayload(handed, deps.inlineSummaryBytes ?? INLINE_SUMMARY_BYTES);
      const input: ReviewBodyWorkflowInput = {
        cycleId: args.cycleId,
        bodyId,
        programme: { ...programme, roster: { ...programme.roster, units: [] } },
        clockOffsetMs: args.clockOffsetMs,
        authPublicKey,
        dueAt: Math.max(...parts.map((p) => args.dueByPart[quotaKey(p.listId, p.fieldId)] ?? 0)),
        parts,
        ...(fetch ? { summariesToFetch: true } : {}),
      };
      await client.workflow.start(reviewBodyWorkflow, {
        workflowId: reviewBodyWorkflowId(args.cycleId, bodyId),
        taskQueue: deps.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      handedOver += parts.reduce((n, p) => n + p.nominationIds.length, 0);
      progress.update('handing-over', handedOver, total);
    });
    await progress.sent();
    return Object.fromEntries([...byPart].map(([key, ids]) => [key, ids.length]));
  }

  /** The summaries of the given nominations of these units (a body reading its own, page by page). */
  async function nominationSummaries(args: {
    cycleId: string;
    unitIds: string[];
    nominationIds: string[];
  }): Promise<NominationSummary[]> {
    const wanted = new Set(args.nominationIds);
    const summaries: NominationSummary[] = [];
    await forEachConcurrently(args.unitIds, limit, async (unitId) => {
      const state = await client.workflow
        .getHandle(unitWorkflowId(args.cycleId, unitId))
        .query(unitStateQuery);
      for (const n of state.nominations)
        if (wanted.has(n.id)) summaries.push(summariseNomination(n, state.unitName));
    });
    return summaries;
  }

  return { broadcastReviewDeadline, handOverToReview, nominationSummaries };
}

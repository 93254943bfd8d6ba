/**
 * The cycle's hands on its entity workflows: starting one workflow per unit, telling them when a
 * deadline moves, gathering nominations at the hand-over to review, and finishing them at the end.
 * Every call is idempotent (fixed workflow ids, USE_EXISTING), so a retried activity is harmless.
 */
import { QueryNotRegisteredError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { summariseNomination, type NominationSummary } from '../domain/assignment';
import type { PriorWinner } from '../domain/eligibility';
import { noticeKey } from '../domain/mail-ids';
import { quotaKey } from '../domain/quota';
import { reviewAssignments } from '../domain/timeline';
import { reviewBodyWorkflowId, unitWorkflowId } from '../workflows/ids';
import {
  collectionDeadlineSignal,
  cycleFinishedSignal,
  mailHoldsSignal,
  reviewDeadlineSignal,
  type ReviewPartState,
  type UnitInput,
  unitStateQuery,
} from '../workflows/messages';
import { foreignReason, originOf, unitOriginQuery } from '../workflows/unit/origin';
import { CycleReader, forEachConcurrently } from './cycle-reader';
import { reviewBodyWorkflow, type ReviewBodyWorkflowInput } from '../workflows/review-body';
import { unitWorkflow } from '../workflows/unit';
import { describeUsage, programmeRef } from '../workflows/notices';
import type { createNoticeActivities } from './notify';

export interface EntityDeps {
  client: Client;
  taskQueue: string;
  priorWinners: (programmeId: string, year: number) => Promise<PriorWinner[]>;
  notices: ReturnType<typeof createNoticeActivities>;
  /** How many workflows to call at once. */
  concurrency?: number;
}

async function ignoreMissing(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}

export function createEntityActivities(deps: EntityDeps) {
  const { client } = deps;
  const limit = deps.concurrency ?? 32;
  const reader = new CycleReader(client, limit);
  const setupOf = (cycleId: string) => reader.setup(cycleId);
  const unitStates = (cycleId: string) => reader.unitStates(cycleId);
  /** Each unit's input as the cycle gives it, from the cycle's setup and the winners registry. */
  async function unitInputs(cycleId: string, clockOffsetMs: number): Promise<UnitInput[]> {
    const setup = await setupOf(cycleId);
    const { programme } = setup;
    const priorWinners = await deps.priorWinners(programme.id, programme.year);
    const withoutRoster = { ...programme, roster: { ...programme.roster, units: [] } };
    return programme.roster.units.map((unit) => ({
      cycleId,
      programme: withoutRoster,
      unit,
      collectionOpensAt: setup.collectionOpensAt,
      collectionClosesAt: Math.max(setup.collectionClosesAt, setup.unitExtensions[unit.id] ?? 0),
      clockOffsetMs,
      priorWinners,
      authPublicKey: setup.authPublicKey,
    }));
  }

  const startUnit = (input: UnitInput) =>
    client.workflow.start(unitWorkflow, {
      workflowId: unitWorkflowId(input.cycleId, input.unit.id),
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });

  async function startUnits({
    cycleId,
    clockOffsetMs,
  }: {
    cycleId: string;
    clockOffsetMs: number;
  }): Promise<number> {
    const inputs = await unitInputs(cycleId, clockOffsetMs);
    await forEachConcurrently(inputs, limit, async (input) => {
      await startUnit(input);
    });
    return inputs.length;
  }

  /**
   * Why the workflow under a unit's id is not the one this cycle starts (workflows/unit/origin.ts),
   * or undefined when it is: its task queue, then its own account of its cycle, key and input.
   */
  async function foreignUnit(input: UnitInput): Promise<string | undefined> {
    const handle = client.workflow.getHandle(unitWorkflowId(input.cycleId, input.unit.id));
    const { taskQueue } = await handle.describe();
    if (taskQueue !== deps.taskQueue) return `started on another task queue (${taskQueue})`;
    try {
      return foreignReason(await handle.query(unitOriginQuery), originOf(input));
    } catch (error) {
      if (error instanceof QueryNotRegisteredError) return 'started without the unit workflow’s origin';
      throw error;
    }
  }

  /**
   * Starts the units as startUnits does, then checks each is this cycle's own: one someone else
   * started first under the unit's id is terminated and the cycle's own started in its place.
   * Returns the units so refused (with how many nominations the foreign one held) for the audit.
   */
  async function startOwnUnits(args: { cycleId: string; clockOffsetMs: number }): Promise<{
    started: number;
    refused: Array<{ unitId: string; reason: string; nominations: number }>;
  }> {
    const inputs = await unitInputs(args.cycleId, args.clockOffsetMs);
    const refused: Array<{ unitId: string; reason: string; nominations: number }> = [];
    await forEachConcurrently(inputs, limit, async (input) => {
      await startUnit(input);
      const reason = await foreignUnit(input);
      if (!reason) return;
      const handle = client.workflow.getHandle(unitWorkflowId(input.cycleId, input.unit.id));
      const held = await handle.query(unitStateQuery).then(
        (state) => state.nominations.length,
        () => 0,
      );
      await handle.terminate(`kczg: not started by cycle ${input.cycleId}: ${reason}`);
      await startUnit(input);
      refused.push({ unitId: input.unit.id, reason, nominations: held });
    });
    return { started: inputs.length, refused: refused.sort((a, b) => a.unitId.localeCompare(b.unitId)) };
  }

  async function broadcastCollectionDeadline(args: {
    cycleId: string;
    closesAt: number;
    paused: boolean;
    unitExtensions: Record<string, number>;
  }): Promise<void> {
    const { programme } = await setupOf(args.cycleId);
    await forEachConcurrently(programme.roster.units, limit, (unit) =>
      ignoreMissing(
        client.workflow.getHandle(unitWorkflowId(args.cycleId, unit.id)).signal(collectionDeadlineSignal, {
          closesAt: Math.max(args.closesAt, args.unitExtensions[unit.id] ?? 0),
          paused: args.paused,
        }),
      ),
    );
  }

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

  /** Names of the units that still owe work (open quota, not marked complete), for the digest. */
  async function unitsOwingWork({ cycleId }: { cycleId: string }): Promise<string[]> {
    return (await unitStates(cycleId))
      .filter((s) => !s.complete && s.usage.some((row) => row.remaining > 0))
      .map((s) => `${s.unitName} (${s.nominations.length})`);
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
  }): Promise<Record<string, number>> {
    const { programme, authPublicKey } = await setupOf(args.cycleId);
    const byPart = new Map<string, string[]>();
    const summaries = new Map<string, NominationSummary[]>();
    for (const state of await unitStates(args.cycleId)) {
      for (const n of state.nominations) {
        const key = quotaKey(n.listId, n.fieldId);
        byPart.set(key, [...(byPart.get(key) ?? []), n.id]);
        if (args.withSummaries)
          summaries.set(key, [...(summaries.get(key) ?? []), summariseNomination(n, state.unitName)]);
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
    await forEachConcurrently([...bodies], limit, async ([bodyId, parts]) => {
      const input: ReviewBodyWorkflowInput = {
        cycleId: args.cycleId,
        bodyId,
        programme: { ...programme, roster: { ...programme.roster, units: [] } },
        clockOffsetMs: args.clockOffsetMs,
        authPublicKey,
        dueAt: Math.max(...parts.map((p) => args.dueByPart[quotaKey(p.listId, p.fieldId)] ?? 0)),
        parts,
      };
      await client.workflow.start(reviewBodyWorkflow, {
        workflowId: reviewBodyWorkflowId(args.cycleId, bodyId),
        taskQueue: deps.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    });
    return Object.fromEntries([...byPart].map(([key, ids]) => [key, ids.length]));
  }

  async function announceResults({ cycleId, at }: { cycleId: string; at: number }): Promise<void> {
    const { programme } = await setupOf(cycleId);
    const states = new Map((await unitStates(cycleId)).map((s) => [s.unitId, s]));
    await forEachConcurrently(programme.roster.units, 8, async (unit) => {
      await deps.notices.sendNotice({
        cycleId,
        businessKey: noticeKey(cycleId, { kind: 'unit', id: unit.id }, 'published'),
        to: [{ name: unit.name, email: unit.email }],
        template: 'resultsPublished',
        programme: programmeRef(programme),
        issuedAt: at,
        party: unit.name,
        usage: describeUsage(programme, states.get(unit.id)?.usage ?? []),
      });
    });
  }

  async function broadcastMailHolds(args: { cycleId: string; held: string[] }): Promise<void> {
    const { programme } = await setupOf(args.cycleId);
    const ids = [
      ...programme.roster.units.map((u) => unitWorkflowId(args.cycleId, u.id)),
      ...programme.reviewBodies.map((b) => reviewBodyWorkflowId(args.cycleId, b.id)),
    ];
    await forEachConcurrently(ids, limit, (id) =>
      ignoreMissing(client.workflow.getHandle(id).signal(mailHoldsSignal, { held: args.held })),
    );
  }

  async function finishEntities({ cycleId }: { cycleId: string }): Promise<void> {
    const { programme } = await setupOf(cycleId);
    const ids = [
      ...programme.roster.units.map((u) => unitWorkflowId(cycleId, u.id)),
      ...programme.reviewBodies.map((b) => reviewBodyWorkflowId(cycleId, b.id)),
    ];
    await forEachConcurrently(ids, limit, (id) =>
      ignoreMissing(client.workflow.getHandle(id).signal(cycleFinishedSignal)),
    );
  }

  return {
    startUnits,
    startOwnUnits,
    broadcastCollectionDeadline,
    broadcastReviewDeadline,
    unitsOwingWork,
    handOverToReview,
    announceResults,
    broadcastMailHolds,
    finishEntities,
  };
}

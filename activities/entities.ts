/**
 * The cycle's hands on its entity workflows: starting one workflow per unit, telling them when a
 * deadline moves, gathering nominations at the hand-over to review, and finishing them at the end.
 * Every call is idempotent (fixed workflow ids, USE_EXISTING), so a retried activity is harmless.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { summariseNomination, type NominationSummary } from '../domain/assignment';
import type { PriorWinner } from '../domain/eligibility';
import { noticeKey } from '../domain/mail-ids';
import { quotaKey } from '../domain/quota';
import { reviewAssignments } from '../domain/timeline';
import { reviewBodyWorkflowId, unitWorkflowId } from '../workflows/ids';
import {
  collectionDeadlineSignal,
  cycleFinishedSignal,
  fanOutProgressSignal,
  type FanOutProgressReport,
  mailHoldsSignal,
  reviewDeadlineSignal,
  type ReviewPartState,
  type UnitInput,
} from '../workflows/messages';
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

/** How often a fan-out tells its cycle how far it has got (each report is a signal in the cycle's history). */
const PROGRESS_EVERY_MS = 2_000;

export function createEntityActivities(deps: EntityDeps) {
  const { client } = deps;
  const limit = deps.concurrency ?? 32;
  const reader = new CycleReader(client, limit);
  const setupOf = (cycleId: string) => reader.setup(cycleId);
  const unitStates = (cycleId: string) => reader.unitStates(cycleId);

  /**
   * Progress reports for `cycle status` (when the cycle asks for them): at most every
   * PROGRESS_EVERY_MS, and at the end of each step. Display only: a failed report fails nothing.
   */
  function progressTo(cycleId: string, kind: FanOutProgressReport['kind'], wanted?: boolean) {
    let lastSentAt = 0;
    let sending = Promise.resolve();
    return {
      update(step: FanOutProgressReport['step'], done: number, total: number): void {
        const now = Date.now();
        if (!wanted || (done < total && now - lastSentAt < PROGRESS_EVERY_MS)) return;
        lastSentAt = now;
        sending = sending
          .then(() =>
            client.workflow.getHandle(cycleId).signal(fanOutProgressSignal, { kind, step, done, total }),
          )
          .catch(() => undefined);
      },
      /** Every report sent (in order). */
      sent: () => sending,
    };
  }
  async function startUnits({
    cycleId,
    clockOffsetMs,
  }: {
    cycleId: string;
    clockOffsetMs: number;
  }): Promise<number> {
    const setup = await setupOf(cycleId);
    const { programme } = setup;
    const priorWinners = await deps.priorWinners(programme.id, programme.year);
    const withoutRoster = { ...programme, roster: { ...programme.roster, units: [] } };
    await forEachConcurrently(programme.roster.units, limit, async (unit) => {
      const input: UnitInput = {
        cycleId,
        programme: withoutRoster,
        unit,
        collectionOpensAt: setup.collectionOpensAt,
        collectionClosesAt: Math.max(setup.collectionClosesAt, setup.unitExtensions[unit.id] ?? 0),
        clockOffsetMs,
        priorWinners,
        authPublicKey: setup.authPublicKey,
      };
      await client.workflow.start(unitWorkflow, {
        workflowId: unitWorkflowId(cycleId, unit.id),
        taskQueue: deps.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    });
    return programme.roster.units.length;
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
    /** Tell the cycle how far the hand-over has got (fanOutProgressSignal). */
    reportProgress?: boolean;
  }): Promise<Record<string, number>> {
    const { programme, authPublicKey } = await setupOf(args.cycleId);
    const progress = progressTo(args.cycleId, 'hand-over', args.reportProgress);
    const byPart = new Map<string, string[]>();
    const summaries = new Map<string, NominationSummary[]>();
    // Appended in place: copying the part's list per nomination made the gathering quadratic.
    const append = <T>(map: Map<string, T[]>, key: string, value: T) => {
      const list = map.get(key);
      if (list) list.push(value);
      else map.set(key, [value]);
    };
    const states = await reader.unitStates(args.cycleId, (read, units) =>
      progress.update('reading-units', read, units),
    );
    for (const state of states) {
      for (const n of state.nominations) {
        const key = quotaKey(n.listId, n.fieldId);
        append(byPart, key, n.id);
        if (args.withSummaries) append(summaries, key, summariseNomination(n, state.unitName));
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
    const total = [...bodies.values()].flat().reduce((n, p) => n + p.nominationIds.length, 0);
    let handedOver = 0;
    progress.update('handing-over', 0, total);
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
      handedOver += parts.reduce((n, p) => n + p.nominationIds.length, 0);
      progress.update('handing-over', handedOver, total);
    });
    await progress.sent();
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

  async function broadcastMailHolds(args: {
    cycleId: string;
    held: string[];
    reportProgress?: boolean;
  }): Promise<void> {
    const { programme } = await setupOf(args.cycleId);
    const ids = [
      ...programme.roster.units.map((u) => unitWorkflowId(args.cycleId, u.id)),
      ...programme.reviewBodies.map((b) => reviewBodyWorkflowId(args.cycleId, b.id)),
    ];
    const progress = progressTo(args.cycleId, 'mail-holds', args.reportProgress);
    let told = 0;
    await forEachConcurrently(ids, limit, async (id) => {
      await ignoreMissing(client.workflow.getHandle(id).signal(mailHoldsSignal, { held: args.held }));
      progress.update('telling', ++told, ids.length);
    });
    await progress.sent();
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
    broadcastCollectionDeadline,
    broadcastReviewDeadline,
    unitsOwingWork,
    handOverToReview,
    announceResults,
    broadcastMailHolds,
    finishEntities,
  };
}

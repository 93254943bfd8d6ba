/**
 * What every entity activity shares: the client, the task queue the entity workflows run on, how
 * many workflows to call at once, and the cycle's set-up and unit states read by query.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { PriorWinner } from '../domain/eligibility';
import type { Programme } from '../domain/programme';
import { reviewBodyWorkflowId, unitWorkflowId } from '../workflows/ids';
import type { CycleSetup, UnitState } from '../workflows/messages';
import { CycleReader } from './cycle-reader';
import type { createNoticeActivities } from './notify';

export interface EntityDeps {
  client: Client;
  taskQueue: string;
  priorWinners: (programmeId: string, year: number) => Promise<PriorWinner[]>;
  notices: ReturnType<typeof createNoticeActivities>;
  /** How many workflows to call at once. */
  concurrency?: number;
  /** Summaries handed to a review body in its input up to this size (entities-review.ts). */
  inlineSummaryBytes?: number;
}

export interface EntityContext {
  deps: EntityDeps;
  client: Client;
  limit: number;
  setupOf(cycleId: string): Promise<CycleSetup>;
  /** Every unit's state; `onRead` hears how many are read so far. */
  unitStates(cycleId: string, onRead?: (read: number, units: number) => void): Promise<UnitState[]>;
}

export function entityContext(deps: EntityDeps): EntityContext {
  const limit = deps.concurrency ?? 32;
  const reader = new CycleReader(deps.client, limit);
  return {
    deps,
    client: deps.client,
    limit,
    setupOf: (cycleId) => reader.setup(cycleId),
    unitStates: (cycleId, onRead) => reader.unitStates(cycleId, onRead),
  };
}

/** A signal to an entity workflow that does not exist (not started, or gone) is no failure. */
export async function ignoreMissing(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}

/** The workflow ids of every unit and review body of the cycle. */
export function entityWorkflowIds(cycleId: string, programme: Programme): string[] {
  return [
    ...programme.roster.units.map((u) => unitWorkflowId(cycleId, u.id)),
    ...programme.reviewBodies.map((b) => reviewBodyWorkflowId(cycleId, b.id)),
  ];
}

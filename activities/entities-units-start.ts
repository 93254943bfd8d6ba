/**
 * Starting the cycle's unit workflows: one per unit with its input from the cycle's setup and the
 * winners registry, and the check that each workflow under a unit's id is the cycle's own (one
 * someone else started first is terminated and replaced). Idempotent: fixed ids, and a start that
 * finds its id taken checks the workflow already there.
 */
import { QueryNotRegisteredError, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { unitWorkflowId } from '../workflows/ids';
import { type UnitInput, unitStateQuery } from '../workflows/messages';
import { unitWorkflow } from '../workflows/unit';
import { foreignReason, originOf, unitOriginQuery } from '../workflows/unit/origin';
import { forEachConcurrently } from './cycle-reader';
import type { EntityContext } from './entities-context';

/**
 * Longer than the server's 10-second default. At the close every unit wakes at once; a worker whose
 * cache is full holds a unit's task until an eviction frees a slot, and a task that times out there
 * is sent again while the first copy still waits. The SDK's core (1.24) then drops one of the two
 * and the unit answers nothing more (no query, no update) until the worker restarts: seen in
 * bench/ at 1,000 units on a 400-workflow cache ("Extra buffered run should not have produced an
 * activation"). The price: a task held by a worker that dies is retried after 30 s, not 10.
 */
const UNIT_WORKFLOW_TASK_TIMEOUT: Duration = '30 seconds';

/** Starting one unit's workflow, and telling whether the one under its id is the cycle's own. */
function unitWorkflows({ deps, client }: Pick<EntityContext, 'deps' | 'client'>) {
  const startOptions = (input: UnitInput) => ({
    workflowId: unitWorkflowId(input.cycleId, input.unit.id),
    taskQueue: deps.taskQueue,
    args: [input] as [UnitInput],
    workflowTaskTimeout: UNIT_WORKFLOW_TASK_TIMEOUT,
  });

  const startUnit = (input: UnitInput) =>
    client.workflow.start(unitWorkflow, { ...startOptions(input), workflowIdConflictPolicy: 'USE_EXISTING' });

  /**
   * Starts the unit's workflow, or says that one was already running under its id. A workflow this
   * call started is the cycle's own: only the others need the origin check (a describe and a query
   * that would wake every new unit at once at the start of a big cycle).
   */
  async function startedHere(input: UnitInput): Promise<boolean> {
    try {
      await client.workflow.start(unitWorkflow, { ...startOptions(input), workflowIdConflictPolicy: 'FAIL' });
      return true;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw error;
    }
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

  return { startUnit, startedHere, foreignUnit };
}

export function createUnitStartActivities(context: EntityContext) {
  const { deps, client, limit, setupOf } = context;
  const { startUnit, startedHere, foreignUnit } = unitWorkflows(context);
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
      if (await startedHere(input)) return;
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

  return { startUnits, startOwnUnits };
}

/**
 * The cycle's hands on its unit workflows: starting one per unit (and replacing one someone else
 * started under a unit's id), telling them when the collection deadline moves, naming those that
 * still owe work, and announcing the results to each unit.
 */
import { QueryNotRegisteredError } from '@temporalio/client';
import { noticeKey } from '../domain/mail-ids';
import { unitWorkflowId } from '../workflows/ids';
import { collectionDeadlineSignal, type UnitInput, unitStateQuery } from '../workflows/messages';
import { describeUsage, programmeRef } from '../workflows/notices';
import { unitWorkflow } from '../workflows/unit';
import { foreignReason, originOf, unitOriginQuery } from '../workflows/unit/origin';
import { forEachConcurrently } from './cycle-reader';
import { ignoreMissing, type EntityContext } from './entities-context';

export function createUnitActivities({ deps, client, limit, setupOf, unitStates }: EntityContext) {
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

  /** Names of the units that still owe work (open quota, not marked complete), for the digest. */
  async function unitsOwingWork({ cycleId }: { cycleId: string }): Promise<string[]> {
    return (await unitStates(cycleId))
      .filter((s) => !s.complete && s.usage.some((row) => row.remaining > 0))
      .map((s) => `${s.unitName} (${s.nominations.length})`);
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

  return { startUnits, startOwnUnits, broadcastCollectionDeadline, unitsOwingWork, announceResults };
}

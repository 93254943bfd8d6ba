/**
 * The cycle's hands on its running unit workflows: telling them when the collection deadline
 * moves, naming those that still owe work, and announcing the results to each unit. Starting them
 * is in entities-units-start.ts.
 */
import { noticeKey } from '../domain/mail-ids';
import { unitWorkflowId } from '../workflows/ids';
import { collectionDeadlineSignal } from '../workflows/messages';
import { describeUsage, programmeRef } from '../workflows/notices';
import { forEachConcurrently } from './cycle-reader';
import { ignoreMissing, type EntityContext } from './entities-context';
import { createUnitStartActivities } from './entities-units-start';

export function createUnitActivities(context: EntityContext) {
  const { deps, client, limit, setupOf, unitStates } = context;
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

  return {
    ...createUnitStartActivities(context),
    broadcastCollectionDeadline,
    unitsOwingWork,
    announceResults,
  };
}

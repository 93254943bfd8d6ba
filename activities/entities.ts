/**
 * The cycle's hands on its entity workflows: starting one workflow per unit, telling them when a
 * deadline moves, gathering nominations at the hand-over to review, and finishing them at the end.
 * Every call is idempotent (fixed workflow ids, USE_EXISTING), so a retried activity is harmless.
 * Unit activities live in entities-units.ts, review-body ones in entities-review.ts; the ones
 * addressing every entity of the cycle are here.
 */
import { cycleFinishedSignal, mailHoldsSignal } from '../workflows/messages';
import { forEachConcurrently } from './cycle-reader';
import { entityContext, entityWorkflowIds, ignoreMissing, type EntityDeps } from './entities-context';
import { createReviewBodyActivities } from './entities-review';
import { createUnitActivities } from './entities-units';
import { progressTo } from './fan-out-progress';

export type { EntityDeps } from './entities-context';

export function createEntityActivities(deps: EntityDeps) {
  const context = entityContext(deps);
  const { client, limit, setupOf } = context;

  async function broadcastMailHolds(args: {
    cycleId: string;
    held: string[];
    reportProgress?: boolean;
  }): Promise<void> {
    const { programme } = await setupOf(args.cycleId);
    const ids = entityWorkflowIds(args.cycleId, programme);
    const progress = progressTo(client, args.cycleId, 'mail-holds', args.reportProgress);
    let told = 0;
    await forEachConcurrently(ids, limit, async (id) => {
      await ignoreMissing(client.workflow.getHandle(id).signal(mailHoldsSignal, { held: args.held }));
      progress.update('telling', ++told, ids.length);
    });
    await progress.sent();
  }

  async function finishEntities({ cycleId }: { cycleId: string }): Promise<void> {
    const { programme } = await setupOf(cycleId);
    await forEachConcurrently(entityWorkflowIds(cycleId, programme), limit, (id) =>
      ignoreMissing(client.workflow.getHandle(id).signal(cycleFinishedSignal)),
    );
  }

  return {
    ...createUnitActivities(context),
    ...createReviewBodyActivities(context),
    broadcastMailHolds,
    finishEntities,
  };
}

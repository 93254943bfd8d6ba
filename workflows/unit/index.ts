/**
 * One recommending unit in one cycle: owns its nominations and its quota, enforces the collection
 * window, and reminds its own contact while it still owes work. Sharding intake by unit keeps
 * every execution small (a national cycle has hundreds to thousands of units).
 */
import { allHandlersFinished, condition, continueAsNew, setHandler } from '@temporalio/workflow';
import {
  amendUpdate,
  markCompleteUpdate,
  nominateUpdate,
  unitStateQuery,
  withdrawUpdate,
  type UnitInput,
} from '../messages';
import { unitOriginQuery } from './origin';
import { UnitRun } from './run';

export async function unitWorkflow(input: UnitInput): Promise<void> {
  const unit = new UnitRun(input);
  setHandler(unitStateQuery, () => unit.state());
  setHandler(unitOriginQuery, () => unit.origin());
  setHandler(nominateUpdate, (r) => unit.nominate(r), { validator: (r) => unit.validateNominate(r) });
  setHandler(amendUpdate, (r) => unit.amend(r), { validator: (r) => unit.validateAmend(r) });
  setHandler(withdrawUpdate, (r) => unit.withdraw(r), { validator: (r) => unit.validateWithdraw(r) });
  setHandler(markCompleteUpdate, () => unit.markComplete(), {
    validator: (r) => unit.authorizeSelf('markComplete', r),
  });
  unit.installSignals();

  await unit.runTimeline();
  if (!unit.signals.finished) {
    await condition(allHandlersFinished);
    await continueAsNew<typeof unitWorkflow>(unit.continued());
  }
  await condition(allHandlersFinished);
}

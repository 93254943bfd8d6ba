/**
 * One programme-year, from the secretariat's start to the published lists. The cycle owns the
 * timeline (stages, deadlines, extensions, pause) and hands work to entity workflows: one per
 * recommending unit (intake) and one per preliminary-review body. Large material (nominations)
 * stays with the entities; the cycle keeps counts and shortlists.
 *
 * In the samples' style: the state lives in CycleState, steering in CycleSteering, internal
 * signals in CycleInbox, mail in CycleMail, the stages in CycleStages; this function only wires
 * the handlers and awaits the stages in order.
 */
import {
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { ENTITY_WORK } from '../activity-options';
import {
  auditQuery,
  cancelUpdate,
  chainChildSignal,
  chainParentSignal,
  chainStatusQuery,
  cycleSetupQuery,
  cycleStatusQuery,
  extendUpdate,
  finalCompleteUpdate,
  issuedSignalsQuery,
  mailFailedSignal,
  mailHoldUpdate,
  partReportedSignal,
  pauseUpdate,
  readyUpdate,
  resumeUpdate,
  type CycleInput,
  type StageId,
} from '../messages';
import { stageSearchAttribute } from '../search-attributes';
import { CycleChain } from './chain';
import { CycleInbox } from './inbox';
import { CycleMail } from './mail';
import { CycleStages } from './stages';
import { CycleState } from './state';
import { CycleSteering } from './steering';

const { finishEntities } = proxyActivities<ReturnType<typeof createActivities>>(ENTITY_WORK);

export interface CycleResult {
  stage: StageId;
  winners: number;
  outDir?: string;
}

export async function cycleWorkflow(input: CycleInput): Promise<CycleResult> {
  const cycle = new CycleState(input);
  const mail = new CycleMail(cycle);
  const chain = new CycleChain(cycle);
  const steering = new CycleSteering(cycle, chain);
  const inbox = new CycleInbox(cycle, mail);
  const stages = new CycleStages(cycle, mail);

  setHandler(cycleStatusQuery, () => cycle.status());
  setHandler(readyUpdate, async () => {
    await condition(() => cycle.unitsStarted || cycle.over());
    return cycle.status();
  });
  setHandler(cycleSetupQuery, () => cycle.setup());
  setHandler(auditQuery, () => cycle.audit);
  setHandler(issuedSignalsQuery, () => cycle.issued);
  setHandler(extendUpdate, (r) => steering.extend(r), { validator: (r) => steering.validateExtend(r) });
  setHandler(pauseUpdate, (r) => steering.pause(r), { validator: (r) => steering.validatePause(r) });
  setHandler(resumeUpdate, (r) => steering.resume(r), { validator: (r) => steering.validateResume(r) });
  setHandler(cancelUpdate, (r) => steering.cancel(r), { validator: (r) => steering.validateCancel(r) });
  setHandler(finalCompleteUpdate, (r) => steering.finalResults(r), {
    validator: (r) => steering.validateFinalResults(r),
  });
  setHandler(partReportedSignal, (report) => inbox.partReported(report));
  setHandler(mailHoldUpdate, (r) => steering.mailHold(r), { validator: (r) => steering.validateMailHold(r) });
  setHandler(mailFailedSignal, (failure) => inbox.mailFailed(failure));
  setHandler(chainStatusQuery, () => chain.state());
  setHandler(chainChildSignal, (child) => chain.childAnnounced(child));
  setHandler(chainParentSignal, (parent) => chain.parentAnnounced(parent));
  void mail.reportFailures();

  upsertSearchAttributes([stageSearchAttribute(cycle.stage)]);
  cycle.record({
    actor: 'secretariat',
    action: 'start',
    outcome: 'accepted',
    detail: `${input.programme.id} (${input.programme.roster.units.length} units)`,
  });
  await chain.announce();
  await stages.collection();
  if (!cycle.cancelled) await stages.preliminaryReview();
  if (!cycle.cancelled) await stages.finalReview();
  if (!cycle.cancelled) await chain.forwardWinners();
  if (!cycle.cancelled) await stages.publicationAndPromotion();

  cycle.setStage(cycle.cancelled ? 'cancelled' : 'closed');
  cycle.issued.finished = true;
  await finishEntities({ cycleId: cycle.cycleId });
  await mail.drain();
  await condition(allHandlersFinished);
  return { stage: cycle.stage, winners: cycle.published?.winners ?? 0, outDir: cycle.published?.outDir };
}

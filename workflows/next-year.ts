/**
 * The action of a next-year Schedule (client/schedule-api.ts): starts next year's cycle under
 * its own id (`kczg:<programme>`), which a Schedule cannot do itself (it appends the firing time
 * to the ids it starts). Idempotent: a cycle already started under that id is left as it is. The
 * cycle outlives this workflow (ABANDON) and reads earlier winners from the registry in storage.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';
import { cycleWorkflow } from './cycle';
import { cycleWorkflowId } from './ids';
import type { CycleInput } from './messages';
import { programmeKey, stageKey, yearKey } from './search-attributes';

export interface OpenedYear {
  cycleId: string;
  /** False when the cycle was started before (by hand, or an earlier firing). */
  started: boolean;
}

export async function openNextYearWorkflow(input: CycleInput): Promise<OpenedYear> {
  const cycleId = cycleWorkflowId(input.programme.id);
  try {
    await startChild(cycleWorkflow, {
      workflowId: cycleId,
      taskQueue: workflowInfo().taskQueue,
      args: [input],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: programmeKey, value: input.programme.id },
        { key: yearKey, value: input.programme.year },
        { key: stageKey, value: 'collection-pending' },
      ],
    });
    return { cycleId, started: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { cycleId, started: false };
    throw error;
  }
}

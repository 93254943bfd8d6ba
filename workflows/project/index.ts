/**
 * One funded project after publication: its owner reports progress against its targets before
 * each due date, the secretariat verifies, waives and finally records acceptance; reminders and
 * escalations follow the report schedule (domain/schedule.ts projectReportTimeline). Sharded like
 * units: one small workflow per project.
 */
import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import {
  projectStateQuery,
  recordAcceptanceUpdate,
  recordWaiverUpdate,
  submitReportUpdate,
  verifyReportUpdate,
  type ProjectInput,
} from './messages';
import { ProjectRun } from './run';

export async function projectWorkflow(input: ProjectInput): Promise<void> {
  const project = new ProjectRun(input);
  setHandler(projectStateQuery, () => project.state());
  setHandler(submitReportUpdate, (r) => project.submitReport(r), {
    validator: (r) => project.validateSubmit(r),
  });
  setHandler(verifyReportUpdate, (r) => project.verifyReport(r), {
    validator: (r) => project.validateVerify(r),
  });
  setHandler(recordWaiverUpdate, (r) => project.recordWaiver(r), {
    validator: (r) => project.validateWaiver(r),
  });
  setHandler(recordAcceptanceUpdate, () => project.recordAcceptance(), {
    validator: (r) => project.validateAcceptance(r),
  });
  await project.runTimeline();
  await condition(allHandlersFinished);
}

/**
 * One funded project after publication: its owner reports progress against its targets before
 * each due date, the secretariat verifies, waives and finally records acceptance; reminders and
 * escalations follow the report schedule (domain/schedule.ts projectReportTimeline). Sharded like
 * units: one small workflow per project.
 */
import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import {
  extendProjectUpdate,
  holdProjectMailUpdate,
  pauseProjectUpdate,
  projectStateQuery,
  resumeProjectUpdate,
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
  const { steering } = project;
  setHandler(extendProjectUpdate, (r) => (steering.extend(r), project.state()), {
    validator: (r) => steering.validateExtend(r),
  });
  setHandler(pauseProjectUpdate, (r) => (steering.pause(r), project.state()), {
    validator: (r) => steering.validatePause(r),
  });
  setHandler(resumeProjectUpdate, (r) => (steering.resume(r), project.state()), {
    validator: (r) => steering.validateResume(r),
  });
  setHandler(holdProjectMailUpdate, (r) => (steering.mailHold(r), project.state()), {
    validator: (r) => steering.validateMailHold(r),
  });
  await project.runTimeline();
  await condition(allHandlersFinished);
}

/**
 * One preliminary-review body (初评机构) in one cycle: holds the nominations of the lists or
 * fields it reviews, takes its results per part, reports each finished part to the cycle, and
 * reminds its contacts until every part is reported.
 */
import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import type { Programme } from '../../domain/programme';
import {
  assignExpertsUpdate,
  confirmShortlistUpdate,
  declareConflictUpdate,
  fileReviewPlanUpdate,
  reportReviewUpdate,
  reviewStateQuery,
  submitScoresUpdate,
  type ReviewBodyInput,
} from '../messages';
import { ReviewBodyRun } from './run';

/** Review bodies need the programme's names and reminder policy, not its roster. */
export interface ReviewBodyWorkflowInput extends ReviewBodyInput {
  programme: Programme;
}

export async function reviewBodyWorkflow(input: ReviewBodyWorkflowInput): Promise<void> {
  const body = new ReviewBodyRun(input);
  setHandler(reviewStateQuery, () => body.state());
  setHandler(reportReviewUpdate, (r) => body.report(r), { validator: (r) => body.validateReport(r) });
  setHandler(fileReviewPlanUpdate, (r) => body.filePlan(r), { validator: (r) => body.validateFilePlan(r) });
  setHandler(assignExpertsUpdate, (r) => body.assign(r), { validator: (r) => body.validateAssign(r) });
  setHandler(declareConflictUpdate, (r) => body.declareConflict(r), {
    validator: (r) => body.validateConflict(r),
  });
  setHandler(submitScoresUpdate, (r) => body.submitScores(r), { validator: (r) => body.validateScores(r) });
  setHandler(confirmShortlistUpdate, (r) => body.confirm(r), { validator: (r) => body.validateConfirm(r) });
  body.installSignals();
  await Promise.all([body.readHandedOverSummaries(), body.runTimeline()]);
  await condition(allHandlersFinished);
}

/**
 * The senders' side of the cycle's confirmations (workflows/confirm.ts): a review body answers for
 * the partReported it is said to have sent, the mail activity's record for a mailFailed.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { quotaKey } from '../domain/quota';
import { reviewBodyWorkflowId } from '../workflows/ids';
import { reviewStateQuery } from '../workflows/messages';
import { shortlistMatches, type CycleClaim, type CycleClaimAnswer } from '../workflows/confirm';
import type { createNoticeActivities } from './notify';

type MailFailedClaim = Extract<CycleClaim, { signal: 'mailFailed' }>;
type PartReportedClaim = Extract<CycleClaim, { signal: 'partReported' }>;

/** A mailFailed is genuine when the mail is this cycle's and its failure was recorded with this error. */
export async function confirmMailFailed(
  notices: Pick<ReturnType<typeof createNoticeActivities>, 'undeliverable'>,
  cycleId: string,
  claim: MailFailedClaim,
): Promise<CycleClaimAnswer> {
  if (!claim.businessKey.startsWith(`${cycleId}/`))
    return { confirmed: false, reason: 'not a mail of this cycle' };
  const recorded = await notices.undeliverable(claim.businessKey);
  return recorded && recorded.error === claim.error
    ? { confirmed: true, error: recorded.error }
    : { confirmed: false, reason: recorded ? 'another error was recorded' : 'no failure recorded' };
}

/**
 * A partReported is genuine when the review body this cycle started (its id, this cycle, this
 * cycle's key) reported the part at that time with that shortlist: asked of the body by query.
 */
export async function confirmPartReported(
  client: Client,
  args: { cycleId: string; authPublicKey?: string },
  claim: PartReportedClaim,
): Promise<CycleClaimAnswer> {
  let state;
  try {
    state = await client.workflow
      .getHandle(reviewBodyWorkflowId(args.cycleId, claim.bodyId))
      .query(reviewStateQuery);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    return { confirmed: false, reason: 'no such review body' };
  }
  if (
    state.bodyId !== claim.bodyId ||
    state.cycleId !== args.cycleId ||
    state.authPublicKey !== args.authPublicKey
  )
    return { confirmed: false, reason: 'the review body was not started by this cycle' };
  const part = state.parts.find(
    (p) => quotaKey(p.listId, p.fieldId) === quotaKey(claim.listId, claim.fieldId),
  );
  if (part?.reportedAt === undefined)
    return { confirmed: false, reason: 'the review body has not reported this part' };
  const recommended = (part.results ?? [])
    .filter((r) => r.verdict === 'recommended')
    .map((r) => r.nominationId);
  return part.reportedAt === claim.reportedAt && shortlistMatches(claim.shortlist, recommended)
    ? { confirmed: true, reportedAt: part.reportedAt, shortlist: recommended }
    : { confirmed: false, reason: 'the review body reported something else' };
}

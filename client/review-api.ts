/**
 * The typed client's expert-review calls (`api.review`): a review body files its plan, assigns
 * experts and confirms shortlists; experts declare conflicts and submit score sheets. Requests
 * are normalised (NFC) and, where the client can, checked before sending; the body's workflow
 * checks everything again. A body without a workflow yet is refused as reportReview is.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Party } from '../domain/credentials';
import { reviewPlanRejection, type ReviewPlan } from '../domain/review-plan';
import type { ScoreSheet } from '../domain/scoring';
import { normaliseTexts } from '../domain/text';
import { reviewBodyWorkflowId } from '../workflows/ids';
import {
  assignExpertsUpdate,
  confirmShortlistUpdate,
  cycleStatusQuery,
  declareConflictUpdate,
  fileReviewPlanUpdate,
  submitScoresUpdate,
  type AssignExpertsRequest,
  type ConfirmShortlistRequest,
  type DeclareConflictRequest,
} from '../workflows/messages';
import { assertIdentifier, RejectionError, unwrapRejection } from './requests';

/**
 * The refusal for a review body without a workflow: review has not started (WRONG_STAGE), or the
 * body has nothing to review in this cycle (UNKNOWN_LIST).
 */
export async function bodyNotStarted(
  client: Client,
  cycleId: string,
  bodyId: string,
): Promise<RejectionError> {
  const { stage } = await client.workflow.getHandle(cycleId).query(cycleStatusQuery);
  const early = stage === 'collection-pending' || stage === 'collection';
  return new RejectionError({
    code: early ? 'WRONG_STAGE' : 'UNKNOWN_LIST',
    field: 'body',
    rule: early ? 'stage' : 'review-body',
    message: early
      ? `初评尚未开始（当前 ${stage}）/ preliminary review has not started (now ${stage})`
      : `评审机构 ${bodyId} 在本轮没有待评审的推荐 / body ${bodyId} has no nominations to review in this cycle`,
    fix: early
      ? '征集截止后再提交 / send it once collection has closed'
      : '核对评审机构编号 / check the body id',
  });
}

type CredentialFor = (cycleId: string, ...allowed: Party[]) => { credential?: string };

/**
 * `updateId`: the caller's idempotency key for a write (the portal's Idempotency-Key). Temporal
 * answers a repeated update id on the body's workflow with the first outcome, applied once.
 */
export interface WriteOptions {
  updateId?: string;
}

export class ReviewApi {
  constructor(
    private readonly client: Client,
    private readonly credentialFor: CredentialFor,
  ) {}

  /** 备案: the body files its review plan (criteria, weights, scales, panel, N). */
  async fileReviewPlan(cycleId: string, bodyId: string, plan: ReviewPlan) {
    const normalised = normaliseTexts(plan);
    const refusal = reviewPlanRejection(normalised);
    if (refusal) throw new RejectionError(refusal);
    return this.send(cycleId, bodyId, { kind: 'body', id: bodyId }, (credential) =>
      this.body(cycleId, bodyId).executeUpdate(fileReviewPlanUpdate, {
        args: [{ plan: normalised, ...credential }],
      }),
    );
  }

  /** `{auto: true}` fills every nomination up to N; `{nominationId, expertIds}` adds experts to one. */
  async assignExperts(cycleId: string, bodyId: string, request: Omit<AssignExpertsRequest, 'credential'>) {
    return this.send(cycleId, bodyId, { kind: 'body', id: bodyId }, (credential) =>
      this.body(cycleId, bodyId).executeUpdate(assignExpertsUpdate, {
        args: [{ ...normaliseTexts(request), ...credential }],
      }),
    );
  }

  /** Declared by the expert (or by the body for them). */
  async declareConflict(
    cycleId: string,
    bodyId: string,
    request: Omit<DeclareConflictRequest, 'credential'>,
    options: WriteOptions = {},
  ) {
    assertIdentifier('expertId', request.expertId);
    const parties: Party[] = [
      { kind: 'expert', body: bodyId, id: request.expertId },
      { kind: 'body', id: bodyId },
    ];
    return this.send(cycleId, bodyId, parties, (credential) =>
      this.body(cycleId, bodyId).executeUpdate(declareConflictUpdate, {
        args: [{ ...normaliseTexts(request), ...credential }],
        ...options,
      }),
    );
  }

  async submitScores(
    cycleId: string,
    bodyId: string,
    expertId: string,
    sheets: ScoreSheet[],
    options: WriteOptions = {},
  ) {
    assertIdentifier('expertId', expertId);
    return this.send(cycleId, bodyId, { kind: 'expert', body: bodyId, id: expertId }, (credential) =>
      this.body(cycleId, bodyId).executeUpdate(submitScoresUpdate, {
        args: [{ expertId, sheets: normaliseTexts(sheets), ...credential }],
        ...options,
      }),
    );
  }

  /** The chair confirms a part's ranked shortlist: it is the body's report for that part. */
  async confirmShortlist(
    cycleId: string,
    bodyId: string,
    request: Omit<ConfirmShortlistRequest, 'credential'>,
    options: WriteOptions = {},
  ) {
    return this.send(cycleId, bodyId, { kind: 'body', id: bodyId }, (credential) =>
      this.body(cycleId, bodyId).executeUpdate(confirmShortlistUpdate, {
        args: [{ ...normaliseTexts(request), ...credential }],
        ...options,
      }),
    );
  }

  private body(cycleId: string, bodyId: string) {
    return this.client.workflow.getHandle(reviewBodyWorkflowId(cycleId, bodyId));
  }

  private async send<T>(
    cycleId: string,
    bodyId: string,
    party: Party | Party[],
    call: (credential: { credential?: string }) => Promise<T>,
  ): Promise<T> {
    assertIdentifier('body', bodyId);
    const credential = this.credentialFor(cycleId, ...([] as Party[]).concat(party));
    try {
      return await unwrapRejection(call(credential));
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      throw await bodyNotStarted(this.client, cycleId, bodyId);
    }
  }
}

/**
 * The typed client: turns a user's intent into workflow messages. The CLI, the tests and the
 * benchmarks all go through here, so a rejection always surfaces the same way (RejectionError).
 */
import { createHash } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Programme } from '../domain/programme';
import { checkCredential, type Party } from '../domain/credentials';
import { CycleReader } from '../activities/cycle-reader';
import {
  cycleTaskQueueOf,
  cycleWorkflowId,
  reviewBodyWorkflowId,
  TASK_QUEUE,
  unitWorkflowId,
} from '../workflows/ids';
import {
  amendUpdate,
  auditQuery,
  cancelUpdate,
  cycleStatusQuery,
  extendUpdate,
  finalCompleteUpdate,
  mailHoldUpdate,
  markCompleteUpdate,
  nominateUpdate,
  pauseUpdate,
  readyUpdate,
  reportReviewUpdate,
  resumeUpdate,
  reviewStateQuery,
  unitStateQuery,
  withdrawUpdate,
  type AmendRequest,
  type Credentialed,
  type CycleInput,
  type ExtendRequest,
  type FinalResults,
  type MailHoldRequest,
  type NominateRequest,
  type ReviewReport,
  type ReasonRequest,
  type WithdrawRequest,
} from '../workflows/messages';
import { programmeKey, stageKey, yearKey } from '../workflows/search-attributes';
import type { cycleWorkflow } from '../workflows/cycle';
import {
  assertIdentifier,
  outgoing,
  RejectionError,
  retryTransient,
  unwrapRejection,
  withoutSchemaReference,
} from './requests';
import { ChainApi } from './chain-api';
import { ProjectApi } from './project-api';
import { bodyNotStarted, ReviewApi } from './review-api';

export { RejectionError } from './requests';

const SECRETARIAT: Party = { kind: 'secretariat' };
const unitParty = (id: string): Party => ({ kind: 'unit', id });

export interface StartCycleOptions {
  /** Rehearse or replay: programme time at start (epoch ms). */
  startAt?: number;
  outDir?: string;
  /** The secretariat's credential public key: every write then needs a credential. */
  authPublicKey?: string;
}

export interface KczgClientOptions {
  taskQueue?: string;
  /** The acting party's credential, attached to every write (KCZG_CREDENTIAL in the CLI). */
  credential?: string;
}

export class KczgClient {
  readonly reader: CycleReader;
  readonly taskQueue: string;
  private readonly credential?: string;

  constructor(
    readonly client: Client,
    options: KczgClientOptions = {},
  ) {
    this.reader = new CycleReader(client);
    this.taskQueue = options.taskQueue ?? TASK_QUEUE;
    this.credential = options.credential;
  }

  /**
   * The client's own check before sending: a malformed or misdirected credential (other cycle,
   * other party) is refused here with the rejection the workflow would give. The workflow checks
   * it again with the signature and the expiry on programme time. Without a credential the
   * request goes as is: open-mode cycles (local rehearsals) accept it, keyed cycles refuse it.
   */
  private credentialFor(cycleId: string, ...allowed: Party[]): { credential?: string } {
    if (!this.credential) return {};
    const refusal = checkCredential({
      token: this.credential,
      publicKey: '',
      cycle: cycleId,
      allowed,
      now: 0,
      verifySignature: false,
    });
    if (refusal) throw new RejectionError(refusal);
    return { credential: this.credential };
  }

  /** Expert review inside review bodies: plans, assignments, conflicts, scores, confirmations. */
  get review(): ReviewApi {
    return new ReviewApi(this.client, (cycleId, ...allowed) => this.credentialFor(cycleId, ...allowed));
  }

  /** Tracking after publication: funded projects' reports, verification, waivers, acceptance. */
  get project(): ProjectApi {
    return new ProjectApi(this.client, (cycleId, ...allowed) => this.credentialFor(cycleId, ...allowed));
  }

  /** Chains of cycles: a child's start check, opening children per unit, forwarding outcomes. */
  get chain(): ChainApi {
    return new ChainApi(this.client, this);
  }

  /** Starts the programme-year's cycle; a second start returns the running cycle. */
  async startCycle(
    programme: Programme,
    options: StartCycleOptions = {},
  ): Promise<{ cycleId: string; started: boolean }> {
    const cycleId = cycleWorkflowId(programme.id);
    const input: CycleInput = { programme, ...options };
    try {
      const running = await this.cycle(cycleId).describe();
      if (running.status.name === 'RUNNING') {
        await this.cycle(cycleId).executeUpdate(readyUpdate);
        return { cycleId, started: false };
      }
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    await this.chain.assertStartable(programme);
    await this.client.workflow.start<typeof cycleWorkflow>('cycleWorkflow', {
      workflowId: cycleId,
      taskQueue: cycleTaskQueueOf(this.taskQueue),
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: programmeKey, value: programme.id },
        { key: yearKey, value: programme.year },
        { key: stageKey, value: 'collection-pending' },
      ],
    });
    await this.cycle(cycleId).executeUpdate(readyUpdate);
    return { cycleId, started: true };
  }

  cycle(cycleId: string) {
    return this.client.workflow.getHandle<typeof cycleWorkflow>(cycleId);
  }

  status(cycleId: string) {
    return this.cycle(cycleId).query(cycleStatusQuery);
  }

  audit(cycleId: string) {
    return this.cycle(cycleId).query(auditQuery);
  }

  unitState(cycleId: string, unitId: string) {
    return this.onUnit(
      cycleId,
      unitId,
      this.client.workflow.getHandle(unitWorkflowId(cycleId, unitId)).query(unitStateQuery),
    );
  }

  reviewState(cycleId: string, bodyId: string) {
    return this.client.workflow.getHandle(reviewBodyWorkflowId(cycleId, bodyId)).query(reviewStateQuery);
  }

  async nominate(cycleId: string, unitId: string, request: NominateRequest) {
    // The key names the update: refuse a non-string one here (hashing it would throw a TypeError).
    const key: unknown = request?.idempotencyKey;
    if (typeof key !== 'string' || !key || key.length > 200) {
      throw new RejectionError({
        code: 'INVALID',
        field: 'idempotencyKey',
        rule: 'required',
        message: '缺少幂等键 / idempotencyKey is required (1–200 characters)',
        fix: '每次提交附带唯一键，重试时复用 / send a unique key per submission and reuse it on retry',
      });
    }
    assertIdentifier('unit', unitId);
    const args: [NominateRequest] = [
      outgoing('nominate', {
        ...request,
        candidate: withoutSchemaReference(request.candidate),
        ...this.credentialFor(cycleId, unitParty(unitId)),
      }),
    ];
    // The update id derives from the idempotency key (hashed: keys may carry names), so the server
    // itself folds a retried submission.
    const updateId = `nominate:${createHash('sha256').update(args[0].idempotencyKey).digest('hex').slice(0, 32)}`;
    return this.onUnit(
      cycleId,
      unitId,
      retryTransient(() => this.unit(cycleId, unitId).executeUpdate(nominateUpdate, { args, updateId })),
    );
  }

  async amend(cycleId: string, unitId: string, request: AmendRequest) {
    assertIdentifier('unit', unitId);
    const args: [AmendRequest] = [
      outgoing('amend', {
        ...request,
        candidate: withoutSchemaReference(request.candidate),
        ...this.credentialFor(cycleId, unitParty(unitId)),
      }),
    ];
    return this.onUnit(cycleId, unitId, this.unit(cycleId, unitId).executeUpdate(amendUpdate, { args }));
  }

  async withdraw(cycleId: string, unitId: string, nominationId: string) {
    assertIdentifier('unit', unitId);
    const args: [WithdrawRequest] = [
      outgoing('withdraw', { nominationId, ...this.credentialFor(cycleId, unitParty(unitId)) }),
    ];
    return this.onUnit(cycleId, unitId, this.unit(cycleId, unitId).executeUpdate(withdrawUpdate, { args }));
  }

  async markComplete(cycleId: string, unitId: string) {
    assertIdentifier('unit', unitId);
    const args: [Credentialed] = [outgoing('markComplete', this.credentialFor(cycleId, unitParty(unitId)))];
    return this.onUnit(
      cycleId,
      unitId,
      this.unit(cycleId, unitId).executeUpdate(markCompleteUpdate, { args }),
    );
  }

  /**
   * A unit off the roster (or of a cycle not started) has no workflow: that is UNKNOWN_UNIT, not a
   * server error.
   */
  private async onUnit<T>(cycleId: string, unitId: string, call: Promise<T>): Promise<T> {
    try {
      return await unwrapRejection(call);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      throw new RejectionError({
        code: 'UNKNOWN_UNIT',
        field: 'unit',
        rule: 'roster',
        message: `周期 ${cycleId} 的名册中没有单位 ${unitId}（或周期未开启）/ unit ${unitId} is not on the roster of ${cycleId}, or the cycle has not started`,
        fix: '核对单位编号与方案，或请秘书处将其加入名册、开启周期 / check the unit and programme ids, or ask the secretariat to add the unit or start the cycle',
      });
    }
  }

  async reportReview(cycleId: string, bodyId: string, report: ReviewReport) {
    assertIdentifier('body', bodyId);
    const args: [ReviewReport] = [
      outgoing('reportReview', { ...report, ...this.credentialFor(cycleId, { kind: 'body', id: bodyId }) }),
    ];
    try {
      return await unwrapRejection(
        this.client.workflow
          .getHandle(reviewBodyWorkflowId(cycleId, bodyId))
          .executeUpdate(reportReviewUpdate, { args }),
      );
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      // No workflow for the body: review has not started, or the body has nothing to review.
      throw await bodyNotStarted(this.client, cycleId, bodyId);
    }
  }

  async finalComplete(cycleId: string, results: FinalResults) {
    const args: [FinalResults] = [
      outgoing('finalComplete', { ...results, ...this.credentialFor(cycleId, { kind: 'final' }) }),
    ];
    return unwrapRejection(this.cycle(cycleId).executeUpdate(finalCompleteUpdate, { args }));
  }

  async extend(cycleId: string, request: ExtendRequest) {
    const args: [ExtendRequest] = [
      outgoing('extend', { ...request, ...this.credentialFor(cycleId, SECRETARIAT) }),
    ];
    return unwrapRejection(this.cycle(cycleId).executeUpdate(extendUpdate, { args }));
  }

  async pause(cycleId: string, reason: string) {
    return unwrapRejection(
      this.cycle(cycleId).executeUpdate(pauseUpdate, { args: [this.reasoned(cycleId, reason)] }),
    );
  }

  async resume(cycleId: string, reason: string) {
    return unwrapRejection(
      this.cycle(cycleId).executeUpdate(resumeUpdate, { args: [this.reasoned(cycleId, reason)] }),
    );
  }

  async cancel(cycleId: string, reason: string) {
    return unwrapRejection(
      this.cycle(cycleId).executeUpdate(cancelUpdate, { args: [this.reasoned(cycleId, reason)] }),
    );
  }

  /** Holds (or releases) one planned mailing, by its id in `kczg mail plan`. */
  async mailHold(cycleId: string, reminderId: string, held: boolean) {
    const args: [MailHoldRequest] = [
      outgoing('mailHold', { reminderId, held, ...this.credentialFor(cycleId, SECRETARIAT) }),
    ];
    return unwrapRejection(this.cycle(cycleId).executeUpdate(mailHoldUpdate, { args }));
  }

  private reasoned(cycleId: string, reason: string): ReasonRequest {
    return outgoing('reason', { reason, ...this.credentialFor(cycleId, SECRETARIAT) });
  }

  private unit(cycleId: string, unitId: string) {
    return this.client.workflow.getHandle(unitWorkflowId(cycleId, unitId));
  }
}

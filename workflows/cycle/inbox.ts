/**
 * The cycle's internal signals: a review body's partReported and the mail activity's mailFailed.
 * With a credential key they are confirmed with their sender before they count (confirm.ts).
 * Open cycles trust them as before; the signals a keyed cycle started before this change already
 * handled replay as they were applied (no marker).
 */
import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { quotaKey } from '../../domain/quota';
import { CONFIRMATION } from '../activity-options';
import {
  AUDITED_UNVERIFIED_SIGNALS,
  claimBatcher,
  describeClaim,
  type CycleClaim,
  type CycleClaimAnswer,
} from '../confirm';
import { PATCHES } from '../patches';
import { isPlausibleInstant } from '../refusals';
import type { CycleMail } from './mail';
import type { CycleState } from './state';

const { confirmCycleSignals } = proxyActivities<ReturnType<typeof createActivities>>(CONFIRMATION);

export interface PartReport {
  bodyId: string;
  listId: string;
  fieldId?: string;
  reportedAt: number;
  shortlist: string[];
}

export class CycleInbox {
  private readonly confirmedMailFailures = new Set<string>();
  private readonly confirmWithSender = claimBatcher<CycleClaim, CycleClaimAnswer>((claims) =>
    confirmCycleSignals({
      cycleId: this.cycle.cycleId,
      authPublicKey: this.cycle.input.authPublicKey,
      claims,
    }),
  );

  constructor(
    private readonly cycle: CycleState,
    private readonly mail: CycleMail,
  ) {}

  private confirming(): boolean {
    return Boolean(this.cycle.input.authPublicKey) && patched(PATCHES.confirmedSignals);
  }

  private unverified(signal: string, payload: unknown, reason: string): void {
    const cycle = this.cycle;
    cycle.unverifiedSignals++;
    log.warn('internal signal not confirmed by its sender: ignored', { signal, reason });
    if (cycle.unverifiedSignals <= AUDITED_UNVERIFIED_SIGNALS) {
      cycle.record({
        actor: 'signal',
        action: 'signal-unverified',
        outcome: 'rejected',
        detail: `${signal} ${describeClaim(payload)}: ${reason}`,
      });
    } else {
      cycle.plan.changed();
    }
  }

  /** The sender's answer, or a refusal when it cannot be had (never a failed workflow). */
  private async confirm(claim: CycleClaim): Promise<CycleClaimAnswer> {
    try {
      return await this.confirmWithSender(claim);
    } catch (error) {
      return { confirmed: false, reason: `confirmation failed: ${(error as Error)?.message ?? 'unknown'}` };
    }
  }

  async partReported(report: PartReport): Promise<void> {
    // Signals have no validator: a malformed one (only a direct caller sends those) is ignored.
    if (!wellFormedReport(report)) {
      if (this.confirming()) this.unverified('partReported', report, 'malformed');
      return;
    }
    const key = quotaKey(report.listId, report.fieldId);
    const part = this.cycle.parts.get(key);
    const body = part?.reviewBodies.find((b) => b.bodyId === report.bodyId);
    if (!part || !body) {
      if (this.confirming())
        this.unverified('partReported', report, 'no such review body for this list or field');
      return;
    }
    if (body.reportedAt !== undefined) return;
    let { reportedAt, shortlist: reported } = report;
    if (this.confirming()) {
      const answer = await this.confirm({
        signal: 'partReported',
        bodyId: report.bodyId,
        listId: report.listId,
        ...(report.fieldId !== undefined ? { fieldId: report.fieldId } : {}),
        reportedAt: report.reportedAt,
        shortlist: report.shortlist,
      });
      if (!answer.confirmed) return this.unverified('partReported', report, answer.reason ?? 'not confirmed');
      // Two copies of the same report, confirmed together: the first one stands.
      if (body.reportedAt !== undefined) return;
      reportedAt = answer.reportedAt as number;
      reported = answer.shortlist as string[];
    }
    body.reportedAt = reportedAt;
    body.late = reportedAt >= part.dueAt;
    body.shortlisted = reported.length;
    const shortlist = this.cycle.shortlists.get(key) ?? new Set<string>();
    reported.forEach((id) => shortlist.add(id));
    this.cycle.shortlists.set(key, shortlist);
    this.cycle.record({
      actor: `review:${report.bodyId}`,
      action: 'review-results',
      outcome: 'accepted',
      detail: `${key}: ${reported.length} recommended${body.late ? ' (late)' : ''}`,
    });
  }

  /** A mail that will never be delivered is recorded here and reported to the secretariat. */
  async mailFailed(failure: { businessKey: string; error: string }): Promise<void> {
    if (typeof failure?.businessKey !== 'string' || typeof failure.error !== 'string') {
      if (this.confirming()) this.unverified('mailFailed', failure, 'malformed');
      return;
    }
    const { businessKey } = failure;
    let { error } = failure;
    if (this.confirming()) {
      const answer = await this.confirm({ signal: 'mailFailed', businessKey, error });
      if (!answer.confirmed) return this.unverified('mailFailed', failure, answer.reason ?? 'not confirmed');
      // A retried activity may signal twice: one message, one failure.
      if (this.confirmedMailFailures.has(businessKey)) return;
      this.confirmedMailFailures.add(businessKey);
      error = answer.error as string;
    }
    this.cycle.mailFailures++;
    this.cycle.record({
      actor: 'mail',
      action: 'mail-failed',
      outcome: 'rejected',
      detail: `${businessKey}: ${error}`,
    });
    this.mail.failed(businessKey, error);
  }
}

function wellFormedReport(report: PartReport): boolean {
  return (
    typeof report?.bodyId === 'string' &&
    typeof report.listId === 'string' &&
    (report.fieldId === undefined || typeof report.fieldId === 'string') &&
    isPlausibleInstant(report.reportedAt) &&
    Array.isArray(report.shortlist) &&
    report.shortlist.every((id) => typeof id === 'string')
  );
}

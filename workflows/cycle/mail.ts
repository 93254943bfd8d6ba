/**
 * The cycle's own mail: the secretariat's digests, escalations and failure reports, and the
 * final review body's reminders. Notices run beside the stage machine (patched): a mail outage
 * (a notice retrying for hours) never holds a stage change or the next timer. The cycle waits
 * for every one before it completes (`drain`), so none is lost. Cycles started before the change
 * awaited each notice where it was sent.
 */
import { condition, log, patched, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { noticeKey, parseNoticeKey, secretariatMailIds } from '../../domain/mail-ids';
import { CYCLE_MAIL } from '../activity-options';
import { programmeRef, type NoticeRequest } from '../notices';
import { PATCHES } from '../patches';
import type { CycleState } from './state';

const { sendNotice } = proxyActivities<ReturnType<typeof createActivities>>(CYCLE_MAIL);

export class CycleMail {
  private readonly outstanding = new Set<Promise<void>>();
  /** Failures to report to the secretariat (never its own: no loop). */
  private readonly failuresToReport: string[] = [];

  constructor(private readonly cycle: CycleState) {}

  /** Sends beside the stages (patched), else awaits the send as cycles before the change did. */
  private async beside(send: () => Promise<unknown>): Promise<void> {
    if (!patched(PATCHES.noticesBesideStages)) {
      await send();
      return;
    }
    const running = send().then(
      () => undefined,
      (error: unknown) => log.warn('notice not sent', { error: (error as Error)?.message ?? String(error) }),
    );
    this.outstanding.add(running);
    void running.then(() => this.outstanding.delete(running));
  }

  private toSecretariat(
    mailId: string,
    template: NoticeRequest['template'],
    deadline: number,
    missing: string[],
  ): Promise<unknown> {
    const { programme, cycleId, clock } = this.cycle;
    return sendNotice({
      cycleId,
      businessKey: noticeKey(cycleId, { kind: 'secretariat' }, mailId),
      to: programme.secretariat.contacts.map((c) => ({
        name: `${programme.secretariat.name.zh} ${c.name}`,
        email: c.email,
      })),
      template,
      programme: programmeRef(programme),
      issuedAt: clock.now(),
      deadline,
      party: programme.secretariat.name.zh,
      missing,
    });
  }

  /** The digest of who still owes `deadline`, asked of the entities when it goes. */
  digest(reminderId: string, deadline: number, whoIsMissing: () => Promise<string[]>): Promise<void> {
    return this.beside(async () =>
      this.toSecretariat(reminderId, 'secretariatDigest', deadline, await whoIsMissing()),
    );
  }

  escalation(stage: string, deadline: number, missing: string[]): Promise<void> {
    return this.beside(() =>
      this.toSecretariat(secretariatMailIds.escalation(stage), 'escalation', deadline, missing),
    );
  }

  finalReminder(reminderId: string, overdue: boolean): Promise<void> {
    const { programme, cycleId, clock, deadlines, parts, shortlists } = this.cycle;
    const body = programme.finalReviewBody;
    return this.beside(() =>
      sendNotice({
        cycleId,
        businessKey: noticeKey(cycleId, { kind: 'final' }, reminderId),
        to: body.contacts.map((c) => ({ name: `${body.name.zh} ${c.name}`, email: c.email })),
        template: overdue ? 'bodyOverdue' : 'bodyReminder',
        programme: programmeRef(programme),
        issuedAt: clock.now(),
        deadline: deadlines.finalReviewDueAt,
        party: body.name.zh,
        awaiting: [...parts.entries()].map(([key, p]) => ({
          list: p.listId,
          field: p.fieldId,
          count: shortlists.get(key)?.size ?? 0,
        })),
      }),
    );
  }

  /** A mail that will never be delivered: reported to the secretariat unless it was theirs. */
  failed(businessKey: string, error: string): void {
    if (parseNoticeKey(businessKey)?.party.kind !== 'secretariat')
      this.failuresToReport.push(`${businessKey}: ${error}`);
  }

  /** Reports failures in batches as they are recorded, until the cycle is over. */
  async reportFailures(): Promise<void> {
    for (let batch = 1; ; batch++) {
      await condition(() => this.failuresToReport.length > 0 || this.cycle.over());
      if (this.cycle.over()) return;
      const failures = this.failuresToReport.splice(0);
      await this.beside(() =>
        this.toSecretariat(
          secretariatMailIds.mailFailures(batch),
          'mailFailures',
          this.cycle.clock.now(),
          failures,
        ),
      );
    }
  }

  /** Waits for every notice still being sent. */
  async drain(): Promise<void> {
    while (this.outstanding.size > 0) await Promise.all([...this.outstanding]);
  }
}

/**
 * Renders a workflow's notice request with the mail templates and sends it exactly once. A
 * permanent failure (5xx, authentication, configuration) is recorded on the cycle and does not
 * fail the calling workflow; transient failures are thrown so Temporal retries with backoff.
 * The failure is first recorded in kczg's records (the mail ledger's failures): in a keyed cycle
 * the cycle confirms the mailFailed signal against that record, so a forged one changes nothing.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import * as templates from '../mail/templates';
import type { MailDeadline, RenderedMail } from '../mail/templates';
import { mailFailedSignal } from '../workflows/messages';
import type { NoticeRequest } from '../workflows/notices';
import type { MailLedger } from '../storage/mail-ledger';
import type { createMailActivities, SendResult } from './mail';
import { signInLinkFor, type SignInLinkConfig } from './sign-in-links';

export interface NoticeDeps {
  mail: ReturnType<typeof createMailActivities>;
  client: Client;
  /** Where recipients act (platform or published lists); rendered only when http(s). */
  url?: string;
  /** When set, each message links its recipient into the portal instead of `url`. */
  signInLinks?: SignInLinkConfig;
  /** Where permanent failures are recorded (shared by every worker, like the sent ledger). */
  failures: Pick<MailLedger, 'recordFailure' | 'failure'>;
}

export type NoticeResult = SendResult | { status: 'failed'; error: string };

const deadlineLabels: Record<NoticeRequest['template'], templates.BilingualText> = {
  collectionOpened: { zh: '推荐材料提交截止', en: 'Nomination deadline' },
  unitReminder: { zh: '推荐材料提交截止', en: 'Nomination deadline' },
  collectionClosed: { zh: '推荐材料提交截止', en: 'Nomination deadline' },
  bodyReminder: { zh: '评审结果报送截止', en: 'Review results due' },
  bodyOverdue: { zh: '评审结果报送截止', en: 'Review results due' },
  expertReminder: { zh: '专家评分提交截止', en: 'Expert scores due' },
  secretariatDigest: { zh: '阶段截止', en: 'Stage deadline' },
  escalation: { zh: '初评结果报送截止（已逾期）', en: 'Preliminary review due (overdue)' },
  mailFailures: { zh: '邮件无法投递', en: 'Undeliverable mail' },
  resultsPublished: { zh: '榜单发布', en: 'Publication' },
  reportReminder: { zh: '进展报告提交截止', en: 'Progress report due' },
  reportOverdue: { zh: '进展报告提交截止', en: 'Progress report due' },
  reportEscalation: { zh: '进展报告提交截止（已逾期）', en: 'Progress report due (overdue)' },
};

export function renderNotice(request: NoticeRequest, url?: string): RenderedMail {
  const common = { programme: request.programme.name, issuedAt: request.issuedAt, url };
  const at = request.deadline ?? request.issuedAt;
  // The calendar entry is per deadline and party: the business key without its offset.
  const deadline: MailDeadline = {
    label: deadlineLabels[request.template],
    at,
    calendarUid: `${request.businessKey
      .split('/')
      .slice(0, -1)
      .join('.')
      .replace(/[^A-Za-z0-9.-]/g, '-')}@kczg`,
  };
  switch (request.template) {
    case 'collectionOpened':
      return templates.stageNotice({
        ...common,
        recipient: request.party,
        stage: 'collection-opened',
        at: request.issuedAt,
        deadline,
      });
    case 'collectionClosed':
      return templates.stageNotice({ ...common, recipient: request.party, stage: 'collection-closed', at });
    case 'resultsPublished':
      return templates.stageNotice({
        ...common,
        recipient: request.party,
        stage: 'results-published',
        at: request.issuedAt,
      });
    case 'unitReminder':
      return templates.unitReminder({ ...common, unit: request.party, deadline, usage: request.usage ?? [] });
    case 'bodyReminder':
      return templates.bodyReminder({
        ...common,
        body: request.party,
        deadline,
        lists: (request.awaiting ?? []).map(({ list, field }) => ({ list, field })),
        awaiting: (request.awaiting ?? []).reduce((n, a) => n + a.count, 0),
      });
    case 'expertReminder':
      return templates.expertReminder({
        ...common,
        expert: request.party,
        deadline,
        lists: (request.awaiting ?? []).map(({ list, field }) => ({ list, field })),
        owing: (request.awaiting ?? []).reduce((n, a) => n + a.count, 0),
      });
    case 'reportReminder':
      return templates.reportReminder({
        ...common,
        recipient: request.party,
        project: request.project?.name ?? '',
        deadline,
        targets: request.project?.targets ?? [],
      });
    case 'bodyOverdue':
    case 'reportOverdue':
      return templates.overdueNotice({ ...common, recipient: request.party, deadline });
    case 'secretariatDigest':
    case 'escalation':
    case 'mailFailures':
    case 'reportEscalation':
      return templates.secretariatDigest({
        ...common,
        secretariat: request.party,
        deadline,
        missing: request.missing ?? [],
      });
  }
}

export function createNoticeActivities(deps: NoticeDeps) {
  /** The recorded permanent failure of a message, if any (read by the cycle's confirmation). */
  const undeliverable = (businessKey: string) => deps.failures.failure(businessKey);

  async function sendNotice(request: NoticeRequest): Promise<NoticeResult> {
    try {
      return await deps.mail.sendMail({
        businessKey: request.businessKey,
        to: request.to,
        rendered: renderNotice(
          request,
          (deps.signInLinks && signInLinkFor(request, deps.signInLinks)) ?? deps.url,
        ),
      });
    } catch (error) {
      if (!(error instanceof ApplicationFailure) || !error.nonRetryable) throw error;
      const failure = `${error.type}: ${error.message}`;
      // Recorded in the records (what the cycle confirms against), then on the cycle, where the
      // secretariat sees it in status and audit.
      await deps.failures.recordFailure(request.businessKey, failure);
      await deps.client.workflow.getHandle(request.cycleId).signal(mailFailedSignal, {
        businessKey: request.businessKey,
        error: failure,
      });
      return { status: 'failed', error: failure };
    }
  }
  return { sendNotice, undeliverable };
}

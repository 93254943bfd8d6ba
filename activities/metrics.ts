/**
 * kczg's mail counters, emitted through the running activity's metric meter (exported with the
 * worker's runtime metrics, tagged with namespace, task queue and activity type): per programme
 * and kind of mail (notice, reminder, overdue, digest, escalation, failure-report), how many fell
 * due, were sent, were found already sent, were retried and failed for good. "Due" is counted on
 * an activity's first attempt, so due minus sent is what is late or lost.
 */
import { ApplicationFailure, noopMetricMeter, type MetricMeter } from '@temporalio/common';
import { asyncLocalStorage } from '@temporalio/activity';
import { parseNoticeKey } from '../domain/mail-ids';
import type { MailRequest, SendResult } from './mail';

export type MailKind =
  'notice' | 'reminder' | 'overdue' | 'digest' | 'escalation' | 'failure-report' | 'other';

/** What a business key (domain/mail-ids.ts) names, for the `kind` label. */
export function mailKindOf(businessKey: string): MailKind {
  const key = parseNoticeKey(businessKey);
  if (!key) return 'other';
  const { mailId } = key;
  if (key.party.kind === 'secretariat') {
    if (mailId.startsWith('mail-failures/')) return 'failure-report';
    if (mailId.startsWith('escalation/')) return 'escalation';
    return mailId.includes(':digest-') ? 'digest' : 'other';
  }
  if (/:overdue-\d+$/.test(mailId)) return 'overdue';
  return /:T-\d+$/.test(mailId) ? 'reminder' : 'notice';
}

/** The programme of a business key's cycle (`kczg:national-2023/…` → national-2023). */
function programmeOf(businessKey: string): string {
  return parseNoticeKey(businessKey)?.cycleId.replace(/^kczg:/, '') ?? 'unknown';
}

/** The running activity's meter; outside an activity (tests calling sendMail directly) none. */
function activityMeter(): { meter: MetricMeter; firstAttempt: boolean } {
  const context = asyncLocalStorage.getStore();
  return context
    ? { meter: context.metricMeter, firstAttempt: context.info.attempt === 1 }
    : { meter: noopMetricMeter, firstAttempt: true };
}

type Send = (request: MailRequest) => Promise<SendResult>;

/** `send`, counting each request's outcome; what it returns or throws is unchanged. */
export function countedSends(send: Send): Send {
  return async (request) => {
    const { meter, firstAttempt } = activityMeter();
    const tags = { programme: programmeOf(request.businessKey), kind: mailKindOf(request.businessKey) };
    const count = (name: string, description: string, extra: Record<string, string> = {}) =>
      meter.createCounter(name, 'messages', description).add(1, { ...tags, ...extra });
    if (firstAttempt) count('kczg_mail_due', 'Mail requests on their first attempt');
    try {
      const result = await send(request);
      if (result.status === 'sent') count('kczg_mail_sent', 'Mail accepted by the SMTP server');
      else count('kczg_mail_already_sent', 'Mail found sent in the ledger, not sent again');
      return result;
    } catch (error) {
      const type = error instanceof ApplicationFailure ? (error.type ?? 'ERROR') : 'ERROR';
      if (error instanceof ApplicationFailure && error.nonRetryable) {
        count('kczg_mail_failed', 'Mail that failed for good (5xx, authentication, configuration)', { type });
      } else {
        count('kczg_mail_retried', 'Mail attempts that failed and will be retried', { type });
      }
      throw error;
    }
  };
}

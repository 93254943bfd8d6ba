/**
 * Issue 5's SMTP failure drills, on the time-skipping server against the real loopback SMTP
 * outbox with fault injection: a 451 is retried into exactly one delivery; a 550 is recorded on the
 * cycle (status and audit) and not retried, and the unit's later reminders still go; an outage
 * across a reminder time (server closed, or answering 421) ends in one delivery of each due
 * message once the server is back.
 *
 * Each drill runs its own one-unit cycle (its own programme id), started at 2023-11-16 08:50
 * programme time: the opened notice goes at once, then the unit's T-14 reminder and the
 * secretariat's T-14 digest are due at 09:00. Messages are found by Message-ID, which the mail
 * activity derives from the business key.
 */
import type { Payload } from '@temporalio/common';
import { beijingToEpochMs } from '../../domain/calendar';
import type { Programme } from '../../domain/programme';
import { loadProgramme } from '../../programmes/loader';
import { startOutboxSmtpServer, type OutboxSmtpServer } from '../../servers/smtp-outbox';
import { unitWorkflowId } from '../../workflows/ids';
import type { TestStack } from '../support/stack';
import {
  eventually as eventuallyAt,
  finishCycle as finish,
  useTimeSkippingStack,
  type Delivered,
  type Outbox,
} from '../support/time-skipping';

const MINUTE = 60_000;
const STARTS_AT = beijingToEpochMs('2023-11-16 08:50');
const T14 = beijingToEpochMs('2023-11-16 09:00');
const T7 = beijingToEpochMs('2023-11-23 09:00');
/** national-2023's collection deadline, "2023-11-30 24:00", and the T-1 mails before it. */
const CLOSES = beijingToEpochMs('2023-11-30 24:00');
const T1 = beijingToEpochMs('2023-11-29 09:00');

/** One sendNotice as the workflow history records it: its business key and the attempt that ended it. */
interface NoticeAttempt {
  businessKey: string;
  attempt: number;
  outcome?: 'completed' | 'failed';
  result?: { status?: string };
}

describe('mail faults: SMTP refusals and outages around a reminder instant', () => {
  const kit = useTimeSkippingStack();
  let stack: TestStack;
  let outbox: Outbox;
  /** Servers the tests started in place of the stack's own (closed) one. */
  const restarted: OutboxSmtpServer[] = [];
  const base = loadProgramme('national-2023');
  const cie = base.roster.units.find((u) => u.id === 'cie') ?? base.roster.units[0];

  beforeAll(() => ({ stack, outbox } = kit));
  afterAll(async () => {
    await Promise.all(restarted.map((s) => s.close()));
  });
  afterEach(() => {
    for (const smtp of [stack.smtp, ...restarted]) smtp.setFaults({});
  });

  /** Polls `probe`; with `skipMs`, lets that much programme time pass each round (retries fire). */
  const eventually = <T>(what: string, probe: () => Promise<T | undefined>, skipMs?: number) =>
    eventuallyAt(what, probe, skipMs ? { skip: () => stack.env.sleep(skipMs) } : {});

  /** A one-unit copy of national-2023 under its own id, started just before T-14 (or `startAt`). */
  async function startDrill(programmeId: string, startAt = STARTS_AT) {
    const programme: Programme = {
      ...base,
      id: programmeId,
      roster: { ...base.roster, units: [cie] },
    };
    const { cycleId } = await stack.api.startCycle(programme, { startAt });
    const offset = (await stack.api.status(cycleId)).clockOffsetMs;
    const keys = {
      opened: `${cycleId}/unit/${cie.id}/opened`,
      reminder: `${cycleId}/unit/${cie.id}/collection:T-14`,
      digest: `${cycleId}/secretariat/collection:digest-T-14`,
      nextReminder: `${cycleId}/unit/${cie.id}/collection:T-7`,
    };
    // The opened notice goes at once: wait for it, so faults set next hit only the T-14 mail.
    await deliveredOnce(keys.opened);
    return { cycleId, offset, keys, unitWorkflow: unitWorkflowId(cycleId, cie.id) };
  }

  async function deliveredOnce(businessKey: string, skipMs?: number): Promise<Delivered> {
    const [first] = await eventually(
      businessKey,
      async () => {
        const found = await outbox.deliveriesOf(businessKey);
        return found.length > 0 ? found : undefined;
      },
      skipMs,
    );
    return first;
  }

  /** Lets time pass (retries would fire), then checks each key has exactly one delivery. */
  async function expectExactlyOnce(businessKeys: string[]): Promise<void> {
    await stack.env.sleep(2 * 3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const businessKey of businessKeys) {
      const found = await outbox.deliveriesOf(businessKey);
      expect({ businessKey, deliveries: found.length }).toEqual({ businessKey, deliveries: 1 });
    }
  }

  /** Every sendNotice in the workflow's history that has finished, by business key. */
  async function noticeAttempts(workflowId: string): Promise<NoticeAttempt[]> {
    const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
    const byScheduled = new Map<string, NoticeAttempt>();
    for (const event of history.events ?? []) {
      const id = String(event.eventId);
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name === 'sendNotice') {
        const request = (await decode(scheduled.input?.payloads?.[0] as Payload)) as { businessKey: string };
        byScheduled.set(id, { businessKey: request.businessKey, attempt: 0 });
      }
      const started = event.activityTaskStartedEventAttributes;
      const entry = started && byScheduled.get(String(started.scheduledEventId));
      if (started && entry) {
        entry.attempt = started.attempt ?? 0;
      }
      const completed = event.activityTaskCompletedEventAttributes;
      const done = completed && byScheduled.get(String(completed.scheduledEventId));
      if (completed && done) {
        done.outcome = 'completed';
        done.result = (await decode(completed.result?.payloads?.[0] as Payload)) as NoticeAttempt['result'];
      }
      const failed = event.activityTaskFailedEventAttributes;
      const lost = failed && byScheduled.get(String(failed.scheduledEventId));
      if (lost) lost.outcome = 'failed';
    }
    return [...byScheduled.values()];
  }

  /** The workflow's sendNotice activities still pending (retrying), with their last failure. */
  async function pendingNotices(workflowId: string) {
    const described = await stack.env.client.workflow.getHandle(workflowId).describe();
    const pending = (described.raw.pendingActivities ?? []).filter(
      (a) => a.activityType?.name === 'sendNotice',
    );
    return Promise.all(
      pending.map(async (a) => ({
        attempt: a.attempt ?? 0,
        lastFailure: await failureMessage(a.lastFailure as Parameters<typeof failureMessage>[0]),
      })),
    );
  }

  /** A history payload as the worker wrote it: decrypted with the stack's codec, then JSON. */
  async function decode(payload: Payload | null | undefined): Promise<unknown> {
    if (!payload) return undefined;
    const [plain] = stack.codec ? await stack.codec.decode([payload]) : [payload];
    return plain.data ? JSON.parse(Buffer.from(plain.data).toString('utf8')) : undefined;
  }

  /** A failure's message: the failure converter moves it into an encrypted payload. */
  async function failureMessage(
    failure: { message?: string | null; encodedAttributes?: Payload | null } | null | undefined,
  ) {
    if (!failure) return undefined;
    const attributes = (await decode(failure.encodedAttributes)) as { message?: string } | undefined;
    return attributes?.message ?? failure.message ?? undefined;
  }

  const finishCycle = (cycleId: string) => finish(stack, cycleId);

  it('retries a 451 with backoff and delivers the reminder exactly once', async () => {
    const drill = await startDrill('mail-451-2023');
    // Two messages fall due at 09:00 (the unit's reminder and the secretariat's digest): the
    // first to reach DATA gets the 451.
    stack.smtp.setFaults({
      rejectNext: [{ code: 451, message: '4.3.0 Temporary local problem, try later' }],
    });
    await stack.sleepUntil(T14 + MINUTE, drill.offset);
    await deliveredOnce(drill.keys.reminder, 10_000);
    await deliveredOnce(drill.keys.digest, 10_000);
    await expectExactlyOnce([drill.keys.reminder, drill.keys.digest]);

    // One of the two needed a second attempt, after the 451; nothing was recorded as failed.
    const attempts = [
      ...(await noticeAttempts(drill.unitWorkflow)),
      ...(await noticeAttempts(drill.cycleId)),
    ].filter((a) => a.businessKey === drill.keys.reminder || a.businessKey === drill.keys.digest);
    expect(attempts).toHaveLength(2);
    expect(attempts.every((a) => a.outcome === 'completed' && a.result?.status === 'sent')).toBe(true);
    expect(attempts.map((a) => a.attempt).sort()).toEqual([1, 2]);
    // (The time-skipping server leaves ActivityTaskStarted.lastFailure empty; the 421 drill below
    // reads a 4xx failure from the pending activity instead.)
    expect((await stack.api.status(drill.cycleId)).mailFailures).toBe(0);
    await finishCycle(drill.cycleId);
  });

  it('records a 550 on the cycle (mailFailures, audit "mail-failed") without retrying, and the unit’s next reminder still goes', async () => {
    const drill = await startDrill('mail-550-2023');
    stack.smtp.setFaults({ rejectAll: { code: 550, message: '5.1.1 Mailbox unavailable' } });
    await stack.sleepUntil(T14 + MINUTE, drill.offset);
    // Refused for good: the unit's reminder, the secretariat's digest, and the report of the
    // reminder's failure to the secretariat (its own failure is recorded, not reported again).
    const refused = [drill.keys.reminder, drill.keys.digest, `${drill.cycleId}/secretariat/mail-failures/1`];
    const status = await eventually('three recorded mail failures', async () => {
      const s = await stack.api.status(drill.cycleId);
      return s.mailFailures >= refused.length ? s : undefined;
    });
    expect(status.mailFailures).toBe(refused.length);
    const failures = (await stack.api.audit(drill.cycleId)).filter((e) => e.action === 'mail-failed');
    expect(failures).toHaveLength(refused.length);
    for (const key of refused) {
      expect(failures.filter((e) => e.detail.startsWith(`${key}: `))).toHaveLength(1);
    }
    for (const entry of failures) {
      expect(entry).toMatchObject({ actor: 'mail', outcome: 'rejected' });
      expect(entry.detail).toMatch(/SMTP_PERMANENT: .*550/);
    }

    // Not retried: one attempt, completed as 'failed', nothing pending, nothing delivered —
    // even after hours more of programme time with the server healthy again.
    stack.smtp.setFaults({});
    await stack.env.sleep(3 * 3_600_000);
    const reminder = (await noticeAttempts(drill.unitWorkflow)).find(
      (a) => a.businessKey === drill.keys.reminder,
    );
    expect(reminder).toMatchObject({ attempt: 1, outcome: 'completed', result: { status: 'failed' } });
    expect(await pendingNotices(drill.unitWorkflow)).toEqual([]);
    expect(await pendingNotices(drill.cycleId)).toEqual([]);
    for (const key of refused) expect(await outbox.deliveriesOf(key)).toEqual([]);
    expect((await stack.api.status(drill.cycleId)).mailFailures).toBe(refused.length);

    // The workflow went on: T-7 arrives on time, once.
    await stack.sleepUntil(T7 + MINUTE, drill.offset);
    await deliveredOnce(drill.keys.nextReminder);
    await expectExactlyOnce([drill.keys.nextReminder]);
    await finishCycle(drill.cycleId);
  });

  it('delivers each due message once after a 421 outage window across the reminder time is cleared', async () => {
    const drill = await startDrill('mail-421-2023');
    const smtp = stack.smtp;
    smtp.setFaults({ rejectAll: { code: 421, message: '4.3.2 Service not available' } });
    await stack.sleepUntil(T14 + 60 * MINUTE, drill.offset);
    expect(await outbox.deliveriesOf(drill.keys.reminder)).toEqual([]);
    expect(await outbox.deliveriesOf(drill.keys.digest)).toEqual([]);
    const pending = await pendingNotices(drill.unitWorkflow);
    expect(pending).toHaveLength(1);
    expect(pending[0].lastFailure).toMatch(/421/);

    smtp.setFaults({});
    await stack.sleepUntil(T14 + 95 * MINUTE, drill.offset);
    await deliveredOnce(drill.keys.reminder, 60_000);
    await deliveredOnce(drill.keys.digest, 60_000);
    await expectExactlyOnce([drill.keys.reminder, drill.keys.digest]);
    expect((await stack.api.status(drill.cycleId)).mailFailures).toBe(0);
    await finishCycle(drill.cycleId);
  });

  it('delivers each due message once after the SMTP server is down across the reminder time and comes back', async () => {
    const drill = await startDrill('mail-down-2023');
    const { port, url } = stack.smtp;
    await stack.smtp.close();
    // An hour of programme time with the server down: every attempt is refused and retried.
    await stack.sleepUntil(T14 + 60 * MINUTE, drill.offset);
    expect(await outbox.deliveriesOf(drill.keys.reminder)).toEqual([]);
    expect(await outbox.deliveriesOf(drill.keys.digest)).toEqual([]);
    const pending = await pendingNotices(drill.unitWorkflow);
    expect(pending).toHaveLength(1);
    expect(pending[0].attempt).toBeGreaterThan(1);
    expect(pending[0].lastFailure).toMatch(/unreachable|connection|ECONNREFUSED/i);

    // Back on the same port (the worker's transport keeps its URL).
    const back = await startOutboxSmtpServer({ outboxDir: stack.outboxDir, port });
    restarted.push(back);
    expect(back.url).toBe(url);
    // The backoff has grown towards its 30-minute ceiling: the next attempt is at most that far off.
    await stack.sleepUntil(T14 + 95 * MINUTE, drill.offset);
    await deliveredOnce(drill.keys.reminder, 60_000);
    await deliveredOnce(drill.keys.digest, 60_000);
    await expectExactlyOnce([drill.keys.reminder, drill.keys.digest]);
    const reminder = (await noticeAttempts(drill.unitWorkflow)).find(
      (a) => a.businessKey === drill.keys.reminder,
    );
    expect(reminder?.attempt).toBeGreaterThan(1);
    expect(reminder?.result?.status).toBe('sent');
    expect((await stack.api.status(drill.cycleId)).mailFailures).toBe(0);
    await finishCycle(drill.cycleId);
  });

  it('changes stage at the collection deadline while SMTP is down across the close, and delivers each held mail once after recovery', async () => {
    const drill = await startDrill('mail-close-2023', T1 - 10 * MINUTE);
    const keys = {
      reminder: `${drill.cycleId}/unit/${cie.id}/collection:T-1`,
      digest: `${drill.cycleId}/secretariat/collection:digest-T-1`,
      closed: `${drill.cycleId}/unit/${cie.id}/closed@${CLOSES}`,
    };
    // The server running now: the stack's own, or the one an earlier drill restarted.
    const live = restarted.pop() ?? stack.smtp;
    const { port } = live;
    await live.close();
    // Down from before the T-1 mails until well after the close.
    await stack.sleepUntil(CLOSES + 60 * MINUTE, drill.offset);
    for (const key of Object.values(keys)) expect(await outbox.deliveriesOf(key)).toEqual([]);
    expect(await pendingNotices(drill.cycleId)).toHaveLength(1);

    // The stage changed at the deadline itself, not when the digest got through.
    const status = await stack.api.status(drill.cycleId);
    expect(status.stage).not.toMatch(/^collection/);
    const handOver = (await stack.api.audit(drill.cycleId)).find(
      (e) => e.action === 'stage' && e.detail === 'preliminary-review',
    );
    const delayMs = (handOver?.at ?? Infinity) - CLOSES;
    process.stderr.write(`[mail-close] stage change delay with SMTP down: ${delayMs} ms\n`);
    expect(delayMs).toBeGreaterThanOrEqual(0);
    expect(delayMs).toBeLessThan(MINUTE);

    const back = await startOutboxSmtpServer({ outboxDir: stack.outboxDir, port });
    restarted.push(back);
    await stack.sleepUntil(CLOSES + 95 * MINUTE, drill.offset);
    for (const key of Object.values(keys)) await deliveredOnce(key, 60_000);
    await expectExactlyOnce(Object.values(keys));
    process.stderr.write(`[mail-close] delivered once after recovery: ${Object.values(keys).join(', ')}\n`);
    expect((await stack.api.status(drill.cycleId)).mailFailures).toBe(0);
    await finishCycle(drill.cycleId);
  });
});

/**
 * One preliminary-review body (初评机构) in one cycle: holds the nominations of the lists or
 * fields it reviews, takes its results per part, reports each finished part to the cycle, and
 * reminds its contacts until every part is reported.
 */
import {
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { Programme } from '../domain/programme';
import { quotaKey } from '../domain/quota';
import { planReminders } from '../domain/reminders';
import { ProgrammeClock } from './clock';
import { credentialGuard, isPlausibleInstant, rejectWith } from './refusals';
import {
  cycleFinishedSignal,
  mailHoldsSignal,
  partReportedSignal,
  reportReviewUpdate,
  reviewDeadlineSignal,
  reviewStateQuery,
  type ReviewBodyInput,
  type ReviewPartState,
  type ReviewReport,
} from './messages';
import { partNames, programmeRef } from './notices';
import { entitySignalReceiver } from './receive';
import { PATCHES } from './patches';
import { CONFIRMATION, ENTITY_MAIL } from './activity-options';

const { sendNotice } = proxyActivities<ReturnType<typeof createActivities>>(ENTITY_MAIL);
const { confirmEntitySignals } = proxyActivities<ReturnType<typeof createActivities>>(CONFIRMATION);

/** Review bodies need the programme's names and reminder policy, not its roster. */
export interface ReviewBodyWorkflowInput extends ReviewBodyInput {
  programme: Programme;
}

export async function reviewBodyWorkflow(input: ReviewBodyWorkflowInput): Promise<void> {
  const { programme, cycleId, bodyId } = input;
  const body = programme.reviewBodies.find((b) => b.id === bodyId);
  const clock = new ProgrammeClock(input.clockOffsetMs);
  const parts = new Map<string, ReviewPartState>(
    input.parts.map((p) => [quotaKey(p.listId, p.fieldId), { ...p }]),
  );
  const sent = new Set<string>();
  let held = new Set<string>();
  let dueAt = input.dueAt;
  let finished = false;
  let version = 0;
  const applied = { review: 0, holds: 0 };
  // Reminders already overtaken are not sent late: those due before this body was handed its
  // work (e.g. T-14 and T-7 when it starts with five days left), and of several that fall due at
  // once (the deadline moved earlier, or the worker was away) only the latest goes out. Bodies
  // started before this change sent them all: their replays keep doing so.
  const skipsStaleReminders = patched(PATCHES.reviewBodySkipsStaleReminders);
  const plannedFrom = skipsStaleReminders ? clock.now() : -Infinity;
  let unverifiedSignals = 0;

  const authorize = credentialGuard(input.authPublicKey, cycleId, () => clock.now());
  const outstanding = () => [...parts.values()].filter((p) => p.reportedAt === undefined);

  setHandler(reviewStateQuery, () => ({
    bodyId,
    cycleId,
    authPublicKey: input.authPublicKey,
    dueAt,
    parts: [...parts.values()],
    unverifiedSignals,
  }));

  setHandler(
    reportReviewUpdate,
    (report: ReviewReport): ReviewPartState => {
      const part = parts.get(quotaKey(report.listId, report.fieldId)) as ReviewPartState;
      // Repeating a report is harmless: the first one stands.
      if (part.reportedAt !== undefined) return part;
      part.reportedAt = clock.now();
      part.late = part.reportedAt >= dueAt;
      part.results = report.results;
      version++;
      const shortlist = report.results.filter((r) => r.verdict === 'recommended').map((r) => r.nominationId);
      void getExternalWorkflowHandle(cycleId).signal(partReportedSignal, {
        bodyId,
        listId: report.listId,
        fieldId: report.fieldId,
        reportedAt: part.reportedAt,
        shortlist,
      });
      return part;
    },
    {
      validator: (report: ReviewReport) => {
        authorize(report?.credential, { kind: 'body', id: bodyId });
        if (finished) {
          rejectWith({ code: 'WRONG_STAGE', message: '本轮已结束 / the cycle is over', rule: 'stage' });
        }
        if (
          typeof report?.listId !== 'string' ||
          (report.fieldId !== undefined && typeof report.fieldId !== 'string')
        ) {
          rejectWith({
            code: 'INVALID',
            field: typeof report?.listId !== 'string' ? 'listId' : 'fieldId',
            rule: 'type',
            message: '榜单、领域编号须为文本 / listId and fieldId must be strings',
          });
        }
        const part = parts.get(quotaKey(report.listId, report.fieldId));
        if (!part) {
          rejectWith({
            code: 'UNKNOWN_LIST',
            field: report?.fieldId ? 'fieldId' : 'listId',
            message: `评审机构 ${bodyId} 不负责 ${quotaKey(report?.listId ?? '?', report?.fieldId)} / body ${bodyId} does not review that list or field`,
            fix: `本机构负责 / this body reviews: ${[...parts.keys()].join(', ')}`,
          });
        }
        if (!Array.isArray(report.results)) {
          rejectWith({
            code: 'INVALID',
            field: 'results',
            rule: 'required',
            message: '缺少评审结果 / results must be a list',
          });
        }
        const known = new Set(part.nominationIds);
        const seen = new Set<string>();
        report.results.forEach((entry, i) => {
          if (!entry || typeof entry.nominationId !== 'string' || !known.has(entry.nominationId)) {
            rejectWith({
              code: 'UNKNOWN_NOMINATION',
              field: `results[${i}].nominationId`,
              message: `${String(entry?.nominationId)} 不在 ${quotaKey(part.listId, part.fieldId)} 的推荐中 / is not a nomination of this list or field`,
              fix: '只提交本榜单（领域）的推荐结果 / report only this list’s (field’s) nominations',
            });
          }
          if (seen.has(entry.nominationId)) {
            rejectWith({
              code: 'DUPLICATE',
              field: `results[${i}].nominationId`,
              message: `${entry.nominationId} 重复 / listed twice`,
            });
          }
          seen.add(entry.nominationId);
          if (entry.verdict !== 'recommended' && entry.verdict !== 'not-recommended') {
            rejectWith({
              code: 'INVALID',
              field: `results[${i}].verdict`,
              rule: 'enum',
              message:
                '结论须为 recommended 或 not-recommended / verdict must be recommended or not-recommended',
            });
          }
          if (
            entry.score !== undefined &&
            (typeof entry.score !== 'number' || !Number.isFinite(entry.score))
          ) {
            rejectWith({
              code: 'INVALID',
              field: `results[${i}].score`,
              rule: 'number',
              message: '分数须为数字 / score must be a number',
            });
          }
          if (entry.rank !== undefined && (!Number.isInteger(entry.rank) || entry.rank < 1)) {
            rejectWith({
              code: 'INVALID',
              field: `results[${i}].rank`,
              rule: 'integer',
              message: '名次须为正整数 / rank must be a whole number from 1',
            });
          }
          if (entry.comment !== undefined && typeof entry.comment !== 'string') {
            rejectWith({
              code: 'INVALID',
              field: `results[${i}].comment`,
              rule: 'string',
              message: '评语须为文本 / comment must be text',
            });
          }
        });
      },
    },
  );

  // Internal signals from the cycle. With a credential key they are confirmed with the cycle
  // first, and the cycle's own latest word is applied (confirm.ts). Open cycles apply them as
  // sent; signals handled before this change replay as they were applied (no marker).
  const receive = entitySignalReceiver({
    cycleId,
    receiver: { kind: 'body', id: bodyId },
    authPublicKey: input.authPublicKey,
    confirm: confirmEntitySignals,
    unverified: (signal, reason) => {
      unverifiedSignals++;
      version++;
      log.warn('internal signal not confirmed by the cycle: ignored', { signal, reason });
    },
    apply: (signal, truth) => {
      if (signal === 'reviewDeadline' && truth.review && truth.review.revision > applied.review) {
        applied.review = truth.review.revision;
        dueAt = truth.review.dueAt;
      } else if (signal === 'mailHolds' && truth.holds && truth.holds.revision > applied.holds) {
        applied.holds = truth.holds.revision;
        held = new Set(truth.holds.held);
      } else if (signal === 'cycleFinished' && truth.finished) {
        finished = true;
      }
      version++;
    },
  });

  setHandler(reviewDeadlineSignal, async (change) => {
    if (receive.confirming()) {
      if (!isPlausibleInstant(change?.dueAt)) return receive.malformed('reviewDeadline');
      if (change.dueAt === dueAt) return;
      return receive.claim({ signal: 'reviewDeadline', dueAt: change.dueAt });
    }
    if (!isPlausibleInstant(change?.dueAt)) return;
    dueAt = change.dueAt;
    version++;
  });
  setHandler(mailHoldsSignal, async (holds) => {
    if (!Array.isArray(holds?.held) || !holds.held.every((id) => typeof id === 'string')) {
      if (receive.confirming()) receive.malformed('mailHolds');
      return;
    }
    if (receive.confirming()) {
      if (holds.held.length === held.size && holds.held.every((id) => held.has(id))) return;
      return receive.claim({ signal: 'mailHolds', held: holds.held });
    }
    held = new Set(holds.held);
    version++;
  });
  setHandler(cycleFinishedSignal, async () => {
    if (receive.confirming()) {
      if (!finished) await receive.claim({ signal: 'cycleFinished' });
      return;
    }
    finished = true;
    version++;
  });

  const contacts = body?.contacts.map((c) => ({ name: `${body.name.zh} ${c.name}`, email: c.email })) ?? [];
  while (!finished) {
    const plan = planReminders({
      deadlines: [{ key: `review:${bodyId}`, at: dueAt, role: 'reviewBody' }],
      policy: programme.reminders,
    })
      .filter((r) => r.kind !== 'digest' && !sent.has(r.id) && !held.has(r.id) && r.at >= plannedFrom)
      .sort((a, b) => a.at - b.at);
    let next = outstanding().length > 0 ? plan[0] : undefined;
    if (next && skipsStaleReminders) {
      const due = plan.filter((r) => r.at <= clock.now());
      // The earlier ones are dropped, not kept for later: a reminder goes out once or never.
      due.slice(0, -1).forEach((r) => sent.add(r.id));
      next = due.at(-1) ?? next;
    }
    const seen = version;
    const woken = await clock.waitUntil(next?.at, () => version !== seen);
    if (woken || !next) continue;
    sent.add(next.id);
    const awaiting = outstanding().map((p) => ({
      ...partNames(programme, p.listId, p.fieldId),
      count: p.nominationIds.length,
    }));
    if (awaiting.length === 0) continue;
    await sendNotice({
      cycleId,
      businessKey: `${cycleId}/review/${bodyId}/${next.id}`,
      to: contacts,
      template: next.kind === 'overdue' ? 'bodyOverdue' : 'bodyReminder',
      programme: programmeRef(programme),
      issuedAt: clock.now(),
      deadline: dueAt,
      party: body?.name.zh ?? bodyId,
      awaiting,
    });
  }
  await condition(allHandlersFinished);
}

/**
 * One programme-year, from the secretariat's start to the published lists. The cycle owns the
 * timeline (stages, deadlines, extensions, pause) and hands work to entity workflows: one per
 * recommending unit (intake) and one per preliminary-review body. Large material (nominations)
 * stays with the entities; the cycle keeps counts and shortlists.
 */
import {
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { formatDeadline } from '../domain/calendar';
import { quotaKey } from '../domain/quota';
import { planReminders, type ReminderRole } from '../domain/reminders';
import { programmeDeadlines, reviewAssignments } from '../domain/timeline';
import { ProgrammeClock } from './clock';
import { credentialGuard, isPlausibleInstant, rejectWith } from './refusals';
import { unitWorkflowId } from './ids';
import {
  AUDITED_UNVERIFIED_SIGNALS,
  claimBatcher,
  describeClaim,
  emptyIssuedSignals,
  type CycleClaim,
  type CycleClaimAnswer,
} from './confirm';
import {
  auditQuery,
  cancelUpdate,
  collectionDeadlineSignal,
  cycleSetupQuery,
  cycleStatusQuery,
  extendUpdate,
  finalCompleteUpdate,
  issuedSignalsQuery,
  mailFailedSignal,
  mailHoldUpdate,
  partReportedSignal,
  pauseUpdate,
  readyUpdate,
  resumeUpdate,
  type AuditEntry,
  type CycleInput,
  type CycleStatus,
  type ExtendRequest,
  type FinalResults,
  type MailHoldRequest,
  type ReasonRequest,
  type PartProgress,
  type StageId,
} from './messages';
import { programmeRef, type NoticeRequest } from './notices';
import { PATCHES } from './patches';
import { CONFIRMATION, CYCLE_MAIL, ENTITY_WORK } from './activity-options';
import { stageSearchAttribute } from './search-attributes';

const acts = proxyActivities<ReturnType<typeof createActivities>>(ENTITY_WORK);
const { sendNotice } = proxyActivities<ReturnType<typeof createActivities>>(CYCLE_MAIL);
const { confirmCycleSignals } = proxyActivities<ReturnType<typeof createActivities>>(CONFIRMATION);

export interface CycleResult {
  stage: StageId;
  winners: number;
  outDir?: string;
}

export async function cycleWorkflow(input: CycleInput): Promise<CycleResult> {
  const { programme } = input;
  const cycleId = workflowInfo().workflowId;
  const clock = new ProgrammeClock(input.startAt === undefined ? 0 : input.startAt - Date.now());
  const deadlines = programmeDeadlines(programme);
  const unitExtensions: Record<string, number> = {};
  const parts = new Map<string, PartProgress>();
  const shortlists = new Map<string, Set<string>>();
  const escalated: string[] = [];
  const audit: AuditEntry[] = [];
  const sentDigests = new Set<string>();
  let stage: StageId = 'collection-pending';
  let pausedAt: number | undefined;
  let finalResults: FinalResults | undefined;
  let published: CycleStatus['published'];
  let cancelled = false;
  let mailFailures = 0;
  const heldMailings = new Set<string>();
  let version = 0;
  let unitsStarted = false;
  /** What the cycle told its entities: they confirm its signals against it (confirm.ts). */
  const issued = emptyIssuedSignals();
  let unverifiedSignals = 0;
  const confirmedMailFailures = new Set<string>();

  for (const a of reviewAssignments(programme)) {
    const key = quotaKey(a.listId, a.fieldId);
    const part = parts.get(key) ?? {
      listId: a.listId,
      ...(a.fieldId ? { fieldId: a.fieldId } : {}),
      nominations: 0,
      reviewBodies: [],
      dueAt: deadlines.preliminaryReviewDueAt,
    };
    part.reviewBodies.push({ bodyId: a.bodyId });
    parts.set(key, part);
  }

  const authorize = credentialGuard(input.authPublicKey, cycleId, () => clock.now());
  const secretariatParty = { kind: 'secretariat' as const };
  const record = (entry: Omit<AuditEntry, 'at'>) => {
    audit.push({ at: clock.now(), ...entry });
    version++;
  };
  const setStage = (next: StageId) => {
    stage = next;
    upsertSearchAttributes([stageSearchAttribute(next)]);
    record({ actor: 'system', action: 'stage', outcome: 'info', detail: next });
  };
  const collectionClosesAt = () => Math.max(deadlines.collectionClosesAt, ...Object.values(unitExtensions));
  const partsDueAt = () =>
    Math.max(...[...parts.values()].map((p) => p.dueAt), deadlines.preliminaryReviewDueAt);
  /** Review deadlines set explicitly for one list or field (`extend --list/--field`), by part key. */
  const partExtensions = new Map<string, number>();
  /** Nominations per part are known (after the hand-over): bodies exist only for non-empty parts. */
  let partsCounted = false;
  // Review deadlines per part. Moving the stage's deadline, earlier or later, sets every part to
  // the later of the new date and the part's own explicit extension (`extend --list/--field`,
  // which sets that part alone): the stage moves all parts with it, but never shortens a part
  // extended explicitly beyond the new date, as a unit's extension outlives a change of the
  // common collection deadline. The escalation waits for the latest part (partsDueAt). Each
  // review body is told the latest deadline of the parts it reviews, as the hand-over tells it.
  // Cycles started before this change only ever moved parts later and told every body one date.
  const reviewDeadlinesPerPart = () => patched(PATCHES.reviewDeadlinesPerPart);
  /** Tells each review body (of `only`, else all) the latest deadline of the parts it reviews. */
  const broadcastBodyDeadlines = async (only?: string[]) => {
    const dueByBody = new Map<string, number>();
    for (const part of parts.values()) {
      if (partsCounted && part.nominations === 0) continue;
      for (const { bodyId } of part.reviewBodies) {
        if (only && !only.includes(bodyId)) continue;
        dueByBody.set(bodyId, Math.max(dueByBody.get(bodyId) ?? -Infinity, part.dueAt));
      }
    }
    const bodiesByDue = new Map<number, string[]>();
    for (const [bodyId, dueAt] of dueByBody)
      bodiesByDue.set(dueAt, [...(bodiesByDue.get(dueAt) ?? []), bodyId]);
    for (const [dueAt, bodies] of bodiesByDue) {
      issued.review.push({ dueAt, bodies });
      await acts.broadcastReviewDeadline({ cycleId, dueAt, bodies });
    }
  };

  const status = (): CycleStatus => ({
    cycleId,
    programmeId: programme.id,
    year: programme.year,
    stage,
    now: clock.now(),
    clockOffsetMs: clock.offsetMs,
    paused: pausedAt !== undefined,
    deadlines: {
      collectionOpensAt: deadlines.collectionOpensAt,
      collectionClosesAt: deadlines.collectionClosesAt,
      preliminaryReviewDueAt: deadlines.preliminaryReviewDueAt,
      finalReviewDueAt: deadlines.finalReviewDueAt,
      publicationAt: deadlines.publicationAt,
      promotionUntil: deadlines.promotionUntil,
    },
    unitExtensions: { ...unitExtensions },
    parts: [...parts.values()],
    escalated: [...escalated],
    published,
    mailFailures,
    heldMailings: [...heldMailings],
    unverifiedSignals,
  });

  const over = () => stage === 'closed' || stage === 'cancelled';
  /** Pause, resume and cancel say why, as extensions do: the reason goes into the audit. */
  const assertReason = (request: ReasonRequest | undefined) => {
    if (typeof request?.reason !== 'string' || !request.reason.trim()) {
      rejectWith({
        code: 'INVALID',
        field: 'reason',
        rule: 'required',
        message: '须说明理由 / a reason is required',
        fix: '--reason "…"',
      });
    }
  };
  const assertNotOver = () => {
    if (over())
      rejectWith({
        code: 'WRONG_STAGE',
        rule: 'stage',
        message: `本轮已${stage === 'cancelled' ? '取消' : '结束'} / the cycle is ${stage}`,
      });
  };

  setHandler(cycleStatusQuery, status);
  setHandler(readyUpdate, async () => {
    await condition(() => unitsStarted || over());
    return status();
  });
  setHandler(cycleSetupQuery, () => ({
    programme,
    authPublicKey: input.authPublicKey,
    collectionOpensAt: deadlines.collectionOpensAt,
    collectionClosesAt: deadlines.collectionClosesAt,
    unitExtensions: { ...unitExtensions },
  }));
  setHandler(auditQuery, () => audit);
  setHandler(issuedSignalsQuery, () => issued);

  // Internal signals. With a credential key, partReported and mailFailed are confirmed with their
  // sender before they count (confirm.ts). Open cycles trust them as before; the signals a keyed
  // cycle started before this change already handled replay as they were applied (no marker).
  const confirming = () => Boolean(input.authPublicKey) && patched(PATCHES.confirmedSignals);
  const confirmWithSender = claimBatcher<CycleClaim, CycleClaimAnswer>((claims) =>
    confirmCycleSignals({ cycleId, authPublicKey: input.authPublicKey, claims }),
  );
  const unverified = (signal: string, payload: unknown, reason: string) => {
    unverifiedSignals++;
    log.warn('internal signal not confirmed by its sender: ignored', { signal, reason });
    if (unverifiedSignals <= AUDITED_UNVERIFIED_SIGNALS) {
      record({
        actor: 'signal',
        action: 'signal-unverified',
        outcome: 'rejected',
        detail: `${signal} ${describeClaim(payload)}: ${reason}`,
      });
    } else {
      version++;
    }
  };
  /** The sender's answer, or a refusal when it cannot be had (never a failed workflow). */
  const confirmClaim = async (claim: CycleClaim): Promise<CycleClaimAnswer> => {
    try {
      return await confirmWithSender(claim);
    } catch (error) {
      return { confirmed: false, reason: `confirmation failed: ${(error as Error)?.message ?? 'unknown'}` };
    }
  };

  setHandler(
    extendUpdate,
    async (request: ExtendRequest): Promise<CycleStatus> => {
      const { scope, until, reason } = request;
      if (scope.kind === 'stage') {
        if (scope.stage === 'collection') {
          deadlines.collectionClosesAt = until;
          issued.collection.push({
            closesAt: until,
            paused: pausedAt !== undefined,
            extensions: { ...unitExtensions },
          });
          await acts.broadcastCollectionDeadline({
            cycleId,
            closesAt: until,
            paused: pausedAt !== undefined,
            unitExtensions,
          });
        } else if (scope.stage === 'preliminary-review') {
          deadlines.preliminaryReviewDueAt = until;
          if (reviewDeadlinesPerPart()) {
            for (const [key, part] of parts)
              part.dueAt = Math.max(until, partExtensions.get(key) ?? -Infinity);
            await broadcastBodyDeadlines();
          } else {
            for (const part of parts.values()) part.dueAt = Math.max(part.dueAt, until);
            issued.review.push({ dueAt: until });
            await acts.broadcastReviewDeadline({ cycleId, dueAt: until });
          }
        } else {
          deadlines.finalReviewDueAt = until;
        }
      } else if (scope.kind === 'unit') {
        unitExtensions[scope.unitId] = until;
        issued.collection.push({ unitId: scope.unitId, closesAt: until, paused: pausedAt !== undefined });
        await getExternalWorkflowHandle(unitWorkflowId(cycleId, scope.unitId)).signal(
          collectionDeadlineSignal,
          {
            closesAt: until,
            paused: pausedAt !== undefined,
          },
        );
      } else {
        const key = quotaKey(scope.listId, scope.fieldId);
        const part = parts.get(key) as PartProgress;
        part.dueAt = until;
        partExtensions.set(key, until);
        if (reviewDeadlinesPerPart()) {
          await broadcastBodyDeadlines(part.reviewBodies.map((b) => b.bodyId));
        } else {
          issued.review.push({ dueAt: until, bodies: part.reviewBodies.map((b) => b.bodyId) });
          await acts.broadcastReviewDeadline({
            cycleId,
            dueAt: until,
            bodies: part.reviewBodies.map((b) => b.bodyId),
          });
        }
      }
      record({
        actor: 'secretariat',
        action: 'extend',
        outcome: 'accepted',
        detail: `${JSON.stringify(scope)} → ${until}: ${reason}`,
      });
      return status();
    },
    {
      validator: (request: ExtendRequest) => {
        authorize(request?.credential, secretariatParty);
        assertNotOver();
        if (!request || typeof request.until !== 'number' || !Number.isFinite(request.until)) {
          rejectWith({
            code: 'INVALID',
            field: 'until',
            rule: 'date',
            message: '缺少新的截止时间 / until must be a date',
            fix: '例如 / e.g. --until "2023-12-05 24:00"',
          });
        }
        if (typeof request.reason !== 'string' || !request.reason.trim()) {
          rejectWith({
            code: 'INVALID',
            field: 'reason',
            rule: 'required',
            message: '延期须说明理由 / an extension needs a reason',
            fix: '--reason "…"',
          });
        }
        if (request.until > deadlines.promotionUntil) {
          rejectWith({
            code: 'INVALID',
            field: 'until',
            rule: 'range',
            message:
              '新截止时间须在本年度周期内（不晚于宣传推广结束）/ the new deadline must fall within the programme year (by the end of promotion)',
          });
        }
        if (request.until <= clock.now()) {
          rejectWith({
            code: 'INVALID',
            field: 'until',
            rule: 'future',
            message: '新截止时间须晚于当前时间 / the new deadline must lie in the future',
          });
        }
        const scope = request.scope;
        if (
          scope?.kind === 'part' &&
          (typeof scope.listId !== 'string' ||
            (scope.fieldId !== undefined && typeof scope.fieldId !== 'string'))
        ) {
          rejectWith({
            code: 'INVALID',
            field: 'scope',
            rule: 'type',
            message: '榜单、领域编号须为文本 / listId and fieldId must be strings',
          });
        }
        if (scope?.kind === 'unit') {
          if (!programme.roster.units.some((u) => u.id === scope.unitId)) {
            rejectWith({
              code: 'UNKNOWN_UNIT',
              field: 'scope.unitId',
              message: `名册中没有单位 ${scope.unitId} / no unit ${scope.unitId} on the roster`,
            });
          }
          // A unit's extension gives it more time than the others, never less (validators do not
          // run on replay: no patch needed).
          if (request.until < deadlines.collectionClosesAt) {
            const common = formatDeadline(deadlines.collectionClosesAt);
            rejectWith({
              code: 'INVALID',
              field: 'until',
              rule: 'not-before-common-deadline',
              message: `单位延期不能早于统一征集截止时间 ${common} / a unit's extension cannot end before the common collection deadline (${common})`,
              fix: `请设为 ${common} 或更晚；要改动所有单位的截止时间，请延期征集阶段（--stage collection）/ set --until to ${common} or later; to move every unit's deadline, extend the collection stage (--stage collection)`,
            });
          }
          if (stage !== 'collection' && stage !== 'collection-pending') {
            rejectWith({
              code: 'WRONG_STAGE',
              rule: 'stage',
              message: `征集已移交评审，不能再为单位延期 / collection was handed over to review (${stage}); units can be extended until then`,
            });
          }
        } else if (scope?.kind === 'part') {
          if (!parts.has(quotaKey(scope.listId, scope.fieldId))) {
            rejectWith({
              code: 'UNKNOWN_LIST',
              field: 'scope',
              message: `没有需评审的 ${quotaKey(scope.listId, scope.fieldId)} / no reviewed list or field by that id`,
            });
          }
        } else if (
          scope?.kind !== 'stage' ||
          !['collection', 'preliminary-review', 'final-review'].includes(scope.stage)
        ) {
          rejectWith({
            code: 'INVALID',
            field: 'scope',
            rule: 'enum',
            message: '延期范围须为阶段、单位或榜单（领域）/ scope must be a stage, a unit or a list/field',
          });
        }
      },
    },
  );

  setHandler(
    pauseUpdate,
    async ({ reason }): Promise<CycleStatus> => {
      pausedAt = clock.now();
      record({ actor: 'secretariat', action: 'pause', outcome: 'accepted', detail: reason });
      if (stage === 'collection' || stage === 'collection-pending') {
        issued.collection.push({
          closesAt: deadlines.collectionClosesAt,
          paused: true,
          extensions: { ...unitExtensions },
        });
        await acts.broadcastCollectionDeadline({
          cycleId,
          closesAt: deadlines.collectionClosesAt,
          paused: true,
          unitExtensions,
        });
      }
      return status();
    },
    {
      validator: (request: ReasonRequest) => {
        authorize(request?.credential, secretariatParty);
        assertNotOver();
        assertReason(request);
        if (pausedAt !== undefined)
          rejectWith({
            code: 'WRONG_STAGE',
            rule: 'paused',
            message: '时钟已暂停 / the clock is already paused',
          });
      },
    },
  );

  setHandler(
    resumeUpdate,
    async ({ reason }): Promise<CycleStatus> => {
      // The pause's length in whole minutes: a deadline at "24:00" stays on a minute (e.g. 12:00),
      // not 00:00:07 the next day, so reminders keep their day (cycles started before this
      // change shift by the exact milliseconds).
      const exact = clock.now() - (pausedAt as number);
      const shift = patched(PATCHES.pauseShiftWholeMinutes) ? Math.round(exact / 60_000) * 60_000 : exact;
      const from = pausedAt as number;
      pausedAt = undefined;
      // Every deadline still ahead at the pause moves by the pause's length.
      const later = (t: number) => (t >= from ? t + shift : t);
      deadlines.collectionClosesAt = later(deadlines.collectionClosesAt);
      deadlines.preliminaryReviewDueAt = later(deadlines.preliminaryReviewDueAt);
      deadlines.finalReviewDueAt = later(deadlines.finalReviewDueAt);
      deadlines.publicationAt = later(deadlines.publicationAt);
      deadlines.promotionUntil = later(deadlines.promotionUntil);
      for (const unitId of Object.keys(unitExtensions))
        unitExtensions[unitId] = later(unitExtensions[unitId]);
      for (const part of parts.values()) part.dueAt = later(part.dueAt);
      for (const [key, at] of partExtensions) partExtensions.set(key, later(at));
      record({
        actor: 'secretariat',
        action: 'resume',
        outcome: 'accepted',
        detail: `${reason} (+${Math.round(shift / 60_000)} min)`,
      });
      if (stage === 'collection' || stage === 'collection-pending') {
        issued.collection.push({
          closesAt: deadlines.collectionClosesAt,
          paused: false,
          extensions: { ...unitExtensions },
        });
        await acts.broadcastCollectionDeadline({
          cycleId,
          closesAt: deadlines.collectionClosesAt,
          paused: false,
          unitExtensions,
        });
      } else if (stage === 'preliminary-review') {
        if (reviewDeadlinesPerPart()) {
          await broadcastBodyDeadlines();
        } else {
          const dueAt = partsDueAt();
          issued.review.push({ dueAt });
          await acts.broadcastReviewDeadline({ cycleId, dueAt });
        }
      }
      return status();
    },
    {
      validator: (request: ReasonRequest) => {
        authorize(request?.credential, secretariatParty);
        assertReason(request);
        if (pausedAt === undefined)
          rejectWith({
            code: 'WRONG_STAGE',
            rule: 'paused',
            message: '时钟未暂停 / the clock is not paused',
          });
      },
    },
  );

  setHandler(
    cancelUpdate,
    ({ reason }): CycleStatus => {
      cancelled = true;
      record({ actor: 'secretariat', action: 'cancel', outcome: 'accepted', detail: reason });
      return status();
    },
    {
      validator: (request: ReasonRequest) => {
        authorize(request?.credential, secretariatParty);
        assertNotOver();
        assertReason(request);
      },
    },
  );

  setHandler(
    finalCompleteUpdate,
    (results: FinalResults): CycleStatus => {
      finalResults = results;
      const count = results.winners.reduce((n, w) => n + w.nominationIds.length, 0);
      record({
        actor: 'final-review',
        action: 'final-results',
        outcome: 'accepted',
        detail: `${count} winners`,
      });
      return status();
    },
    {
      validator: (results: FinalResults) => {
        authorize(results?.credential, { kind: 'final' });
        if (stage !== 'final-review') {
          rejectWith({
            code: 'WRONG_STAGE',
            rule: 'stage',
            message: `终评结果只能在终评阶段提交，当前为 ${stage} / final results belong to the final-review stage (now ${stage})`,
          });
        }
        if (!results || !Array.isArray(results.winners)) {
          rejectWith({
            code: 'INVALID',
            field: 'winners',
            rule: 'required',
            message: '缺少入选名单 / winners must be a list',
          });
        }
        results.winners.forEach((entry, i) => {
          const key = quotaKey(entry?.listId ?? '', entry?.fieldId);
          const shortlist = shortlists.get(key);
          if (!parts.has(key)) {
            rejectWith({
              code: 'UNKNOWN_LIST',
              field: `winners[${i}].listId`,
              message: `没有需评审的 ${key} / no reviewed list or field ${key}`,
            });
          }
          if (!Array.isArray(entry.nominationIds)) {
            rejectWith({
              code: 'INVALID',
              field: `winners[${i}].nominationIds`,
              rule: 'required',
              message: '须为推荐编号列表 / must be a list of nomination ids',
            });
          }
          entry.nominationIds.forEach((id, j) => {
            if (!shortlist?.has(id)) {
              rejectWith({
                code: 'UNKNOWN_NOMINATION',
                field: `winners[${i}].nominationIds[${j}]`,
                rule: 'shortlisted',
                message: `${String(id)} 未进入 ${key} 初评推荐名单 / is not on the preliminary shortlist of ${key}`,
                fix: '终评只能从初评推荐名单中选择 / the final review picks from the preliminary shortlists',
              });
            }
          });
        });
      },
    },
  );

  setHandler(partReportedSignal, async (report) => {
    // Signals have no validator: a malformed one (only a direct caller sends those) is ignored.
    if (
      typeof report?.bodyId !== 'string' ||
      typeof report.listId !== 'string' ||
      (report.fieldId !== undefined && typeof report.fieldId !== 'string') ||
      !isPlausibleInstant(report.reportedAt) ||
      !Array.isArray(report.shortlist) ||
      !report.shortlist.every((id) => typeof id === 'string')
    ) {
      if (confirming()) unverified('partReported', report, 'malformed');
      return;
    }
    const key = quotaKey(report.listId, report.fieldId);
    const part = parts.get(key);
    const body = part?.reviewBodies.find((b) => b.bodyId === report.bodyId);
    if (!part || !body) {
      if (confirming()) unverified('partReported', report, 'no such review body for this list or field');
      return;
    }
    if (body.reportedAt !== undefined) return;
    let { reportedAt, shortlist: reported } = report;
    if (confirming()) {
      const answer = await confirmClaim({
        signal: 'partReported',
        bodyId: report.bodyId,
        listId: report.listId,
        ...(report.fieldId !== undefined ? { fieldId: report.fieldId } : {}),
        reportedAt: report.reportedAt,
        shortlist: report.shortlist,
      });
      if (!answer.confirmed) return unverified('partReported', report, answer.reason ?? 'not confirmed');
      // Two copies of the same report, confirmed together: the first one stands.
      if (body.reportedAt !== undefined) return;
      reportedAt = answer.reportedAt as number;
      reported = answer.shortlist as string[];
    }
    body.reportedAt = reportedAt;
    body.late = reportedAt >= part.dueAt;
    body.shortlisted = reported.length;
    const shortlist = shortlists.get(key) ?? new Set<string>();
    reported.forEach((id) => shortlist.add(id));
    shortlists.set(key, shortlist);
    record({
      actor: `review:${report.bodyId}`,
      action: 'review-results',
      outcome: 'accepted',
      detail: `${key}: ${reported.length} recommended${body.late ? ' (late)' : ''}`,
    });
  });

  setHandler(
    mailHoldUpdate,
    async ({ reminderId, held }: MailHoldRequest): Promise<CycleStatus> => {
      if (held) heldMailings.add(reminderId);
      else heldMailings.delete(reminderId);
      issued.holds.push([...heldMailings]);
      record({
        actor: 'secretariat',
        action: held ? 'mail-hold' : 'mail-release',
        outcome: 'accepted',
        detail: reminderId,
      });
      await acts.broadcastMailHolds({ cycleId, held: [...heldMailings] });
      return status();
    },
    {
      validator: (request: MailHoldRequest) => {
        authorize(request?.credential, secretariatParty);
        assertNotOver();
        if (typeof request?.reminderId !== 'string' || !/^[\w:@.-]{1,100}$/.test(request.reminderId)) {
          rejectWith({
            code: 'INVALID',
            field: 'reminderId',
            rule: 'format',
            message: '邮件计划编号无效 / reminderId must be an id from `kczg mail plan`, e.g. collection:T-7',
          });
        }
      },
    },
  );

  // A mail that will never be delivered is recorded here and reported to the secretariat
  // (unless it was the secretariat's own mail that failed: no loop).
  const failuresToReport: string[] = [];
  setHandler(mailFailedSignal, async (failure) => {
    if (typeof failure?.businessKey !== 'string' || typeof failure.error !== 'string') {
      if (confirming()) unverified('mailFailed', failure, 'malformed');
      return;
    }
    const { businessKey } = failure;
    let { error } = failure;
    if (confirming()) {
      const answer = await confirmClaim({ signal: 'mailFailed', businessKey, error });
      if (!answer.confirmed) return unverified('mailFailed', failure, answer.reason ?? 'not confirmed');
      // A retried activity may signal twice: one message, one failure.
      if (confirmedMailFailures.has(businessKey)) return;
      confirmedMailFailures.add(businessKey);
      error = answer.error as string;
    }
    mailFailures++;
    record({ actor: 'mail', action: 'mail-failed', outcome: 'rejected', detail: `${businessKey}: ${error}` });
    if (!businessKey.includes('/secretariat/')) failuresToReport.push(`${businessKey}: ${error}`);
  });

  const secretariat = programme.secretariat.contacts.map((c) => ({
    name: `${programme.secretariat.name.zh} ${c.name}`,
    email: c.email,
  }));
  const notifySecretariat = (
    businessKey: string,
    template: NoticeRequest['template'],
    deadline: number,
    missing: string[],
  ) =>
    sendNotice({
      cycleId,
      businessKey,
      to: secretariat,
      template,
      programme: programmeRef(programme),
      issuedAt: clock.now(),
      deadline,
      party: programme.secretariat.name.zh,
      missing,
    });

  // The cycle's notices run beside the stage machine: a mail outage (the notice retrying for
  // hours) never holds a stage change or the next timer. The cycle still waits for every notice
  // before it completes, so none is lost. Cycles started before this change awaited each one.
  const outstandingNotices = new Set<Promise<void>>();
  const sendBeside = async (send: () => Promise<unknown>): Promise<void> => {
    if (!patched(PATCHES.noticesBesideStages)) {
      await send();
      return;
    }
    const running = send().then(
      () => undefined,
      (error: unknown) => log.warn('notice not sent', { error: (error as Error)?.message ?? String(error) }),
    );
    outstandingNotices.add(running);
    void running.then(() => outstandingNotices.delete(running));
  };

  /**
   * Waits until `deadline()` passes (never while paused) or `done()` holds, sending the
   * secretariat's digests before the deadline as they fall due.
   */
  const runStage = async (
    key: string,
    /** Who owes the deadline: the digest tells the secretariat about them. */
    owner: ReminderRole,
    deadline: () => number,
    done: () => boolean,
    whoIsMissing: () => Promise<string[]>,
    /** The deadline the digests count down to, when not `deadline` (collection: the common one). */
    digestDeadline: () => number = deadline,
  ) => {
    for (;;) {
      if (cancelled || done()) return;
      if (pausedAt === undefined && clock.now() >= deadline()) return;
      const digest = planReminders({
        deadlines: [{ key, at: digestDeadline(), role: owner }],
        policy: programme.reminders,
      })
        .filter(
          (r) =>
            r.kind === 'digest' &&
            !sentDigests.has(r.id) &&
            !heldMailings.has(r.id) &&
            r.at > clock.now() - 60_000,
        )
        .sort((a, b) => a.at - b.at)[0];
      const wakeAt = pausedAt !== undefined ? undefined : Math.min(deadline(), digest?.at ?? Infinity);
      const seen = version;
      const woken = await clock.waitUntil(wakeAt, () => version !== seen || cancelled);
      if (woken || !digest || clock.now() < digest.at || pausedAt !== undefined) continue;
      sentDigests.add(digest.id);
      const digestDue = digestDeadline();
      await sendBeside(async () =>
        notifySecretariat(
          `${cycleId}/secretariat/${digest.id}`,
          'secretariatDigest',
          digestDue,
          await whoIsMissing(),
        ),
      );
    }
  };

  const reportMailFailures = async () => {
    for (let batch = 1; ; batch++) {
      await condition(() => failuresToReport.length > 0 || over());
      if (over()) return;
      const failures = failuresToReport.splice(0);
      await sendBeside(() =>
        notifySecretariat(
          `${cycleId}/secretariat/mail-failures/${batch}`,
          'mailFailures',
          clock.now(),
          failures,
        ),
      );
    }
  };
  void reportMailFailures();

  // --- collection -------------------------------------------------------------------------------
  upsertSearchAttributes([stageSearchAttribute(stage)]);
  record({
    actor: 'secretariat',
    action: 'start',
    outcome: 'accepted',
    detail: `${programme.id} (${programme.roster.units.length} units)`,
  });
  await acts.startUnits({ cycleId, clockOffsetMs: clock.offsetMs });
  unitsStarted = true;
  await clock.waitUntil(deadlines.collectionOpensAt, () => cancelled);
  if (!cancelled) setStage('collection');
  // One unit's extension keeps the stage open for it, but the secretariat's digests still count
  // down to the common deadline (cycles started before this change keep the old schedule).
  const digestsOnCommonDeadline = patched(PATCHES.collectionDigestsOnCommonDeadline);
  await runStage(
    'collection',
    'unit',
    collectionClosesAt,
    () => false,
    () => acts.unitsOwingWork({ cycleId }),
    digestsOnCommonDeadline ? () => deadlines.collectionClosesAt : collectionClosesAt,
  );

  // --- preliminary review -------------------------------------------------------------------------
  if (!cancelled) {
    setStage('preliminary-review');
    const dueByPart = Object.fromEntries(
      [...parts].map(([key, p]) => [key, Math.max(p.dueAt, deadlines.preliminaryReviewDueAt)]),
    );
    issued.review.push({ handover: true });
    const counts = await acts.handOverToReview({ cycleId, clockOffsetMs: clock.offsetMs, dueByPart });
    if (heldMailings.size > 0) {
      issued.holds.push([...heldMailings]);
      await acts.broadcastMailHolds({ cycleId, held: [...heldMailings] });
    }
    for (const [key, part] of parts) {
      part.nominations = counts[key] ?? 0;
      // Nothing to review: the part is done at once.
      if (part.nominations === 0) for (const body of part.reviewBodies) body.reportedAt = clock.now();
    }
    partsCounted = true;
    version++;
    const missingBodies = () =>
      [...parts.entries()].flatMap(([key, p]) =>
        p.reviewBodies.filter((b) => b.reportedAt === undefined).map((b) => `${b.bodyId} (${key})`),
      );
    await runStage(
      'preliminary-review',
      'reviewBody',
      partsDueAt,
      () => missingBodies().length === 0,
      async () => missingBodies(),
    );
    const missing = missingBodies();
    if (missing.length > 0 && !cancelled) {
      escalated.push(...missing);
      record({ actor: 'system', action: 'escalate', outcome: 'info', detail: missing.join(', ') });
      await sendBeside(() =>
        notifySecretariat(
          `${cycleId}/secretariat/escalation/preliminary-review`,
          'escalation',
          partsDueAt(),
          missing,
        ),
      );
    }
  }

  // --- final review -------------------------------------------------------------------------------
  if (!cancelled) {
    setStage('final-review');
    const finalBody = programme.finalReviewBody;
    const finalContacts = finalBody.contacts.map((c) => ({
      name: `${finalBody.name.zh} ${c.name}`,
      email: c.email,
    }));
    const sent = new Set<string>();
    for (;;) {
      if (cancelled || finalResults) break;
      const next = planReminders({
        deadlines: [{ key: 'final', at: deadlines.finalReviewDueAt, role: 'finalReviewBody' }],
        policy: programme.reminders,
      })
        .filter(
          (r) =>
            r.kind !== 'digest' && !sent.has(r.id) && !heldMailings.has(r.id) && r.at > clock.now() - 60_000,
        )
        .sort((a, b) => a.at - b.at)[0];
      const seen = version;
      const woken = await clock.waitUntil(
        pausedAt === undefined ? next?.at : undefined,
        () => version !== seen || cancelled,
      );
      if (woken || !next || clock.now() < next.at) continue;
      sent.add(next.id);
      await sendBeside(() =>
        sendNotice({
          cycleId,
          businessKey: `${cycleId}/final/${next.id}`,
          to: finalContacts,
          template: next.kind === 'overdue' ? 'bodyOverdue' : 'bodyReminder',
          programme: programmeRef(programme),
          issuedAt: clock.now(),
          deadline: deadlines.finalReviewDueAt,
          party: finalBody.name.zh,
          awaiting: [...parts.values()].map((p) => ({
            list: p.listId,
            field: p.fieldId,
            count: shortlists.get(quotaKey(p.listId, p.fieldId))?.size ?? 0,
          })),
        }),
      );
    }
  }

  // --- publication and promotion -----------------------------------------------------------------------
  if (!cancelled && finalResults) {
    setStage('awaiting-publication');
    await runStage(
      'publication',
      'secretariat',
      () => deadlines.publicationAt,
      () => false,
      async () => [],
    );
  }
  if (!cancelled && finalResults) {
    const result = await acts.publish({
      cycleId,
      winners: finalResults.winners,
      outDir: input.outDir,
      publishedAt: clock.now(),
    });
    published = { at: clock.now(), outDir: result.outDir, winners: result.winners };
    record({
      actor: 'system',
      action: 'publish',
      outcome: 'accepted',
      detail: `${result.winners} winners → ${result.outDir}`,
    });
    await acts.announceResults({ cycleId, at: clock.now() });
    setStage('promotion');
    await runStage(
      'promotion',
      'secretariat',
      () => deadlines.promotionUntil,
      () => false,
      async () => [],
    );
  }

  setStage(cancelled ? 'cancelled' : 'closed');
  issued.finished = true;
  await acts.finishEntities({ cycleId });
  while (outstandingNotices.size > 0) await Promise.all([...outstandingNotices]);
  await condition(allHandlersFinished);
  return { stage, winners: published?.winners ?? 0, outDir: published?.outDir };
}

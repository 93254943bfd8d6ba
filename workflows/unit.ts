/**
 * One recommending unit in one cycle: owns its nominations and its quota, enforces the collection
 * window, and reminds its own contact while it still owes work. Sharding intake by unit keeps
 * every execution small (a national cycle has hundreds to thousands of units).
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { checkEligibility } from '../domain/eligibility';
import { checkCandidate, type Candidate } from '../domain/candidate';
import { checkQuota, quotaKey, quotaUsageReport } from '../domain/quota';
import { planReminders } from '../domain/reminders';
import { normaliseName } from '../domain/eligibility';
import { ProgrammeClock } from './clock';
import { credentialGuard, rejectWith } from './refusals';
import {
  amendUpdate,
  collectionDeadlineSignal,
  cycleFinishedSignal,
  mailHoldsSignal,
  markCompleteUpdate,
  nominateUpdate,
  unitStateQuery,
  withdrawUpdate,
  type Nomination,
  type NominateRequest,
  type UnitInput,
  type UnitState,
} from './messages';
import { describeUsage, programmeRef } from './notices';
import { nominationId } from './ids';
import { isPlausibleInstant } from './refusals';
import { entitySignalReceiver } from './receive';
import { PATCHES } from './patches';
import { CONFIRMATION, ENTITY_MAIL } from './activity-options';

const { sendNotice } = proxyActivities<ReturnType<typeof createActivities>>(ENTITY_MAIL);
const { confirmEntitySignals } = proxyActivities<ReturnType<typeof createActivities>>(CONFIRMATION);

/** Past this many accepted updates in one run, hand over to a fresh run (the server caps a run at 2,000). */
const UPDATES_PER_RUN = 1_000;

export async function unitWorkflow(input: UnitInput): Promise<void> {
  const { programme, unit, cycleId } = input;
  const clock = new ProgrammeClock(input.clockOffsetMs);
  const nominations = new Map<string, Nomination>((input.carried?.nominations ?? []).map((n) => [n.id, n]));
  const byIdempotencyKey = new Map<string, Nomination>(
    [...nominations.values()].map((n) => [n.idempotencyKey, n]),
  );
  const remindersSent = new Set(input.carried?.remindersSent ?? []);
  let held = new Set(input.carried?.held ?? []);
  // Reminders due before this unit's workflow began are not sent late (a cycle started mid-way).
  // Units started before this change sent them: their replays keep doing so.
  const plannedFrom = patched(PATCHES.unitSkipsStaleReminders)
    ? (input.carried?.plannedFrom ?? clock.now())
    : -Infinity;
  let sequence = input.carried?.sequence ?? 0;
  let complete = input.carried?.complete ?? false;
  let paused = input.carried?.paused ?? false;
  let closesAt = input.collectionClosesAt;
  let finished = false;
  let updatesThisRun = 0;
  /** Bumped on every change the timeline loop must notice (deadline, pause, holds, finish). */
  let version = 0;
  const applied = { collection: 0, holds: 0, ...input.carried?.applied };
  let unverifiedSignals = input.carried?.unverifiedSignals ?? 0;
  // Nominations do not move the timeline (a reminder reads them when it is due), so since this
  // patch they no longer wake it: one timer cancelled and restarted per nomination saved.
  const nominationsWakeTimeline = !patched(PATCHES.nominationsLeaveTimelineAsleep);
  const nominationsChanged = () => {
    if (nominationsWakeTimeline) version++;
  };

  const usageKey = (listId: string, fieldId?: string) => {
    const list = programme.lists.find((l) => l.id === listId);
    return list?.quota?.scope === 'field' ? quotaKey(listId, fieldId) : quotaKey(listId);
  };
  const usage = (): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const n of nominations.values()) {
      const key = usageKey(n.listId, n.fieldId);
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  };
  const isOpen = () => {
    const now = clock.now();
    return !finished && now >= input.collectionOpensAt && (paused || now < closesAt);
  };
  const authorize = credentialGuard(input.authPublicKey, cycleId, () => clock.now());
  const self = { kind: 'unit' as const, id: unit.id };
  const owesWork = () =>
    !complete && quotaUsageReport(programme, unit, usage()).some((row) => row.remaining > 0);

  const state = (): UnitState => ({
    unitId: unit.id,
    unitName: unit.name,
    collectionClosesAt: closesAt,
    paused,
    open: isOpen(),
    complete,
    nominations: [...nominations.values()],
    usage: quotaUsageReport(programme, unit, usage()),
    unverifiedSignals,
  });

  const assertOpen = () => {
    if (isOpen()) return;
    const notYet = clock.now() < input.collectionOpensAt;
    rejectWith({
      code: 'COLLECTION_CLOSED',
      rule: 'window',
      message: notYet
        ? `征集尚未开始 / collection has not opened yet`
        : `征集已截止 / collection closed for unit ${unit.id}`,
      fix: notYet
        ? '请在征集开始后提交 / submit once collection opens'
        : '如需延期请联系秘书处 / ask the secretariat for an extension',
    });
  };

  /** The candidate as stored: the validator has already refused any other. */
  const acceptedCandidate = (raw: unknown): Candidate => {
    const checked = checkCandidate(raw);
    if (!checked.ok)
      throw new Error(`candidate passed its validator but not its check: ${checked.issue.message}`);
    return checked.candidate;
  };

  /** Validates a candidate for a part; `except` is the nomination being amended. */
  const assertAcceptable = (
    listId: string,
    fieldId: string | undefined,
    candidate: unknown,
    except?: string,
  ) => {
    const checked = checkCandidate(candidate);
    if (!checked.ok) {
      const { issue } = checked;
      const field = ['candidate', ...issue.path.map(String)].join('.');
      rejectWith({
        code: 'INVALID',
        field,
        rule: 'schema',
        message: `候选信息不合规 / invalid candidate: ${field}: ${issue.message}`,
        fix: '按模板填写该字段 / fill the field as the template shows',
      });
    }
    const given = checked.candidate;
    const list = programme.lists.find((l) => l.id === listId);
    if (!list) {
      rejectWith({
        code: 'UNKNOWN_LIST',
        field: 'listId',
        message: `没有榜单 "${listId}" / no list "${listId}" in ${programme.id}`,
        fix: `可选榜单 / lists: ${programme.lists.map((l) => l.id).join(', ')}`,
      });
    }
    if (!except) {
      const quota = checkQuota({ programme, unit, listId, fieldId, usage: usage() });
      if (!quota.ok) rejectWith(quota.rejection);
    }
    const verdict = checkEligibility({
      programme,
      list,
      field: fieldId,
      candidate: given,
      priorWinners: input.priorWinners,
    });
    if (!verdict.eligible) {
      rejectWith({
        code: 'NOT_ELIGIBLE',
        field: `candidate.${verdict.fact}`,
        rule: verdict.rule,
        message: verdict.message,
        fix: '请核对候选条件，或改推荐其他候选 / check the list’s conditions or nominate another candidate',
      });
    }
    const sameCandidate = (n: Nomination) =>
      n.id !== except &&
      n.listId === listId &&
      (given.identity && n.candidate.identity
        ? given.identity === n.candidate.identity
        : normaliseName(n.candidate.name) === normaliseName(given.name));
    const duplicate = [...nominations.values()].find(sameCandidate);
    if (duplicate) {
      rejectWith({
        code: 'DUPLICATE',
        field: 'candidate.name',
        rule: 'unique-per-list',
        message: `「${given.name}」已在本榜单推荐（${duplicate.id}）/ already nominated to ${listId} as ${duplicate.id}`,
        fix: '如需修改请使用 amend / amend the existing nomination instead',
      });
    }
  };

  const ownNomination = (id: unknown): Nomination => {
    const found = typeof id === 'string' ? nominations.get(id) : undefined;
    if (!found) {
      const shown = typeof id === 'string' ? id : JSON.stringify(id);
      rejectWith({
        code: 'UNKNOWN_NOMINATION',
        field: 'nominationId',
        message: `本单位没有推荐 ${shown} / unit ${unit.id} has no nomination ${shown}`,
        fix: '用 kczg cycle status 或 unitState 查询现有推荐 / list the unit’s nominations first',
      });
    }
    return found;
  };

  setHandler(unitStateQuery, state);

  setHandler(
    nominateUpdate,
    (request: NominateRequest): Nomination => {
      const existing = byIdempotencyKey.get(request.idempotencyKey);
      if (existing) return existing;
      const id = nominationId(unit.id, ++sequence);
      const nomination: Nomination = {
        id,
        unitId: unit.id,
        listId: request.listId,
        fieldId: request.fieldId,
        candidate: acceptedCandidate(request.candidate),
        idempotencyKey: request.idempotencyKey,
        submittedAt: clock.now(),
      };
      nominations.set(id, nomination);
      byIdempotencyKey.set(request.idempotencyKey, nomination);
      updatesThisRun++;
      nominationsChanged();
      return nomination;
    },
    {
      validator: (request: NominateRequest) => {
        authorize(request?.credential, self);
        if (
          typeof request?.idempotencyKey !== 'string' ||
          !request.idempotencyKey ||
          request.idempotencyKey.length > 200
        ) {
          rejectWith({
            code: 'INVALID',
            field: 'idempotencyKey',
            rule: 'required',
            message: '缺少幂等键 / idempotencyKey is required (1–200 characters)',
            fix: '每次提交附带唯一键，重试时复用 / send a unique key per submission and reuse it on retry',
          });
        }
        if (byIdempotencyKey.has(request.idempotencyKey)) return;
        assertOpen();
        // A direct caller may send any JSON: the part must be named by strings, or not at all.
        if (typeof request.listId !== 'string') {
          rejectWith({
            code: 'INVALID',
            field: 'listId',
            rule: 'type',
            message: '榜单编号须为文本 / listId must be a string',
            fix: `可选榜单 / lists: ${programme.lists.map((l) => l.id).join(', ')}`,
          });
        }
        if (request.fieldId !== undefined && typeof request.fieldId !== 'string') {
          rejectWith({
            code: 'INVALID',
            field: 'fieldId',
            rule: 'type',
            message: '领域编号须为文本，或省略 / fieldId must be a string, or left out',
            fix: '分领域的榜单填写领域编号，其余省略 / give a field id for lists with fields only',
          });
        }
        assertAcceptable(request.listId, request.fieldId, request.candidate);
      },
    },
  );

  setHandler(
    amendUpdate,
    ({ nominationId: id, candidate }): Nomination => {
      const amended: Nomination = {
        ...ownNomination(id),
        candidate: acceptedCandidate(candidate),
        amendedAt: clock.now(),
      };
      nominations.set(id, amended);
      byIdempotencyKey.set(amended.idempotencyKey, amended);
      updatesThisRun++;
      nominationsChanged();
      return amended;
    },
    {
      validator: (request) => {
        authorize(request?.credential, self);
        assertOpen();
        const current = ownNomination(request?.nominationId);
        assertAcceptable(current.listId, current.fieldId, request.candidate, current.id);
      },
    },
  );

  setHandler(
    withdrawUpdate,
    ({ nominationId: id }): Nomination => {
      const withdrawn = ownNomination(id);
      nominations.delete(id);
      updatesThisRun++;
      nominationsChanged();
      return withdrawn;
    },
    {
      validator: (request) => {
        authorize(request?.credential, self);
        assertOpen();
        ownNomination(request?.nominationId);
      },
    },
  );

  setHandler(
    markCompleteUpdate,
    (): UnitState => {
      complete = true;
      nominationsChanged();
      return state();
    },
    { validator: (request?: { credential?: string }) => authorize(request?.credential, self) },
  );

  // Internal signals from the cycle. With a credential key they are confirmed with the cycle
  // first, and the cycle's own latest word is applied (confirm.ts). Open cycles apply them as
  // sent; signals handled before this change replay as they were applied (no marker).
  const receive = entitySignalReceiver({
    cycleId,
    receiver: { kind: 'unit', id: unit.id },
    authPublicKey: input.authPublicKey,
    confirm: confirmEntitySignals,
    unverified: (signal, reason) => {
      unverifiedSignals++;
      version++;
      log.warn('internal signal not confirmed by the cycle: ignored', { signal, reason });
    },
    apply: (signal, truth) => {
      if (
        signal === 'collectionDeadline' &&
        truth.collection &&
        truth.collection.revision > applied.collection
      ) {
        applied.collection = truth.collection.revision;
        closesAt = truth.collection.closesAt;
        paused = truth.collection.paused;
      } else if (signal === 'mailHolds' && truth.holds && truth.holds.revision > applied.holds) {
        applied.holds = truth.holds.revision;
        held = new Set(truth.holds.held);
      } else if (signal === 'cycleFinished' && truth.finished) {
        finished = true;
      }
      version++;
    },
  });

  setHandler(collectionDeadlineSignal, async (change) => {
    // Signals have no validator: a malformed one (only a direct caller sends those) is ignored.
    const wellFormed = isPlausibleInstant(change?.closesAt) && typeof change.paused === 'boolean';
    if (receive.confirming()) {
      if (!wellFormed) return receive.malformed('collectionDeadline');
      if (change.closesAt === closesAt && change.paused === paused) return;
      return receive.claim({
        signal: 'collectionDeadline',
        closesAt: change.closesAt,
        paused: change.paused,
      });
    }
    if (!wellFormed) return;
    closesAt = change.closesAt;
    paused = change.paused;
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

  const notify = (reminderId: string, template: 'collectionOpened' | 'unitReminder' | 'collectionClosed') =>
    sendNotice({
      cycleId,
      businessKey: `${cycleId}/unit/${unit.id}/${reminderId}`,
      to: [{ name: unit.contact ? `${unit.name} ${unit.contact}` : unit.name, email: unit.email }],
      template,
      programme: programmeRef(programme),
      issuedAt: clock.now(),
      deadline: closesAt,
      party: unit.name,
      usage: describeUsage(programme, state().usage),
    });

  // The unit's own timeline: opening notice, reminders while it owes work, closing notice.
  // Re-planned whenever the deadline moves (extension, pause).
  while (!finished) {
    const planned = [
      { id: 'opened', at: input.collectionOpensAt, template: 'collectionOpened' as const },
      ...planReminders({
        deadlines: [{ key: 'collection', at: closesAt, role: 'unit' }],
        policy: programme.reminders,
        opensAt: input.collectionOpensAt,
      })
        .filter((r) => r.kind === 'reminder')
        .map((r) => ({ id: r.id, at: r.at, template: 'unitReminder' as const })),
      { id: `closed@${closesAt}`, at: closesAt, template: 'collectionClosed' as const },
    ].filter(
      (p) =>
        !remindersSent.has(p.id) &&
        !held.has(p.id) &&
        (p.template !== 'unitReminder' || p.at >= plannedFrom) &&
        !(paused && p.template !== 'collectionOpened'),
    );
    const next = planned.sort((a, b) => a.at - b.at)[0];
    const seen = version;
    const woken = await clock.waitUntil(next?.at, () => version !== seen || shouldContinueAsNew());
    if (shouldContinueAsNew()) break;
    if (woken || !next) continue;
    remindersSent.add(next.id);
    if (next.template !== 'unitReminder' || owesWork()) await notify(next.id, next.template);
  }

  function shouldContinueAsNew() {
    return updatesThisRun >= UPDATES_PER_RUN || workflowInfo().continueAsNewSuggested;
  }

  if (!finished) {
    await condition(allHandlersFinished);
    await continueAsNew<typeof unitWorkflow>({
      ...input,
      collectionClosesAt: closesAt,
      carried: {
        nominations: [...nominations.values()],
        sequence,
        complete,
        paused,
        remindersSent: [...remindersSent],
        held: [...held],
        plannedFrom,
        applied,
        unverifiedSignals,
      },
    });
  }
  await condition(allHandlersFinished);
}

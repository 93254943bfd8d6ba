/**
 * A unit's nominations and their rules: the idempotency index, quota usage, and the checks every
 * nominate, amend and withdraw passes (schema, list, quota, eligibility, duplicates).
 */
import { bundleFilingRejection, partWithdrawalRejection } from '../../domain/bundles';
import { checkCandidate, storedCandidate, type Candidate } from '../../domain/candidate';
import type { Dossier } from '../../domain/dossier';
import { checkDossier, formFor } from '../../domain/forms';
import { candidateRejection } from '../../domain/limits';
import type { List } from '../../domain/programme';
import { checkEligibility, normaliseName, reviewFlagsOf, type ReviewFlag } from '../../domain/eligibility';
import { checkQuota, quotaKey, quotaUsageReport } from '../../domain/quota';
import { nominationId } from '../ids';
import type { Nomination, NominateRequest, PartRef, QuotaUsageRow, UnitInput } from '../messages';
import { countingRefusals, countNominationAccepted } from '../metrics';
import { rejectWith } from '../refusals';

export class UnitNominations {
  readonly byId: Map<string, Nomination>;
  private readonly byIdempotencyKey: Map<string, Nomination>;
  sequence: number;
  complete: boolean;

  constructor(
    private readonly input: UnitInput,
    private readonly now: () => number,
  ) {
    this.byId = new Map((input.carried?.nominations ?? []).map((n) => [n.id, n]));
    this.byIdempotencyKey = new Map([...this.byId.values()].map((n) => [n.idempotencyKey, n]));
    this.sequence = input.carried?.sequence ?? 0;
    this.complete = input.carried?.complete ?? false;
  }

  private usageKey(listId: string, fieldId?: string): string {
    const list = this.input.programme.lists.find((l) => l.id === listId);
    return list?.quota?.scope === 'field' ? quotaKey(listId, fieldId) : quotaKey(listId);
  }

  usage(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const n of this.byId.values()) {
      const key = this.usageKey(n.listId, n.fieldId);
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  usageReport(): QuotaUsageRow[] {
    return quotaUsageReport(this.input.programme, this.input.unit, this.usage());
  }

  owesWork(): boolean {
    return !this.complete && this.usageReport().some((row) => row.remaining > 0);
  }

  byKey(idempotencyKey: string): Nomination | undefined {
    return this.byIdempotencyKey.get(idempotencyKey);
  }

  add(request: NominateRequest): Nomination {
    const nomination: Nomination = {
      id: nominationId(this.input.unit.id, ++this.sequence),
      unitId: this.input.unit.id,
      listId: request.listId,
      fieldId: request.fieldId,
      candidate: acceptedCandidate(request.candidate),
      // Requests before dossiers carried none: those nominations replay without the key.
      ...(request.dossier === undefined ? {} : { dossier: request.dossier }),
      idempotencyKey: request.idempotencyKey,
      submittedAt: this.now(),
    };
    this.byId.set(nomination.id, nomination);
    this.byIdempotencyKey.set(request.idempotencyKey, nomination);
    countNominationAccepted(this.input.programme.id);
    return nomination;
  }

  /** Replaces the candidate, and the dossier when one is given (an amendment without keeps it). */
  amend(id: string, candidate: unknown, dossier?: unknown): Nomination {
    const amended: Nomination = {
      ...this.own(id),
      candidate: acceptedCandidate(candidate),
      ...(dossier === undefined ? {} : { dossier: dossier as Dossier }),
      amendedAt: this.now(),
    };
    this.byId.set(id, amended);
    this.byIdempotencyKey.set(amended.idempotencyKey, amended);
    return amended;
  }

  withdraw(id: string): Nomination {
    const withdrawn = this.own(id);
    this.byId.delete(id);
    return withdrawn;
  }

  /** The unit's own nomination, or the UNKNOWN_NOMINATION refusal. */
  own(id: unknown): Nomination {
    const found = typeof id === 'string' ? this.byId.get(id) : undefined;
    if (!found) {
      const shown = typeof id === 'string' ? id : JSON.stringify(id);
      rejectWith({
        code: 'UNKNOWN_NOMINATION',
        field: 'nominationId',
        message: `本单位没有推荐 ${shown} / unit ${this.input.unit.id} has no nomination ${shown}`,
        fix: '用 kczg cycle status 或 unitState 查询现有推荐 / list the unit’s nominations first',
      });
    }
    return found;
  }

  /** A new nomination's request, its refusal counted (workflows/metrics.ts). */
  assertRequest(request: NominateRequest): void {
    countingRefusals(this.input.programme.id, () => this.checkRequest(request));
  }

  /** A new nomination's request: key, part named by strings, then the candidate. */
  private checkRequest(request: NominateRequest): void {
    const { programme } = this.input;
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
    this.assertAcceptable(
      { listId: request.listId, fieldId: request.fieldId },
      { candidate: request.candidate, dossier: request.dossier },
    );
  }

  /** Nominations whose eligibility the reference data could not decide, with the rules to check. */
  reviewFlags(): { nominationId: string; flags: ReviewFlag[] }[] {
    return [...this.byId.values()].flatMap((n) => {
      const flags = reviewFlagsOf(this.input.programme, n);
      return flags.length > 0 ? [{ nominationId: n.id, flags }] : [];
    });
  }

  /** Validates a candidate and its dossier for a part; `except` is the nomination being amended. */
  assertAcceptable(
    { listId, fieldId }: PartRef,
    { candidate, dossier }: { candidate: unknown; dossier: unknown },
    except?: string,
  ): void {
    const { programme, unit } = this.input;
    const given = assertCandidate(candidate);
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
      const quota = checkQuota({ programme, unit, listId, fieldId, usage: this.usage() });
      if (!quota.ok) rejectWith(quota.rejection);
    }
    const verdict = checkEligibility({
      programme,
      list,
      field: fieldId,
      candidate: given,
      priorWinners: this.input.priorWinners,
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
    this.assertNotDuplicate(listId, given, except);
    // Last: whether the part takes the candidate at all is the first thing a unit needs to hear.
    assertDossier(list, fieldId, dossier);
    if (list.form?.coApplications) {
      const refused = bundleFilingRejection({
        programme,
        unitId: unit.id,
        list,
        answers: (dossier as Dossier).answers,
        nominations: [...this.byId.values()],
        except,
      });
      if (refused) rejectWith(refused);
    }
  }

  /** A co-application a bundle names leaves only with its bundle (domain/bundles.ts). */
  assertWithdrawable(id: unknown): void {
    const found = typeof id === 'string' ? this.byId.get(id) : undefined;
    if (!found) return;
    const refused = partWithdrawalRejection(this.input.programme, [...this.byId.values()], found.id);
    if (refused) rejectWith(refused);
  }

  private assertNotDuplicate(listId: string, given: Candidate, except?: string): void {
    const sameCandidate = (n: Nomination) =>
      n.id !== except &&
      n.listId === listId &&
      (given.identity && n.candidate.identity
        ? given.identity === n.candidate.identity
        : normaliseName(n.candidate.name) === normaliseName(given.name));
    const duplicate = [...this.byId.values()].find(sameCandidate);
    if (duplicate) {
      rejectWith({
        code: 'DUPLICATE',
        field: 'candidate.name',
        rule: 'unique-per-list',
        message: `「${given.name}」已在本榜单推荐（${duplicate.id}）/ already nominated to ${listId} as ${duplicate.id}`,
        fix: '如需修改请使用 amend / amend the existing nomination instead',
      });
    }
  }
}

/**
 * The candidate as stored: the validator has already refused any other. Never re-checked here, so
 * a nomination accepted under earlier, looser rules replays unchanged.
 */
function acceptedCandidate(raw: unknown): Candidate {
  return storedCandidate(raw as object);
}

/** The part's form, if it has one, must be filled in by a dossier that passes it; none without a form. */
function assertDossier(list: List, fieldId: string | undefined, dossier: unknown): void {
  const form = formFor(list, fieldId);
  if (!form) {
    if (dossier === undefined) return;
    rejectWith({
      code: 'INVALID',
      field: 'dossier',
      rule: 'no-form',
      message: `榜单 ${list.id} 没有申报表，不收申报书 / ${list.id} has no application form`,
      fix: '删除 dossier / leave the dossier out',
    });
  }
  if (dossier === undefined) {
    rejectWith({
      code: 'INVALID',
      field: 'dossier',
      rule: 'required',
      message: `本榜单须提交申报书（答案、声明与附件）/ ${list.id} requires a dossier`,
      fix: '用 kczg nominate <方案> --list <榜单> --dossier-template 生成模板并填写 / fill in the dossier template',
    });
  }
  const [first, ...more] = checkDossier(form, dossier);
  if (first) {
    rejectWith({
      ...first,
      message: more.length
        ? `${first.message}（另有 ${more.length} 处问题 / and ${more.length} more）`
        : first.message,
    });
  }
}

function assertCandidate(candidate: unknown): Candidate {
  const checked = checkCandidate(candidate);
  if (!checked.ok) {
    rejectWith(candidateRejection(checked.issue));
  }
  return checked.candidate;
}

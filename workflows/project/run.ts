/**
 * A funded project's run: its reports and their verification, the secretariat's waivers and the
 * final acceptance, and its own timeline of reminders, overdue notices and escalations while a
 * report is owed. Refusals come from the update validators: nothing refused reaches history.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import {
  acceptance,
  checkReport,
  checkWaiver,
  reportDues,
  thresholdInForce,
  type ProjectAcceptance,
  type ReportDueAt,
  type ReportedFigure,
  type Waiver,
} from '../../domain/deliverables';
import { noticeKey, projectMailId } from '../../domain/mail-ids';
import { isHeld } from '../../domain/project-steering';
import type { Rejection } from '../../domain/rejections';
import { nextOnWaking, projectReportTimeline, type ScheduledEvent } from '../../domain/schedule';
import { ENTITY_MAIL } from '../activity-options';
import { ProgrammeClock } from '../clock';
import type { AuditEntry, Credentialed } from '../messages';
import { PATCHES } from '../patches';
import { PlanChanges } from '../plan-changes';
import { credentialGuard, rejectWith } from '../refusals';
import type {
  ProgressReport,
  ProjectInput,
  ProjectState,
  RecordWaiverRequest,
  SubmitReportRequest,
  VerifyReportRequest,
} from './messages';
import { ProjectSteering } from './steering';

const { sendNotice } = proxyActivities<ReturnType<typeof createActivities>>(ENTITY_MAIL);

/** After acceptance the project still answers (and refuses late reports) this long, then closes. */
const OPEN_AFTER_ACCEPTANCE_MS = 30 * 24 * 3_600_000;
const MAX_REASON = 500;

const wrongStage = (message: string, fix?: string): Rejection => ({
  code: 'WRONG_STAGE',
  rule: 'stage',
  message,
  ...(fix ? { fix } : {}),
});

export class ProjectRun {
  private readonly clock: ProgrammeClock;
  private readonly plan: PlanChanges;
  /** The dues as the calendar sets them at publication; steering moves them (steering.ts). */
  private readonly dues: ReportDueAt[];
  readonly steering: ProjectSteering;
  private readonly reports: ProgressReport[] = [];
  private readonly waivers: Waiver[] = [];
  private readonly sent = new Set<string>();
  private readonly audit: AuditEntry[] = [];
  private readonly startedAt: number;
  private recorded?: { at: number; outcome: ProjectAcceptance };
  private readonly authorize: ReturnType<typeof credentialGuard>;

  constructor(readonly input: ProjectInput) {
    this.clock = new ProgrammeClock(input.clockOffsetMs);
    this.plan = new PlanChanges(this.clock);
    this.dues = reportDues(input.deliverables, input.publishedAt);
    this.startedAt = this.clock.now();
    this.authorize = credentialGuard(input.authPublicKey, input.cycleId, () => this.clock.now());
    this.steering = new ProjectSteering({
      now: () => this.clock.now(),
      publishedAt: input.publishedAt,
      accepted: () => this.recorded !== undefined,
      plannedDues: () => this.dues.map((d) => ({ ...d, status: this.dueStatus(d.id) })),
      authorize: (credential) => this.authorize(credential),
      record: (action, detail) => this.record('secretariat', action, detail),
      changed: () => this.plan.changed(),
    });
  }

  private dueStatus(dueId: string): 'owed' | 'submitted' | 'accepted' {
    const latest = this.reports.filter((r) => r.dueId === dueId).at(-1);
    if (latest?.status === 'accepted') return 'accepted';
    return latest?.status === 'submitted' ? 'submitted' : 'owed';
  }

  private owed(): Set<string> {
    return new Set(this.dues.filter((d) => this.dueStatus(d.id) === 'owed').map((d) => d.id));
  }

  /** The latest accepted figure per target (figures are cumulative). */
  private acceptedFigures(): Record<string, number> {
    const figures: Record<string, number> = {};
    for (const report of this.reports.filter((r) => r.status === 'accepted')) {
      for (const f of report.figures) figures[f.target] = f.value;
    }
    return figures;
  }

  private record(actor: string, action: string, detail: string): void {
    this.audit.push({ at: this.clock.now(), actor, action, outcome: 'accepted', detail });
  }

  state(): ProjectState {
    const { input } = this;
    return {
      projectId: input.projectId,
      cycleId: input.cycleId,
      listId: input.listId,
      ...(input.fieldId === undefined ? {} : { fieldId: input.fieldId }),
      partName: input.partName,
      owner: { unitId: input.owner.unitId, name: input.owner.name },
      publishedAt: input.publishedAt,
      dues: this.steering.duesInForce(),
      ...(this.steering.pausedAt === undefined ? {} : { pausedAt: this.steering.pausedAt }),
      holds: [...this.steering.holds],
      reports: this.reports.map((r) => ({ ...r })),
      waivers: [...this.waivers],
      accepted: this.acceptedFigures(),
      outcome: this.recorded?.outcome ?? acceptance(input.deliverables, this.acceptedFigures(), this.waivers),
      ...(this.recorded ? { acceptedAt: this.recorded.at } : {}),
      audit: [...this.audit],
    };
  }

  private assertNotAccepted(): void {
    if (this.recorded) {
      rejectWith(
        wrongStage('项目已完成验收，不再接受变更 / the project has been accepted; nothing more changes'),
      );
    }
  }

  /** The owner (the winning nomination's unit) reports; the secretariat may report for it. */
  validateSubmit(request: SubmitReportRequest): void {
    this.authorize(request?.credential, { kind: 'unit', id: this.input.owner.unitId });
    this.assertNotAccepted();
    const [refusal] = checkReport(this.input.deliverables, request?.figures);
    if (refusal) rejectWith(refusal);
    if (this.owed().size === 0) {
      rejectWith(
        wrongStage(
          '当前没有待提交的报告（已提交的报告待审核）/ no report is owed now (submitted reports await verification)',
        ),
      );
    }
  }

  /** The report answers the earliest report still owed. */
  submitReport(request: SubmitReportRequest): { reportId: string; dueId: string } {
    const owed = this.owed();
    const due = this.dues.find((d) => owed.has(d.id)) as ReportDueAt;
    const figures: ReportedFigure[] = request.figures.map((f) => ({
      target: f.target,
      value: f.value,
      evidence: (f.evidence ?? []).map((e) => ({ ...e })),
    }));
    const report: ProgressReport = {
      id: `r${this.reports.length + 1}`,
      dueId: due.id,
      submittedAt: this.clock.now(),
      figures,
      status: 'submitted',
    };
    this.reports.push(report);
    this.record(
      `unit:${this.input.owner.unitId}`,
      'submitReport',
      `${report.id} (${due.id}): ${figures.map((f) => `${f.target}=${f.value}`).join(', ')}`,
    );
    this.plan.changed();
    return { reportId: report.id, dueId: due.id };
  }

  /** Verification, waivers and acceptance are the secretariat's alone. */
  validateVerify(request: VerifyReportRequest): void {
    this.authorize(request?.credential);
    this.assertNotAccepted();
    const report = this.reports.find((r) => r.id === request?.reportId);
    if (!report) {
      rejectWith({
        code: 'INVALID',
        field: 'reportId',
        rule: 'report',
        message: `没有编号为“${String(request?.reportId)}”的报告 / no such report`,
        fix: `可审核的报告 / reports: ${this.reports.map((r) => r.id).join(', ') || '（无 / none）'}`,
      });
    }
    if (report.status !== 'submitted') {
      rejectWith(wrongStage(`报告 ${report.id} 已审核（${report.status}）/ report already verified`));
    }
    if (!['accept', 'reject', 'more'].includes(request.decision)) {
      rejectWith({
        code: 'INVALID',
        field: 'decision',
        rule: 'decision',
        message: '审核结论须为 accept、reject 或 more / the decision must be accept, reject or more',
      });
    }
    const reason = typeof request.reason === 'string' ? request.reason.trim() : '';
    if (request.decision !== 'accept' && (reason.length === 0 || reason.length > MAX_REASON)) {
      rejectWith({
        code: 'INVALID',
        field: 'reason',
        rule: 'reason',
        message: '退回或要求补充须说明理由（不超过500字）/ a rejection or a request for more needs a reason',
        limit: MAX_REASON,
      });
    }
  }

  verifyReport(request: VerifyReportRequest): ProgressReport {
    const report = this.reports.find((r) => r.id === request.reportId) as ProgressReport;
    report.status =
      request.decision === 'accept'
        ? 'accepted'
        : request.decision === 'reject'
          ? 'rejected'
          : 'more-requested';
    report.decidedAt = this.clock.now();
    if (request.decision !== 'accept') report.reason = (request.reason ?? '').trim();
    this.record(
      'secretariat',
      'verifyReport',
      `${report.id}: ${report.status}${report.reason ? ` (${report.reason})` : ''}`,
    );
    this.plan.changed();
    return { ...report };
  }

  validateWaiver(request: RecordWaiverRequest): void {
    this.authorize(request?.credential);
    this.assertNotAccepted();
    const waiver = {
      target: request?.target,
      threshold: request?.threshold,
      reason: String(request?.reason ?? ''),
    };
    const [refusal] = checkWaiver(this.input.deliverables, this.waivers, waiver);
    if (refusal) rejectWith(refusal);
  }

  recordWaiver(request: RecordWaiverRequest): Waiver[] {
    const target = this.input.deliverables.targets.find((t) => t.id === request.target);
    const from = target ? thresholdInForce(target, this.waivers) : request.threshold;
    this.waivers.push({
      target: request.target,
      threshold: request.threshold,
      reason: request.reason.trim(),
    });
    this.record(
      'secretariat',
      'recordWaiver',
      `${request.target}: ${from} → ${request.threshold} (${request.reason.trim()})`,
    );
    return [...this.waivers];
  }

  validateAcceptance(request: Credentialed): void {
    this.authorize(request?.credential);
    this.assertNotAccepted();
    const pending = this.reports.filter((r) => r.status === 'submitted').map((r) => r.id);
    if (pending.length > 0) {
      rejectWith(
        wrongStage(
          `尚有待审核的报告 ${pending.join(', ')} / reports await verification`,
          '先审核全部已提交的报告 / verify every submitted report first',
        ),
      );
    }
  }

  recordAcceptance(): ProjectAcceptance {
    const outcome = acceptance(this.input.deliverables, this.acceptedFigures(), this.waivers);
    this.recorded = { at: this.clock.now(), outcome };
    this.record(
      'secretariat',
      'recordAcceptance',
      `${outcome.outcome}: ${outcome.targets.map((t) => `${t.target} ${t.reached}/${t.threshold}`).join(', ')}`,
    );
    this.plan.changed();
    return outcome;
  }

  /** Sleeps until the next notice of the report schedule, sends it, and plans again. */
  async runTimeline(): Promise<void> {
    for (;;) {
      if (this.recorded) {
        await this.clock.waitUntil(this.recorded.at + OPEN_AFTER_ACCEPTANCE_MS, () => false);
        return;
      }
      // Projects started before steering plan from the publication's calendar alone; since, a
      // paused project sleeps until resumed, and the timeline plans from the dues in force
      // without the held mailings.
      const steered = patched(PATCHES.projectSteering);
      if (steered && this.steering.pausedAt !== undefined) {
        await this.plan.sleepUntil(undefined);
        continue;
      }
      const timeline = projectReportTimeline(this.input.reminders, {
        unitId: this.input.owner.unitId,
        dues: steered ? this.steering.duesInForce() : this.dues,
        owed: this.owed(),
        sent: this.sent,
        held: new Set(),
        from: this.startedAt,
      }).filter((event) => !steered || !isHeld(event, this.steering.holds));
      const { next, overtaken } = nextOnWaking(timeline, this.clock.now(), 'once-on-waking');
      overtaken.forEach((e) => this.sent.add(e.id));
      const woken = await this.plan.sleepUntil(next?.at);
      if (woken || !next || this.clock.now() < next.at) continue;
      this.sent.add(next.id);
      await this.send(next);
    }
  }

  private async send(event: ScheduledEvent): Promise<void> {
    const { input } = this;
    const toSecretariat = event.party?.kind === 'secretariat';
    const party = event.party ?? { kind: 'secretariat' as const };
    const figures = this.acceptedFigures();
    const dueId = event.key?.replace(/^report:/, '') ?? '';
    await sendNotice({
      cycleId: input.cycleId,
      businessKey: noticeKey(input.cycleId, party, projectMailId(input.projectId, event.id)),
      to: toSecretariat
        ? input.secretariat.contacts.map((c) => ({
            name: `${input.secretariat.name} ${c.name}`,
            email: c.email,
          }))
        : [
            {
              name: input.owner.contact ? `${input.owner.name} ${input.owner.contact}` : input.owner.name,
              email: input.owner.email,
            },
          ],
      template: event.template ?? 'reportReminder',
      programme: input.programme,
      issuedAt: this.clock.now(),
      ...(event.deadlineAt === undefined ? {} : { deadline: event.deadlineAt }),
      party: toSecretariat ? input.secretariat.name : input.owner.name,
      project: {
        name: `${input.partName} · ${input.projectId}`,
        targets: input.deliverables.targets.map((t) => ({
          metric: t.metric.zh,
          unit: t.unit,
          threshold: thresholdInForce(t, this.waivers),
          reached: figures[t.id] ?? 0,
        })),
      },
      ...(toSecretariat
        ? { missing: [`${input.owner.name}：${input.partName} · ${input.projectId}（${dueId}）`] }
        : {}),
    });
    this.record('system', 'notice', `${event.template ?? ''} ${event.id}`);
  }
}

/**
 * The secretariat's steering of one project: moved report dues, a pause, mail holds. The moved
 * deadlines are written once, here (`moved`); the project's timeline reads the dues in force
 * from `duesInForce` and re-plans when `changed()` wakes it. Validators ask
 * domain/project-steering.ts for a refusal after the credential check.
 */
import type { ReportDueAt } from '../../domain/deliverables';
import {
  extendDues,
  pauseShiftMs,
  projectExtendRejection,
  projectHoldRejection,
  projectPauseRejection,
  projectResumeRejection,
  resumedDues,
  type DueStatus,
  type ProjectSteeringView,
} from '../../domain/project-steering';
import type { Rejection } from '../../domain/rejections';
import { formatDeadline } from '../../domain/calendar';
import { rejectWith } from '../refusals';
import type { ExtendProjectRequest, ProjectMailHoldRequest, ProjectReasonRequest } from './messages';

/** What steering needs of its project. */
export interface SteeredProject {
  now(): number;
  publishedAt: number;
  accepted(): boolean;
  /** The dues as planned at publication, with their status. */
  plannedDues(): Array<ReportDueAt & { status: DueStatus }>;
  /** The secretariat's credential, or a refusal. */
  authorize(credential: unknown): void;
  record(action: string, detail: string): void;
  /** Wakes the timeline to plan again. */
  changed(): void;
}

export class ProjectSteering {
  /** Each moved due's deadline in force. */
  private readonly moved = new Map<string, number>();
  readonly holds = new Set<string>();
  pausedAt?: number;

  constructor(private readonly project: SteeredProject) {}

  /** The dues with the deadlines in force. */
  duesInForce(): Array<ReportDueAt & { status: DueStatus; originalAt?: number }> {
    return this.project
      .plannedDues()
      .map((d) =>
        this.moved.has(d.id) ? { ...d, at: this.moved.get(d.id) as number, originalAt: d.at } : d,
      );
  }

  private view(): ProjectSteeringView {
    return {
      now: this.project.now(),
      publishedAt: this.project.publishedAt,
      accepted: this.project.accepted(),
      paused: this.pausedAt !== undefined,
      dues: this.duesInForce(),
    };
  }

  private guard(request: { credential?: unknown } | undefined, check: () => Rejection | undefined): void {
    this.project.authorize(request?.credential);
    const rejection = check();
    if (rejection) rejectWith(rejection);
  }

  validateExtend(request: ExtendProjectRequest): void {
    this.guard(request, () => projectExtendRejection(request, this.view()));
  }

  extend(request: ExtendProjectRequest): void {
    const moves = extendDues(this.duesInForce(), request);
    for (const [dueId, at] of moves) this.moved.set(dueId, at);
    const moved = [...moves].map(([dueId, at]) => `${dueId} → ${formatDeadline(at)}`).join(', ');
    this.project.record('extendReport', `${moved}: ${request.reason.trim()}`);
    this.project.changed();
  }

  validatePause(request: ProjectReasonRequest): void {
    this.guard(request, () => projectPauseRejection(request, this.view()));
  }

  pause(request: ProjectReasonRequest): void {
    this.pausedAt = this.project.now();
    this.project.record('pause', request.reason.trim());
    this.project.changed();
  }

  validateResume(request: ProjectReasonRequest): void {
    this.guard(request, () => projectResumeRejection(request, this.view()));
  }

  resume(request: ProjectReasonRequest): void {
    const from = this.pausedAt as number;
    const shift = pauseShiftMs(from, this.project.now());
    for (const [dueId, at] of resumedDues(this.duesInForce(), from, shift)) this.moved.set(dueId, at);
    this.pausedAt = undefined;
    this.project.record('resume', `${request.reason.trim()} (+${Math.round(shift / 60_000)} min)`);
    this.project.changed();
  }

  validateMailHold(request: ProjectMailHoldRequest): void {
    this.guard(request, () => projectHoldRejection(request, this.view(), this.holds));
  }

  mailHold({ reminderId, held }: ProjectMailHoldRequest): void {
    if (held) this.holds.add(reminderId);
    else this.holds.delete(reminderId);
    this.project.record(held ? 'mail-hold' : 'mail-release', reminderId);
    this.project.changed();
  }
}

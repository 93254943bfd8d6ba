/**
 * What a funded project's workflow takes and answers: its input (the project, its deliverables,
 * whom to remind), the owner's reports, the secretariat's verifications, waivers and acceptance.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ProjectAcceptance, ReportDueAt, ReportedFigure, Waiver } from '../../domain/deliverables';
import type { ProjectExtensionRequest } from '../../domain/project-steering';
import type { Bilingual, Contact, Deliverables, ReminderPolicy } from '../../domain/programme';
import type { AuditEntry, Credentialed } from '../messages';

export interface ProjectInput {
  cycleId: string;
  /** The winning nomination's id: one project per winner. */
  projectId: string;
  listId: string;
  fieldId?: string;
  /** "list · field" in Chinese, as the mail and the export name it. */
  partName: string;
  programme: { id: string; name: Bilingual; year: number };
  owner: { unitId: string; name: string; email: string; contact?: string };
  secretariat: { name: string; contacts: Contact[] };
  deliverables: Deliverables;
  reminders: ReminderPolicy;
  publishedAt: number;
  clockOffsetMs: number;
  authPublicKey?: string;
}

export type ReportStatus = 'submitted' | 'accepted' | 'rejected' | 'more-requested';

export interface ProgressReport {
  /** "r1", "r2", … in submission order. */
  id: string;
  /** The report due it answers ("half-yearly-1", "final-1"). */
  dueId: string;
  submittedAt: number;
  figures: ReportedFigure[];
  status: ReportStatus;
  /** The secretariat's reason for a rejection or a request for more. */
  reason?: string;
  decidedAt?: number;
}

export interface ProjectState {
  projectId: string;
  cycleId: string;
  listId: string;
  fieldId?: string;
  partName: string;
  owner: { unitId: string; name: string };
  publishedAt: number;
  /** Each due at its deadline in force; `originalAt` when steering moved it. */
  dues: Array<ReportDueAt & { status: 'owed' | 'submitted' | 'accepted'; originalAt?: number }>;
  /** Since when the project is paused (no mail; dues move on resuming). */
  pausedAt?: number;
  /** Held mailings: "all", "report:<due>" or "report:<due>:<reminder>". */
  holds?: string[];
  reports: ProgressReport[];
  waivers: Waiver[];
  /** The latest accepted figure per target. */
  accepted: Record<string, number>;
  /** The rule's outcome as things stand (before acceptance) or as recorded. */
  outcome: ProjectAcceptance;
  acceptedAt?: number;
  audit: AuditEntry[];
}

export interface SubmitReportRequest extends Credentialed {
  figures: ReportedFigure[];
}

export interface VerifyReportRequest extends Credentialed {
  reportId: string;
  decision: 'accept' | 'reject' | 'more';
  reason?: string;
}

export type RecordWaiverRequest = Credentialed & Waiver;

export type ExtendProjectRequest = Credentialed & ProjectExtensionRequest;

export interface ProjectReasonRequest extends Credentialed {
  reason: string;
}

export interface ProjectMailHoldRequest extends Credentialed {
  reminderId: string;
  held: boolean;
}

export const submitReportUpdate = defineUpdate<{ reportId: string; dueId: string }, [SubmitReportRequest]>(
  'submitReport',
);
export const verifyReportUpdate = defineUpdate<ProgressReport, [VerifyReportRequest]>('verifyReport');
export const recordWaiverUpdate = defineUpdate<Waiver[], [RecordWaiverRequest]>('recordWaiver');
export const recordAcceptanceUpdate = defineUpdate<ProjectAcceptance, [Credentialed]>('recordAcceptance');
export const extendProjectUpdate = defineUpdate<ProjectState, [ExtendProjectRequest]>('extendProjectReport');
export const pauseProjectUpdate = defineUpdate<ProjectState, [ProjectReasonRequest]>('pauseProject');
export const resumeProjectUpdate = defineUpdate<ProjectState, [ProjectReasonRequest]>('resumeProject');
export const holdProjectMailUpdate = defineUpdate<ProjectState, [ProjectMailHoldRequest]>('holdProjectMail');
export const projectStateQuery = defineQuery<ProjectState>('projectState');

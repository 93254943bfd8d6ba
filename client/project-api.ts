/**
 * The typed client's tracking calls (`api.project`): a funded project's owner reports progress;
 * the secretariat verifies reports, records waivers and the final acceptance. Figures are checked
 * here first where the client can; the project's workflow checks everything again. A project
 * without a workflow is refused (UNKNOWN_NOMINATION), and one already closed after acceptance is
 * refused as a late change (WRONG_STAGE).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Party } from '../domain/credentials';
import type { ProjectAcceptance, ReportedFigure, Waiver } from '../domain/deliverables';
import { normaliseTexts } from '../domain/text';
import { projectWorkflowId } from '../workflows/ids';
import { auditQuery, type AuditEntry } from '../workflows/messages';
import type { ProjectExtensionRequest } from '../domain/project-steering';
import {
  extendProjectUpdate,
  holdProjectMailUpdate,
  pauseProjectUpdate,
  projectStateQuery,
  resumeProjectUpdate,
  recordAcceptanceUpdate,
  recordWaiverUpdate,
  submitReportUpdate,
  verifyReportUpdate,
  type ProgressReport,
  type ProjectState,
  type VerifyReportRequest,
} from '../workflows/project/messages';
import { startedProjectsOf } from '../workflows/project/start';
import { mergeAudits, type CycleAuditEntry } from './cycle-audit';
import { assertIdentifier, RejectionError, unwrapRejection } from './requests';

type CredentialFor = (cycleId: string, ...allowed: Party[]) => { credential?: string };

export class ProjectApi {
  constructor(
    private readonly client: Client,
    private readonly credentialFor: CredentialFor,
  ) {}

  /** The ids of the projects the cycle's publication started, in publication order. */
  async projectIds(cycleId: string): Promise<string[]> {
    return startedProjectsOf(await this.client.workflow.getHandle(cycleId).query(auditQuery));
  }

  /**
   * The cycle's audit merged in time order with every project's (marked with its id). A project
   * whose workflow is gone (closed past retention) is named by an info entry, not left out.
   */
  async cycleAudit(cycleId: string): Promise<CycleAuditEntry[]> {
    const cycleAudit = await this.client.workflow.getHandle(cycleId).query(auditQuery);
    const projects = await Promise.all(
      startedProjectsOf(cycleAudit).map(async (projectId) => {
        try {
          return {
            projectId,
            audit: (await this.project(cycleId, projectId).query(projectStateQuery)).audit,
          };
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          const gone: AuditEntry = {
            at: cycleAudit.at(-1)?.at ?? 0,
            actor: 'system',
            action: 'project-audit-unavailable',
            outcome: 'info',
            detail: `项目工作流已不可查询 / the project's workflow is no longer available: ${projectId}`,
          };
          return { projectId, audit: [gone] };
        }
      }),
    );
    return mergeAudits(cycleAudit, projects);
  }

  async state(cycleId: string, projectId: string): Promise<ProjectState> {
    return this.send(projectId, () => this.project(cycleId, projectId).query(projectStateQuery));
  }

  /** Every project of the cycle, as their workflows answer. */
  async states(cycleId: string): Promise<ProjectState[]> {
    const ids = await this.projectIds(cycleId);
    return Promise.all(ids.map((id) => this.state(cycleId, id)));
  }

  /** The owner's progress report: the cumulative figure per target, evidence where required. */
  /**
   * `updateId`: the caller's idempotency key (the portal's Idempotency-Key): a repeated id gets the
   * first report's answer and files nothing twice.
   */
  async submitReport(
    cycleId: string,
    projectId: string,
    owner: string,
    figures: ReportedFigure[],
    options: { updateId?: string } = {},
  ) {
    return this.send(projectId, () =>
      this.project(cycleId, projectId).executeUpdate(submitReportUpdate, {
        args: [
          { figures: normaliseTexts(figures), ...this.credentialFor(cycleId, { kind: 'unit', id: owner }) },
        ],
        ...(options.updateId ? { updateId: options.updateId } : {}),
      }),
    );
  }

  async verifyReport(
    cycleId: string,
    projectId: string,
    request: Omit<VerifyReportRequest, 'credential'>,
  ): Promise<ProgressReport> {
    return this.send(projectId, () =>
      this.project(cycleId, projectId).executeUpdate(verifyReportUpdate, {
        args: [{ ...normaliseTexts(request), ...this.credentialFor(cycleId, { kind: 'secretariat' }) }],
      }),
    );
  }

  async recordWaiver(cycleId: string, projectId: string, waiver: Waiver): Promise<Waiver[]> {
    return this.send(projectId, () =>
      this.project(cycleId, projectId).executeUpdate(recordWaiverUpdate, {
        args: [{ ...normaliseTexts(waiver), ...this.credentialFor(cycleId, { kind: 'secretariat' }) }],
      }),
    );
  }

  async recordAcceptance(cycleId: string, projectId: string): Promise<ProjectAcceptance> {
    return this.send(projectId, () =>
      this.project(cycleId, projectId).executeUpdate(recordAcceptanceUpdate, {
        args: [this.credentialFor(cycleId, { kind: 'secretariat' })],
      }),
    );
  }

  /** Moves one report due (`dueId`) or every due not yet accepted, with a reason. */
  async extend(cycleId: string, projectId: string, request: ProjectExtensionRequest): Promise<ProjectState> {
    return this.send(projectId, () =>
      this.project(cycleId, projectId).executeUpdate(extendProjectUpdate, {
        args: [{ ...normaliseTexts(request), ...this.credentialFor(cycleId, { kind: 'secretariat' }) }],
      }),
    );
  }

  /** No mail while paused; on resuming, the dues still ahead at the pause move by its length. */
  async pause(cycleId: string, projectId: string, reason: string): Promise<ProjectState> {
    return this.send(projectId, () =>
      this.project(cycleId, projectId).executeUpdate(pauseProjectUpdate, {
        args: [{ reason: normaliseTexts(reason), ...this.credentialFor(cycleId, { kind: 'secretariat' }) }],
      }),
    );
  }

  async resume(cycleId: string, projectId: string, reason: string): Promise<ProjectState> {
    return this.send(projectId, () =>
      this.project(cycleId, projectId).executeUpdate(resumeProjectUpdate, {
        args: [{ reason: normaliseTexts(reason), ...this.credentialFor(cycleId, { kind: 'secretariat' }) }],
      }),
    );
  }

  /** Holds (or releases) "all" of the project's mail, a due's ("report:final-1") or one mailing. */
  async mailHold(
    cycleId: string,
    projectId: string,
    reminderId: string,
    held: boolean,
  ): Promise<ProjectState> {
    return this.send(projectId, () =>
      this.project(cycleId, projectId).executeUpdate(holdProjectMailUpdate, {
        args: [{ reminderId, held, ...this.credentialFor(cycleId, { kind: 'secretariat' }) }],
      }),
    );
  }

  private project(cycleId: string, projectId: string) {
    return this.client.workflow.getHandle(projectWorkflowId(cycleId, projectId));
  }

  private async send<T>(projectId: string, call: () => Promise<T>): Promise<T> {
    assertIdentifier('project', projectId);
    try {
      return await unwrapRejection(call());
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      throw new RejectionError({
        code: 'UNKNOWN_NOMINATION',
        field: 'project',
        rule: 'project',
        message: `没有进行中的立项项目 ${projectId}（未立项，或已验收结束）/ no open funded project ${projectId}`,
        fix: '用 kczg project status <周期> 查看立项项目 / list the funded projects with kczg project status',
      });
    }
  }
}

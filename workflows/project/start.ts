/**
 * Publication's hand-over to tracking: one project workflow per winner of a list or field with
 * deliverables, on the units' task queue, outliving the cycle (ABANDON). Winners of lists without
 * deliverables owe nothing and get none.
 */
import { ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';
import { deliverablesOf } from '../../domain/deliverables';
import type { Programme } from '../../domain/programme';
import { entityTaskQueueOf, projectWorkflowId, unitOfNomination } from '../ids';
import type { FinalWinnersEntry } from '../messages';
import { partNames, programmeRef } from '../notices';
import { projectWorkflow } from './index';
import type { ProjectInput } from './messages';

export interface TrackingStart {
  cycleId: string;
  programme: Programme;
  winners: FinalWinnersEntry[];
  publishedAt: number;
  clockOffsetMs: number;
  authPublicKey?: string;
}

/** The inputs of the projects publication starts: one per winning nomination owing deliverables. */
export function projectInputs(start: TrackingStart): ProjectInput[] {
  const { programme } = start;
  return start.winners.flatMap((entry) => {
    const deliverables = deliverablesOf(programme, entry.listId, entry.fieldId);
    if (!deliverables) return [];
    const names = partNames(programme, entry.listId, entry.fieldId);
    return entry.nominationIds.flatMap((projectId): ProjectInput[] => {
      const unit = programme.roster.units.find((u) => u.id === unitOfNomination(projectId));
      if (!unit) return [];
      return [
        {
          cycleId: start.cycleId,
          projectId,
          listId: entry.listId,
          ...(entry.fieldId === undefined ? {} : { fieldId: entry.fieldId }),
          partName: names.field ? `${names.list} · ${names.field}` : names.list,
          programme: programmeRef(programme),
          owner: {
            unitId: unit.id,
            name: unit.name,
            email: unit.email,
            ...(unit.contact ? { contact: unit.contact } : {}),
          },
          secretariat: { name: programme.secretariat.name.zh, contacts: programme.secretariat.contacts },
          deliverables,
          reminders: programme.reminders,
          publishedAt: start.publishedAt,
          clockOffsetMs: start.clockOffsetMs,
          ...(start.authPublicKey ? { authPublicKey: start.authPublicKey } : {}),
        },
      ];
    });
  });
}

/** The cycle's audit action that names the projects publication started (clients list them from it). */
export const START_PROJECTS_ACTION = 'startProjects';

/** The started projects' ids, as the audit entry's detail: "<n> projects: <id>, <id>". */
export function startedProjectsDetail(projectIds: readonly string[]): string {
  return `${projectIds.length} projects: ${projectIds.join(', ')}`;
}

/** The project ids of a cycle's audit (empty before publication or without deliverables). */
export function startedProjectsOf(audit: ReadonlyArray<{ action: string; detail: string }>): string[] {
  const entry = audit.find((e) => e.action === START_PROJECTS_ACTION);
  const ids = entry?.detail.split(': ')[1];
  return ids ? ids.split(', ') : [];
}

/** Starts every project; returns their ids. */
export async function startProjects(start: TrackingStart): Promise<string[]> {
  const inputs = projectInputs(start);
  const taskQueue = entityTaskQueueOf(workflowInfo().taskQueue);
  for (const input of inputs) {
    await startChild(projectWorkflow, {
      workflowId: projectWorkflowId(input.cycleId, input.projectId),
      taskQueue,
      args: [input],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  }
  return inputs.map((input) => input.projectId);
}

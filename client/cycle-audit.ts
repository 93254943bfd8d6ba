/**
 * The cycle's audit as one log: its own entries merged in time order with those of the projects
 * its publication started, each marked with its project id. Projects are read from their own
 * workflows (ProjectApi.cycleAudit): a closed cycle gets no signal for the tracking year.
 */
import type { AuditEntry } from '../workflows/messages';

export type CycleAuditEntry = AuditEntry & { projectId?: string };

/** The cycle's entries and each project's, in time order; on the same instant the cycle's first. */
export function mergeAudits(
  cycle: readonly AuditEntry[],
  projects: ReadonlyArray<{ projectId: string; audit: readonly AuditEntry[] }>,
): CycleAuditEntry[] {
  const marked = projects.flatMap(({ projectId, audit }) => audit.map((e) => ({ ...e, projectId })));
  // Array.prototype.sort is stable: the cycle's entries, then each project's in its own order.
  return [...cycle.map((e) => ({ ...e })), ...marked].sort((a, b) => a.at - b.at);
}

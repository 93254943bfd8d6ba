/**
 * Workflow ids and the task queue, shared by workflows, activities, worker and client.
 * Ids carry programme, year and organisation ids only: never a person's name.
 */
export const TASK_QUEUE = 'kczg';

/**
 * Cycle workflows run on a task queue of their own next to their units' (e.g. "kczg-cycles"):
 * the worker serves it with a workflow thread of its own (worker/create.ts). Cycles started
 * before this queue existed stay on the units' queue, which still serves every workflow type.
 */
export function cycleTaskQueueOf(taskQueue: string): string {
  return `${taskQueue}-cycles`;
}

export function cycleWorkflowId(programmeId: string): string {
  return `kczg:${programmeId}`;
}

export function unitWorkflowId(cycleId: string, unitId: string): string {
  return `${cycleId}:unit:${unitId}`;
}

/** The units' task queue, from a cycle's (cycles older than their own queue share it). */
export function entityTaskQueueOf(cycleTaskQueue: string): string {
  return cycleTaskQueue.endsWith('-cycles') ? cycleTaskQueue.slice(0, -'-cycles'.length) : cycleTaskQueue;
}

/** One funded project per winning nomination. */
export function projectWorkflowId(cycleId: string, nominationId: string): string {
  return `${cycleId}:project:${nominationId}`;
}

export function reviewBodyWorkflowId(cycleId: string, bodyId: string): string {
  return `${cycleId}:review:${bodyId}`;
}

/** Nomination ids are `<unitId>.<sequence>`, so the owning unit workflow is found from the id. */
export function nominationId(unitId: string, sequence: number): string {
  return `${unitId}.${sequence}`;
}

export function unitOfNomination(id: string): string | undefined {
  const dot = id.lastIndexOf('.');
  return dot > 0 ? id.slice(0, dot) : undefined;
}

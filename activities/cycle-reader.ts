/**
 * Reads a cycle and its entity workflows by query: never copied into any history. Shared by the
 * activities (hand-over, publication) and the client (status, exports).
 */
import { heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { unitWorkflowId } from '../workflows/ids';
import {
  cycleSetupQuery,
  unitStateQuery,
  type CycleSetup,
  type Nomination,
  type UnitState,
} from '../workflows/messages';

/** Runs `fn` over `items`, at most `limit` at a time, heartbeating progress inside an activity. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
      done++;
      if (done % 50 === 0) heartbeatIfInActivity(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function heartbeatIfInActivity(progress: number): void {
  try {
    heartbeat(progress);
  } catch {
    // Called outside an activity (e.g. from the CLI): nothing to heartbeat.
  }
}

export class CycleReader {
  constructor(
    private readonly client: Client,
    private readonly concurrency = 32,
  ) {}

  setup(cycleId: string): Promise<CycleSetup> {
    return this.client.workflow.getHandle(cycleId).query(cycleSetupQuery);
  }

  /** Every unit's state, in unit-id order; `onRead` hears how many are read so far. */
  async unitStates(cycleId: string, onRead?: (read: number, units: number) => void): Promise<UnitState[]> {
    const { programme } = await this.setup(cycleId);
    const states: UnitState[] = [];
    await forEachConcurrently(programme.roster.units, this.concurrency, async (unit) => {
      states.push(
        await this.client.workflow.getHandle(unitWorkflowId(cycleId, unit.id)).query(unitStateQuery),
      );
      onRead?.(states.length, programme.roster.units.length);
    });
    return states.sort((a, b) => a.unitId.localeCompare(b.unitId));
  }

  async nominations(cycleId: string): Promise<Nomination[]> {
    return (await this.unitStates(cycleId)).flatMap((s) => s.nominations);
  }
}

/**
 * Reads a cycle and its entity workflows by query: never copied into any history. Shared by the
 * activities (hand-over, publication) and the client (status, exports).
 */
import { heartbeat } from '@temporalio/activity';
import { ServiceError, type Client } from '@temporalio/client';
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

/** gRPC's DEADLINE_EXCEEDED: the server's query timeout passed before a worker answered. */
const DEADLINE_EXCEEDED = 4;

function isQueryTimeout(error: unknown): boolean {
  const cause = error instanceof ServiceError ? error.cause : error;
  return (cause as { code?: unknown } | undefined)?.code === DEADLINE_EXCEEDED;
}

/**
 * `ask`, asked again when the server's query timeout passes first. At the close every unit wakes
 * at once (its deadline, its closing notice) and a unit evicted from the worker's cache is replayed
 * to answer: a query may wait its turn longer than the timeout. Asking that unit again keeps what
 * was read; failing would restart the whole reading (every unit) on the activity's retry.
 */
export async function queryPatiently<T>(ask: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask();
    } catch (error) {
      if (attempt >= attempts || !isQueryTimeout(error)) throw error;
    }
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
      const handle = this.client.workflow.getHandle(unitWorkflowId(cycleId, unit.id));
      states.push(await queryPatiently(() => handle.query(unitStateQuery)));
      onRead?.(states.length, programme.roster.units.length);
    });
    return states.sort((a, b) => a.unitId.localeCompare(b.unitId));
  }

  async nominations(cycleId: string): Promise<Nomination[]> {
    return (await this.unitStates(cycleId)).flatMap((s) => s.nominations);
  }
}

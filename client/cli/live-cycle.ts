/**
 * The running cycle behind a programme id, for templates and previews with real data; or the
 * preset when there is none.
 */
import type { Programme } from '../../domain/programme';
import type { AuditEntry, CycleStatus, UnitState } from '../../workflows/messages';
import { cycleIdOf, type Cli } from './context';

export interface LiveCycle {
  programme: Programme;
  status: CycleStatus;
  unitState: (unitId: string) => Promise<UnitState | undefined>;
  unitStates: () => Promise<UnitState[]>;
  audit: () => Promise<AuditEntry[]>;
}

/**
 * The running cycle; undefined when there is none, or no server answers within three seconds
 * (the caller then uses the preset). The connection stays open for the reads it offers.
 */
export async function liveCycle(cli: Cli, cycleId: string): Promise<LiveCycle | undefined> {
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 3_000).unref());
  const attempt = (async (): Promise<LiveCycle | undefined> => {
    const [{ connectClient }, { KczgClient }, { WorkflowNotFoundError }] = await Promise.all([
      import('../connection'),
      import('../api'),
      import('@temporalio/client'),
    ]);
    const { client } = await connectClient(cli.options);
    const api = new KczgClient(client);
    try {
      const [status, setup] = await Promise.all([api.status(cycleId), api.reader.setup(cycleId)]);
      return {
        programme: setup.programme,
        status,
        unitState: (unitId) => api.unitState(cycleId, unitId).catch(() => undefined),
        unitStates: () => api.reader.unitStates(cycleId),
        audit: () => api.audit(cycleId),
      };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  })().catch(() => undefined);
  return Promise.race([attempt, timeout]);
}

/** A preset or programme file; else the programme of the running cycle by that id. */
export async function programmeOf(cli: Cli, id: string): Promise<Programme> {
  const { loadProgramme } = await import('../../programmes/loader');
  try {
    return loadProgramme(id.replace(/^kczg:/, ''));
  } catch (error) {
    if ((error as Error).name !== 'ProgrammeFileError') throw error;
    const live = await liveCycle(cli, cycleIdOf(id));
    if (live) return live.programme;
    throw error;
  }
}

/**
 * Years recur: a Temporal Schedule that opens a programme's next year at a chosen instant. Its
 * action starts `openNextYearWorkflow` (workflows/next-year.ts) with next year's programme
 * (domain/next-year.ts: dates a year on, deadlines kept on working days), which starts the cycle
 * as `kczg:<next programme>`. One Schedule per next year: creating it again returns the one there
 * is (`created: false`). The winners registry needs no copying: cycles read every earlier year's
 * winners from storage.
 */
import {
  MONTHS,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
} from '@temporalio/client';
import { beijingToEpochMs } from '../domain/calendar';
import { nextYearProgramme } from '../domain/next-year';
import { programmeSchema, type Programme, type Stages } from '../domain/programme';
import { cycleTaskQueueOf, cycleWorkflowId } from '../workflows/ids';
import type { CycleInput } from '../workflows/messages';
import { RejectionError } from './requests';

const SCHEDULE_PREFIX = 'kczg:open:';

/** The Schedule that opens `programmeId` (next year's id, e.g. service-teams-2024). */
export function scheduleIdOf(programmeId: string): string {
  return `${SCHEDULE_PREFIX}${programmeId}`;
}

export interface OpenNextOptions {
  /** When the Schedule fires; default: when next year's collection opens. */
  at?: number;
  /** Rehearse: next year's cycle runs on programme time from here (CycleInput.startAt). */
  startAt?: number;
  authPublicKey?: string;
  outDir?: string;
}

export interface NextYearSchedule {
  scheduleId: string;
  /** Next year's programme id, and the cycle id it starts. */
  programmeId: string;
  cycleId: string;
  /** The programme it was made from. */
  from: string;
  at: number;
  /** False when the Schedule existed already (nothing changed). */
  created: boolean;
  stages?: Stages;
  notes?: string[];
  /** Firings so far (scheduled or triggered). */
  actions: number;
}

interface ScheduleMemo {
  from: string;
  programmeId: string;
  at: number;
}

/** A calendar spec for one instant (UTC fields; the Schedule fires once, at that minute). */
function onceAt(at: number) {
  const d = new Date(at);
  return {
    year: d.getUTCFullYear(),
    month: MONTHS[d.getUTCMonth()],
    dayOfMonth: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    comment: `kczg open-next ${new Date(at).toISOString()}`,
  };
}

export class ScheduleApi {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** Next year's programme as the Schedule will start it, and the notes of what moved. */
  preview(programme: Programme): { programme: Programme; notes: string[] } {
    const next = nextYearProgramme(programme);
    return { programme: programmeSchema.parse(next.programme), notes: next.notes };
  }

  async openNext(programme: Programme, options: OpenNextOptions = {}): Promise<NextYearSchedule> {
    const { programme: next, notes } = this.preview(programme);
    const at = options.at ?? beijingToEpochMs(next.stages.collection.opens);
    const scheduleId = scheduleIdOf(next.id);
    const input: CycleInput = {
      programme: next,
      ...(options.startAt === undefined ? {} : { startAt: options.startAt }),
      ...(options.outDir ? { outDir: options.outDir } : {}),
      ...(options.authPublicKey ? { authPublicKey: options.authPublicKey } : {}),
    };
    const memo: ScheduleMemo = { from: programme.id, programmeId: next.id, at };
    try {
      await this.client.schedule.create({
        scheduleId,
        spec: { calendars: [onceAt(at)] },
        action: {
          type: 'startWorkflow',
          workflowType: 'openNextYearWorkflow',
          workflowId: scheduleId,
          taskQueue: cycleTaskQueueOf(this.taskQueue),
          args: [input],
        },
        // A worker or server down at the hour still opens the year when back (within 30 days);
        // a second firing finds the cycle started and leaves it.
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '30 days' },
        state: { remainingActions: 1, note: `${programme.id} → ${next.id}` },
        memo: { ...memo },
      });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      return { ...(await this.describe(next.id)), created: false };
    }
    return { ...this.summary(scheduleId, memo, 0), created: true, stages: next.stages, notes };
  }

  async describe(programmeId: string): Promise<NextYearSchedule> {
    const scheduleId = scheduleIdOf(programmeId);
    const description = await this.handle(programmeId, (h) => h.describe());
    return {
      ...this.summary(scheduleId, description.memo as unknown as ScheduleMemo, actionsOf(description)),
      created: false,
    };
  }

  /** Every next-year Schedule (visibility may lag a freshly created one by a moment). */
  async list(): Promise<NextYearSchedule[]> {
    const found: NextYearSchedule[] = [];
    for await (const summary of this.client.schedule.list()) {
      if (!summary.scheduleId.startsWith(SCHEDULE_PREFIX)) continue;
      const memo = summary.memo as unknown as ScheduleMemo | undefined;
      if (!memo) continue;
      found.push({
        ...this.summary(summary.scheduleId, memo, summary.info.recentActions.length),
        created: false,
      });
    }
    return found.sort((a, b) => a.at - b.at);
  }

  /** Fires now (the year opens at once); the Schedule's own time still comes and finds it open. */
  async trigger(programmeId: string): Promise<NextYearSchedule> {
    await this.handle(programmeId, (h) => h.trigger(ScheduleOverlapPolicy.ALLOW_ALL));
    return this.describe(programmeId);
  }

  async remove(programmeId: string): Promise<{ scheduleId: string; deleted: true }> {
    await this.handle(programmeId, (h) => h.delete());
    return { scheduleId: scheduleIdOf(programmeId), deleted: true };
  }

  private summary(
    scheduleId: string,
    memo: ScheduleMemo,
    actions: number,
  ): Omit<NextYearSchedule, 'created'> {
    return {
      scheduleId,
      programmeId: memo.programmeId,
      cycleId: cycleWorkflowId(memo.programmeId),
      from: memo.from,
      at: memo.at,
      actions,
    };
  }

  private async handle<T>(
    programmeId: string,
    call: (handle: ReturnType<Client['schedule']['getHandle']>) => Promise<T>,
  ): Promise<T> {
    try {
      return await call(this.client.schedule.getHandle(scheduleIdOf(programmeId)));
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
      throw new RejectionError({
        code: 'INVALID',
        field: 'programme',
        rule: 'schedule',
        message: `没有开启 ${programmeId} 的计划 / no Schedule opens ${programmeId}`,
        fix: 'kczg schedule list',
      });
    }
  }
}

function actionsOf(description: ScheduleDescription): number {
  return description.info.numActionsTaken;
}

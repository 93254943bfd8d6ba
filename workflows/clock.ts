/**
 * The programme clock. A cycle runs on programme time: real time, or a rehearsal's shifted time
 * (CycleInput.startAt). Every deadline comparison in workflow code goes through here so that
 * rehearsals and live cycles share one code path.
 */
import { condition } from '@temporalio/workflow';

export class ProgrammeClock {
  constructor(readonly offsetMs: number) {}

  /** Programme time now: the workflow clock (deterministic) plus the rehearsal offset. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /**
   * Waits until `wake()` holds or programme time reaches `at`, whichever is first.
   * Returns true when woken by the condition.
   */
  async waitUntil(at: number | undefined, wake: () => boolean): Promise<boolean> {
    if (at === undefined) {
      await condition(wake);
      return true;
    }
    const remaining = at - this.now();
    if (remaining <= 0) return wake();
    return condition(wake, remaining);
  }
}

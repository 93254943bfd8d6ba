/**
 * "The plan changed, wait again": a workflow's timeline loop sleeps until its next event, and
 * wakes early when anything it planned from changes (a deadline moved, a pause, a hold, a
 * finish). Handlers call `changed()`; the loop re-plans whenever `sleepUntil` returns true.
 */
import type { ProgrammeClock } from './clock';

export class PlanChanges {
  private version = 0;

  constructor(private readonly clock: ProgrammeClock) {}

  /** Something the plan depends on changed: a sleeping loop wakes and plans again. */
  changed(): void {
    this.version++;
  }

  /**
   * Sleeps until programme time `at` (without `at`, until woken), the plan changes or `wake()`
   * holds. Returns true when woken early.
   */
  sleepUntil(at: number | undefined, wake: () => boolean = () => false): Promise<boolean> {
    const seen = this.version;
    return this.clock.waitUntil(at, () => this.version !== seen || wake());
  }
}

/**
 * Progress of a fan-out (the hand-over to review, the mail-holds broadcast) for `cycle status`:
 * reported to the cycle by signal when it asks for them, at most every PROGRESS_EVERY_MS and at
 * the end of each step. Display only: a failed report fails nothing.
 */
import type { Client } from '@temporalio/client';
import { fanOutProgressSignal, type FanOutProgressReport } from '../workflows/messages';

/** How often a fan-out tells its cycle how far it has got (each report is a signal in the cycle's history). */
const PROGRESS_EVERY_MS = 2_000;

export function progressTo(
  client: Client,
  cycleId: string,
  kind: FanOutProgressReport['kind'],
  wanted?: boolean,
) {
  let lastSentAt = 0;
  let sending = Promise.resolve();
  return {
    update(step: FanOutProgressReport['step'], done: number, total: number): void {
      const now = Date.now();
      if (!wanted || (done < total && now - lastSentAt < PROGRESS_EVERY_MS)) return;
      lastSentAt = now;
      sending = sending
        .then(() =>
          client.workflow.getHandle(cycleId).signal(fanOutProgressSignal, { kind, step, done, total }),
        )
        .catch(() => undefined);
    },
    /** Every report sent (in order). */
    sent: () => sending,
  };
}

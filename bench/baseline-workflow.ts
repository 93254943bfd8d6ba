/**
 * The intake benchmark's baseline: the cheapest workflow that can take a Workflow Update. Its
 * update handler does nothing, it keeps no state and it waits until told to stop. The benchmark
 * sends it the same requests kczg's units get, so the gap between the two is kczg's own cost
 * (validation, quota, eligibility, state, results) over Temporal's floor on the same machine.
 *
 * NOT part of the production bundle (workflows/index.ts): the benchmark bundles this file on its
 * own and runs it on its own worker and task queue (bench/worker-process.ts).
 */
import { condition, defineQuery, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export const BASELINE_TASK_QUEUE = 'kczg-bench-baseline';

/** Takes whatever a nomination would carry and returns nothing. */
export const noopUpdate = defineUpdate<null, [unknown]>('noop');
export const stopSignal = defineSignal('stop');
/** The trivial read the cycle's status query is compared with. */
export const stateQuery = defineQuery<{ stopped: boolean }>('state');

export async function baselineWorkflow(): Promise<void> {
  let stopped = false;
  setHandler(noopUpdate, () => null);
  setHandler(stateQuery, () => ({ stopped }));
  setHandler(stopSignal, () => {
    stopped = true;
  });
  await condition(() => stopped);
}

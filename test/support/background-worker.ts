/** A test stack's worker polling in the background while the tests of a file run. */
import type { Stack } from '../../servers/stack';

export interface BackgroundWorker {
  /** Stops the worker and waits for it (never rejects). */
  stop(): Promise<void>;
}

export function workerInBackground(stack: Stack): BackgroundWorker {
  let release: () => void = () => undefined;
  const done = stack.withWorker(
    () =>
      new Promise<void>((resolve) => {
        release = resolve;
      }),
  );
  return {
    async stop() {
      release();
      await done.catch(() => undefined);
    },
  };
}

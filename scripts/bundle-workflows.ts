/**
 * Bundles the workflows once for production (`npm run build`): workers load the bundle instead of
 * running webpack at every start.
 */
import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { DEFAULT_BUNDLE_PATH } from '../worker/create';

export async function bundleWorkflows(target: string): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: quietLogger,
  });
  await writeFile(target, code);
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

if (require.main === module) {
  bundleWorkflows(DEFAULT_BUNDLE_PATH).then(
    () => console.log(`workflow bundle → ${DEFAULT_BUNDLE_PATH}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/**
 * Bundles the workflows once for production (`npm run build`): workers load the bundle instead of
 * running webpack at every start.
 *
 * The SDK's reusable V8 context evaluates a bundle's modules once per workflow, so every cached
 * workflow held its own copy of kczg's rules and of luxon. The bundle now names those modules as
 * `preloadModules`: evaluated once per workflow thread, frozen, and shared by every workflow. Only
 * modules with no Temporal import and no per-workflow state qualify: `domain/` is that by design
 * (pure rules, table-tested without Temporal), and luxon, which it imports, keeps only caches
 * keyed by zone and locale.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { DEFAULT_BUNDLE_PATH } from '../worker/create';

const WORKFLOWS = require.resolve('../workflows');
const DOMAIN_DIR = path.resolve(__dirname, '..', 'domain');

/**
 * The shared modules of a bundle: its `domain/` modules, found by webpack's module markers so that
 * a rule the workflows do not import is never pulled in. What they import is shared with them
 * (luxon, through domain/calendar); naming luxon itself would not do: its package declares no
 * side effects, so webpack drops a preload `require` whose result goes unused.
 */
export function sharedModulesOf(code: string): string[] {
  // Built code bundles dist/domain/*.js; the test set-up bundles the TypeScript sources.
  const domain = [...code.matchAll(/^\/\*\*\*\/ "[^"]*\/domain\/([\w-]+\.[jt]s)"/gm)].map((m) =>
    path.join(DOMAIN_DIR, m[1]),
  );
  return [...new Set(domain)].sort();
}

/** The workflow bundle's code, kczg's shared modules preloaded (plus `extraPreload`, for experiments). */
export async function workflowBundleCode(extraPreload: string[] = []): Promise<string> {
  const plain = await bundleWorkflowCode({ workflowsPath: WORKFLOWS, logger: quietLogger });
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS,
    preloadModules: [...sharedModulesOf(plain.code), ...extraPreload],
    logger: quietLogger,
  });
  return code;
}

export async function bundleWorkflows(target: string, extraPreload: string[] = []): Promise<void> {
  await writeFile(target, await workflowBundleCode(extraPreload));
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

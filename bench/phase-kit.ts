/**
 * What the phases share: the context run.ts gives them, a fresh kczg stack per phase, nominating
 * with refusals counted, waiting for mail to settle, progress lines.
 */
import path from 'node:path';
import { RejectionError, type KczgClient } from '../client/api';
import type { Log } from '../servers/provision';
import type { BenchNomination } from './programme';
import { startBenchStack, type BenchStack, type BenchWorker } from './stack';
import { round, sleep } from './stats';

export interface PhaseContext {
  workDir: string;
  /** The kczg workers' workflow bundle: the production one, or a --preload variant. */
  kczgBundlePath: string;
  /** Experiment: the kczg workers' workflow cache size (default: the SDK's). */
  maxCachedWorkflows?: number;
  log: Log;
  workerExecArgv: (phase: string) => string[];
}

/**
 * Runs `phase` on a fresh stack with a kczg worker that mails through the loopback outbox, in
 * <workDir>/<dataDir>, its worker started with the flags for `profile`; shuts the stack down
 * afterwards, also after a failure.
 */
export async function withKczgStack<T>(
  ctx: PhaseContext,
  names: { dataDir: string; profile: string },
  phase: (stack: BenchStack, worker: BenchWorker, dataDir: string) => Promise<T>,
): Promise<T> {
  const dataDir = path.join(ctx.workDir, names.dataDir);
  const stack = await startBenchStack({
    dataDir,
    smtp: true,
    log: ctx.log,
    workerExecArgv: ctx.workerExecArgv(names.profile),
  });
  try {
    const worker = await stack.startWorker({
      kind: 'kczg',
      taskQueue: 'kczg',
      bundlePath: ctx.kczgBundlePath,
      maxCachedWorkflows: ctx.maxCachedWorkflows,
      dataDir,
      smtpUrl: stack.smtp?.url,
    });
    return await phase(stack, worker, dataDir);
  } finally {
    await stack.shutdown();
  }
}

/**
 * drive() options that nominate each item through kczg, counting refusals by code in `rejected`;
 * a refusal is the service's answer, not a failure to retry.
 */
export function nominateCountingRefusals(api: KczgClient, cycleId: string, rejected: Record<string, number>) {
  return {
    call: async ({ unitId, request }: BenchNomination) => {
      try {
        await api.nominate(cycleId, unitId, request);
      } catch (error) {
        if (error instanceof RejectionError)
          rejected[error.rejection.code] = (rejected[error.rejection.code] ?? 0) + 1;
        throw error;
      }
    },
    isFinal: (error: unknown) => error instanceof RejectionError,
  };
}

/** Waits until the outbox stops growing for `quietMs` (and holds at least `atLeast` messages). */
export async function waitForMailToSettle(
  stack: BenchStack,
  atLeast: number,
  log: Log,
  quietMs = 5_000,
  capMs = 20 * 60_000,
): Promise<number> {
  const started = Date.now();
  let last = -1;
  let lastChange = Date.now();
  let lastLog = Date.now();
  for (;;) {
    const count = stack.outboxCount();
    if (count !== last) {
      last = count;
      lastChange = Date.now();
    }
    if (count >= atLeast && Date.now() - lastChange >= quietMs) return count;
    if (Date.now() - started > capMs) {
      log(`  mail still flowing after ${capMs / 1000} s (${count} messages); going on`);
      return count;
    }
    if (Date.now() - lastLog > 15_000) {
      log(`  … ${count} messages in the outbox`);
      lastLog = Date.now();
    }
    await sleep(500);
  }
}

export const progressLog = (log: Log, what: string, total: number) => (done: number, elapsedMs: number) =>
  log(`  ${what}: ${done}/${total} (${round(done / (elapsedMs / 1000))}/s)`);

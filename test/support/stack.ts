/**
 * Test harness: the embedded stack (real Temporal server, real loopback SMTP, real worker) in a
 * fresh temp folder, with the workflow bundle built once by the global setup.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KczgClient } from '../../client/api';
import { codecKeysConfigured } from '../../codec/keys';
import { startStack, type Stack, type StackOptions } from '../../servers/stack';

export interface TestStack extends Stack {
  api: KczgClient;
  /** Programme time now, for a cycle with the given clock offset. */
  programmeNow(clockOffsetMs: number): Promise<number>;
  /** Skips (time-skipping) or waits (dev server) until programme time reaches `at`. */
  sleepUntil(at: number, clockOffsetMs: number): Promise<void>;
}

export async function startTestStack(
  mode: StackOptions['mode'],
  extra: Partial<StackOptions> = {},
): Promise<TestStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-test-'));
  const stack = await startStack({
    mode,
    dataDir,
    workflowBundlePath: process.env.KCZG_WORKFLOW_BUNDLE,
    // Payloads are encrypted: with KCZG_CODEC_KEYS when the run sets it, else with an ephemeral
    // key. Dev-server stacks are also driven by spawned `kczg` processes (test/e2e), which see only
    // the real environment (Jest's process.env is a per-file copy) and so could not read what an
    // ephemeral key wrote: there, without KCZG_CODEC_KEYS, the stack runs unencrypted.
    ...(mode === 'dev' && !codecKeysConfigured(process.env) ? { codec: 'none' as const } : {}),
    ...extra,
  });
  const programmeNow = async (offset: number) => (await stack.env.currentTimeMs()) + offset;
  return {
    ...stack,
    api: new KczgClient(stack.env.client),
    programmeNow,
    async sleepUntil(at, offset) {
      const remaining = at - (await programmeNow(offset));
      if (remaining > 0) await stack.env.sleep(remaining);
    },
  };
}

export function outboxFiles(stack: Stack): string[] {
  return fs.existsSync(stack.outboxDir)
    ? fs
        .readdirSync(stack.outboxDir)
        .filter((f) => f.endsWith('.eml'))
        .sort()
    : [];
}

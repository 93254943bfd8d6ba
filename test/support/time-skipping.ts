/**
 * The shared time-skipping kit for workflow tests: the embedded stack on the time-skipping server
 * with its worker running for the whole file, the loopback outbox read by business key, and
 * `eventually` for what arrives asynchronously. Every file that drives cycles on the
 * time-skipping server uses it, so the stack starts and stops one way.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { messageIdFor } from '../../activities/mail';
import { RejectionError } from '../../client/api';
import type { Rejection } from '../../domain/rejections';
import { startTestStack, type TestStack } from './stack';

/** The Message-ID domain the test stack's mail activity uses. */
export const MESSAGE_ID_DOMAIN = 'kczg.example.org';

export interface Delivered {
  file: string;
  raw: string;
  mail: ParsedMail;
}

/** The outbox of a stack, parsed once per file (it only grows), read by business key. */
export class Outbox {
  private readonly parsed = new Map<string, Delivered>();
  constructor(private readonly dir: string) {}

  async all(): Promise<Delivered[]> {
    const files = (await readdir(this.dir)).filter((f) => f.endsWith('.eml') && !f.startsWith('.'));
    for (const file of files) {
      if (this.parsed.has(file)) continue;
      const raw = await readFile(join(this.dir, file), 'utf8');
      this.parsed.set(file, { file, raw, mail: await simpleParser(raw) });
    }
    return [...this.parsed.values()];
  }

  /** Every delivery of the message sent under this business key (its Message-ID). */
  async deliveriesOf(businessKey: string): Promise<Delivered[]> {
    const id = messageIdFor(businessKey, MESSAGE_ID_DOMAIN);
    return (await this.all()).filter((d) => d.mail.messageId === id);
  }

  /** The parsed messages sent under this business key. */
  async mailsOf(businessKey: string): Promise<ParsedMail[]> {
    return (await this.deliveriesOf(businessKey)).map((d) => d.mail);
  }
}

/**
 * Polls `probe` until it returns a value. With `skip`, each round also lets that much programme
 * time pass (a retry's backoff timer fires without waiting for it in real time).
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { skip?: () => Promise<void>; timeoutMs?: number } = {},
): Promise<T> {
  const giveUpAt = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await options.skip?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface TimeSkippingKit {
  stack: TestStack;
  outbox: Outbox;
}

/**
 * Starts the time-skipping stack before the file's tests and stops it after them; its worker
 * runs throughout, or (`runWorker: false`) only inside each test's `stack.withWorker`. Returns a
 * holder filled in by `beforeAll`.
 */
export function useTimeSkippingStack(options: { runWorker?: boolean } = {}): TimeSkippingKit {
  const kit = {} as TimeSkippingKit;
  let running: Promise<void> | undefined;
  beforeAll(async () => {
    kit.stack = await startTestStack('time-skipping');
    kit.outbox = new Outbox(kit.stack.outboxDir);
    if (options.runWorker !== false) running = kit.stack.worker.run();
  });
  afterAll(async () => {
    if (running) {
      kit.stack.worker.shutdown();
      await running;
    }
    await kit.stack?.shutdown();
  });
  return kit;
}

/** The rejection a call ends in; fails when the call is accepted. */
export async function rejectionOf(call: Promise<unknown>): Promise<Rejection> {
  try {
    await call;
  } catch (error) {
    if (error instanceof RejectionError) return error.rejection;
    throw error;
  }
  throw new Error('expected a rejection, but the call was accepted');
}

/** Cancels a cycle and waits for it to close, so no activity is in flight when the worker stops. */
export async function finishCycle(stack: TestStack, cycleId: string): Promise<void> {
  await stack.api.cancel(cycleId, '测试结束 / test over');
  expect(await stack.api.cycle(cycleId).result()).toMatchObject({ stage: 'cancelled' });
}

/**
 * The embedded default: a real Temporal server (time-skipping test server or CLI dev server), a
 * real SMTP server on loopback writing an outbox, and a worker, in one process tree that stops
 * cleanly. `kczg rehearse`, `kczg dev`, the tests and the benchmarks all start it from here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createKczgWorker, registerSearchAttributes } from '../worker/create';
import { searchAttributeKeys } from '../workflows/search-attributes';
import { ensureDevServer, ensureTestServer, type Log } from './provision';
import { startOutboxSmtpServer, type OutboxSmtpServer } from './smtp-outbox';

export interface StackOptions {
  mode: 'time-skipping' | 'dev';
  /** Registry, published lists, mail ledger and outbox live here. */
  dataDir: string;
  /** Dev server only: persist to this SQLite file (default in memory). */
  dbFile?: string;
  /** Dev server only: serve the Web UI on this port. */
  uiPort?: number;
  port?: number;
  workflowBundlePath?: string;
  log?: Log;
}

export interface Stack {
  env: TestWorkflowEnvironment;
  smtp: OutboxSmtpServer;
  worker: Worker;
  outboxDir: string;
  dataDir: string;
  /** Runs `fn` while the worker polls; the worker stops when it settles. */
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  shutdown(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => undefined);
  const outboxDir = path.join(options.dataDir, 'outbox');
  fs.mkdirSync(outboxDir, { recursive: true });
  const env =
    options.mode === 'time-skipping'
      ? await TestWorkflowEnvironment.createTimeSkipping({
          server: { executable: (await ensureTestServer(log)).executable, port: options.port },
        })
      : await TestWorkflowEnvironment.createLocal({
          server: {
            executable: (await ensureDevServer(log)).executable,
            dbFilename: options.dbFile,
            port: options.port,
            ui: options.uiPort !== undefined,
            uiPort: options.uiPort,
            searchAttributes: searchAttributeKeys,
          },
        });
  const smtp = await startOutboxSmtpServer({ outboxDir });
  try {
    if (options.mode === 'time-skipping') await registerSearchAttributes(env.connection, env.namespace);
    const worker = await createKczgWorker({
      connection: env.nativeConnection,
      client: env.client,
      namespace: env.namespace,
      dataDir: options.dataDir,
      mail: {
        smtpUrl: smtp.url,
        from: '"科创中国 秘书处 kczg" <noreply@kczg.example.org>',
        ledgerDir: path.join(options.dataDir, 'mail-ledger'),
        messageIdDomain: 'kczg.example.org',
      },
      workflowBundlePath: options.workflowBundlePath,
    });
    return {
      env,
      smtp,
      worker,
      outboxDir,
      dataDir: options.dataDir,
      withWorker: (fn) => worker.runUntil(fn),
      async shutdown() {
        await smtp.close();
        await env.teardown();
      },
    };
  } catch (error) {
    await smtp.close();
    await env.teardown();
    throw error;
  }
}

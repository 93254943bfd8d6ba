/**
 * The embedded default: a real Temporal server (time-skipping test server or CLI dev server), a
 * real SMTP server on loopback writing an outbox, and a worker, in one process tree that stops
 * cleanly. `kczg rehearse`, `kczg dev`, the tests and the benchmarks all start it from here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { KczgWorker } from '../worker/create';
import type { AesGcmCodec } from '../codec/aes-gcm-codec';
import { startCodecServer, type CodecServer } from '../codec/codec-server';
import type { DataConverter } from '@temporalio/common';
import { dataConverterFor, resolveEmbeddedCodec } from '../codec/data-converter';
import { openStorage, type Storage } from '../storage';
import { createKczgWorker } from '../worker/create';
import { registerSearchAttributes } from '../worker/setup';
import { searchAttributeKeys } from '../workflows/search-attributes';
import { ensureDevServer, ensureTestServer, type Log } from './provision';
import { startOutboxSmtpServer, type OutboxSmtpServer } from './smtp-outbox';

export interface StackOptions {
  mode: 'time-skipping' | 'dev';
  /** The embedded records (mail ledger, winners), published lists and outbox live here. */
  dataDir: string;
  /** Dev server only: persist to this SQLite file (default in memory). */
  dbFile?: string;
  /** Dev server only: serve the Web UI on this port. */
  uiPort?: number;
  port?: number;
  workflowBundlePath?: string;
  log?: Log;
  /**
   * Payload encryption for the client and the worker. Default: the KCZG_CODEC_KEYS keys, else an
   * ephemeral key for this run (logged). `'none'` runs unencrypted: control runs in tests only.
   */
  codec?: AesGcmCodec | 'none';
  /**
   * Serve the codec endpoint on this loopback port (0: any free port) and, with the dev server's
   * Web UI, point the UI at it (`--ui-codec-endpoint`), so the UI shows decrypted payloads.
   */
  codecServerPort?: number;
}

export interface Stack {
  env: TestWorkflowEnvironment;
  smtp: OutboxSmtpServer;
  worker: KczgWorker;
  /** kczg's records and files, open while the stack runs. */
  storage: Storage;
  outboxDir: string;
  dataDir: string;
  /** The payload codec in use; undefined when the stack runs unencrypted (`codec: 'none'`). */
  codec?: AesGcmCodec;
  /** The codec endpoint, when `codecServerPort` was given. */
  codecServer?: CodecServer;
  /** Runs `fn` while the worker polls; the worker stops when it settles. */
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  shutdown(): Promise<void>;
}

/**
 * The SDK gives a server five seconds to open its port; on a busy two-core machine the JVM test
 * server can take longer. Such a start is retried (a fresh port each time), other errors are not.
 */
async function withStartRetries<T>(log: Log, start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      const slow = /did not start within/.test(String((error as Error)?.message));
      if (!slow || attempt >= attempts) throw error;
      log(`服务器启动较慢，重试 / the server was slow to start, retrying (${attempt}/${attempts - 1})`);
    }
  }
}

/** The Temporal server of the stack's mode, with a client using `dataConverter`. */
async function startServer(
  options: StackOptions,
  log: Log,
  dataConverter: DataConverter | undefined,
  codecServer: CodecServer | undefined,
): Promise<TestWorkflowEnvironment> {
  return options.mode === 'time-skipping'
    ? await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: (await ensureTestServer(log)).executable, port: options.port },
        client: { dataConverter },
      })
    : await TestWorkflowEnvironment.createLocal({
        server: {
          executable: (await ensureDevServer(log)).executable,
          dbFilename: options.dbFile,
          port: options.port,
          ui: options.uiPort !== undefined,
          uiPort: options.uiPort,
          searchAttributes: searchAttributeKeys,
          ...(codecServer && options.uiPort !== undefined
            ? { extraArgs: ['--ui-codec-endpoint', codecServer.url] }
            : {}),
        },
        client: { dataConverter },
      });
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => undefined);
  const outboxDir = path.join(options.dataDir, 'outbox');
  fs.mkdirSync(outboxDir, { recursive: true });
  const codec =
    options.codec === 'none' ? undefined : (options.codec ?? resolveEmbeddedCodec(process.env, log));
  if (!codec) log('载荷未加密 / payloads are NOT encrypted (codec: none)');
  const dataConverter = codec && dataConverterFor(codec);
  const uiOrigins =
    options.uiPort !== undefined
      ? [`http://localhost:${options.uiPort}`, `http://127.0.0.1:${options.uiPort}`]
      : [];
  const codecServer =
    codec && options.codecServerPort !== undefined
      ? await startCodecServer({
          codec,
          port: options.codecServerPort,
          host: '127.0.0.1',
          token: null,
          corsOrigins: uiOrigins,
          log,
        })
      : undefined;
  let env: TestWorkflowEnvironment;
  try {
    env = await withStartRetries(log, () => startServer(options, log, dataConverter, codecServer));
  } catch (error) {
    await codecServer?.close();
    throw error;
  }
  const smtp = await startOutboxSmtpServer({ outboxDir });
  let storage: Storage | undefined;
  try {
    storage = await openStorage({ dataDir: options.dataDir });
    if (options.mode === 'time-skipping') await registerSearchAttributes(env.connection, env.namespace);
    const worker = await createKczgWorker({
      connection: env.nativeConnection,
      client: env.client,
      namespace: env.namespace,
      dataDir: options.dataDir,
      storage,
      mail: {
        smtpUrl: smtp.url,
        from: '"科创中国 秘书处 kczg" <noreply@kczg.example.org>',
        messageIdDomain: 'kczg.example.org',
      },
      workflowBundlePath: options.workflowBundlePath,
      codec: codec ?? 'none',
    });
    return {
      env,
      smtp,
      worker,
      storage,
      outboxDir,
      dataDir: options.dataDir,
      codec,
      codecServer,
      withWorker: (fn) => worker.runUntil(fn),
      async shutdown() {
        await smtp.close();
        await storage?.close();
        await env.teardown();
        await codecServer?.close();
      },
    };
  } catch (error) {
    await smtp.close();
    await storage?.close();
    await env.teardown();
    await codecServer?.close();
    throw error;
  }
}

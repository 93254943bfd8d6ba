/**
 * Wires the workflow bundle and the activities to the task queue. Used by `kczg worker`, the
 * embedded stacks (`kczg dev`, `kczg rehearse`) and the tests alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { TypedSearchAttributes } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { status } from '@grpc/grpc-js';
import { createActivities } from '../activities';
import { dataConverterFor, resolveCodecChoice, type CodecChoice } from '../codec/data-converter';
import type { MailDeps } from '../activities/mail';
import { WinnersRegistry } from '../activities/registry';
import { TASK_QUEUE } from '../workflows/ids';
import { searchAttributeKeys } from '../workflows/search-attributes';

export interface KczgWorkerOptions {
  connection: NativeConnection;
  client: Client;
  namespace?: string;
  taskQueue?: string;
  /** Registry and default publication folder live here. */
  dataDir: string;
  mail: MailDeps;
  /** A prebuilt workflow bundle; default: dist/workflow-bundle.js when built, else the sources. */
  workflowBundlePath?: string;
  url?: string;
  maxConcurrentActivityTaskExecutions?: number;
  /**
   * Payload encryption; give `client` the same. Default: the KCZG_CODEC_KEYS codec, or unencrypted
   * with a warning printed once. `'none'`: unencrypted, deliberately.
   */
  codec?: CodecChoice;
}

/** The production bundle written by `npm run build` (scripts/bundle-workflows.ts). */
export const DEFAULT_BUNDLE_PATH = path.resolve(__dirname, '..', 'workflow-bundle.js');

function workflowSource(bundlePath?: string): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const codePath = bundlePath ?? (fs.existsSync(DEFAULT_BUNDLE_PATH) ? DEFAULT_BUNDLE_PATH : undefined);
  if (codePath) return { workflowBundle: { codePath } };
  return { workflowsPath: require.resolve('../workflows') };
}

export async function createKczgWorker(options: KczgWorkerOptions): Promise<Worker> {
  const taskQueue = options.taskQueue ?? TASK_QUEUE;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue,
    dataConverter: dataConverterFor(resolveCodecChoice(options.codec)),
    ...workflowSource(options.workflowBundlePath),
    activities: createActivities({
      client: options.client,
      taskQueue,
      mail: options.mail,
      registry: new WinnersRegistry(path.join(options.dataDir, 'registry', 'winners.json')),
      outDir: path.join(options.dataDir, 'published'),
      url: options.url,
    }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 50,
    // Fan-out activities query workflows, which a stopping worker no longer serves: bound the wait.
    shutdownGraceTime: '5 seconds',
    shutdownForceTime: '20 seconds',
  });
}

/**
 * Registers kczg's search attributes on the namespace (idempotent). On Temporal Cloud this needs
 * the namespace admin; there a failure is reported, and the attributes are added in the UI instead.
 */
export async function registerSearchAttributes(connection: Connection, namespace = 'default'): Promise<void> {
  const wanted = Object.fromEntries(
    searchAttributeKeys.map((key) => [
      key.name,
      temporal.api.enums.v1.IndexedValueType[
        `INDEXED_VALUE_TYPE_${TypedSearchAttributes.toMetadataType(key.type).toUpperCase()}` as keyof typeof temporal.api.enums.v1.IndexedValueType
      ],
    ]),
  );
  let missing = wanted;
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    missing = Object.fromEntries(
      Object.entries(wanted).filter(([name]) => !(name in (existing.customAttributes ?? {}))),
    );
  } catch (error) {
    // The time-skipping test server cannot list them, but can add them.
    if ((error as { code?: number }).code !== status.UNIMPLEMENTED) throw error;
  }
  if (Object.keys(missing).length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing as never });
  } catch (error) {
    if ((error as { code?: number }).code !== status.ALREADY_EXISTS) throw error;
  }
}

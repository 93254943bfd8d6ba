/**
 * `kczg serve`: the portal (HTTP API and pages) alone, against the Temporal the connection
 * settings name (envconfig). `kczg dev` starts the same portal beside its worker.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import type { KczgClient } from '../api';
import type { Storage } from '../../storage';
import type { AttachmentStore } from '../../storage/attachments';
import type { FileStore } from '../../storage/files';
import type { Logger } from '../../logging/logger';
import type { PortalConfig } from '../../portal/config';
import type { Records } from '../../storage/schema';
import type { Stack } from '../../servers/stack';
import { examples, InputError, untilStopped, type Cli } from './context';

export interface RunningPortal {
  url: string;
  close(): Promise<void>;
}

/**
 * Uploads need the workers' payload keys (attachments are encrypted with them): without
 * KCZG_CODEC_KEYS the portal runs, and its upload routes say it has no attachment store.
 */
async function attachmentStoreOf(
  env: NodeJS.ProcessEnv,
  storage: Pick<Storage, 'records' | 'files'>,
): Promise<AttachmentStore | undefined> {
  const [{ AttachmentStore }, { keyringFromEnv }] = await Promise.all([
    import('../../storage/attachments'),
    import('../../codec/keys'),
  ]);
  const keyring = keyringFromEnv(env);
  return keyring && new AttachmentStore(storage.records.db, storage.files, keyring);
}

/** The portal's settings from the environment, refused before anything connects. */
async function configFrom(
  env: NodeJS.ProcessEnv,
  files: FileStore,
  attachments?: AttachmentStore,
): Promise<PortalConfig> {
  const { portalConfigFromEnv } = await import('../../portal/config');
  try {
    return portalConfigFromEnv(env, files, attachments);
  } catch (error) {
    throw new InputError({
      code: 'INVALID',
      field: 'KCZG_PORTAL_SECRET',
      rule: 'required',
      message: (error as Error).message,
      fix: 'export KCZG_PORTAL_SECRET=$(openssl rand -hex 32)',
    });
  }
}

/** Builds the portal and listens on host:port. */
async function startPortal(args: {
  api: KczgClient;
  config: PortalConfig;
  host: string;
  port: number;
  log: Logger;
  /** For drafts and API tokens; without them those routes refuse and name the fix. */
  records?: Records;
}): Promise<RunningPortal> {
  const { buildPortal } = await import('../../portal/server');
  const app = await buildPortal({
    api: args.api,
    config: args.config,
    logger: args.log,
    ...(args.records ? { records: args.records } : {}),
  });
  const address = await app.listen({ host: args.host, port: args.port });
  return { url: address, close: () => app.close() };
}

/**
 * The portal beside `kczg dev`: a session secret of its own per run unless KCZG_PORTAL_SECRET is
 * set (after a restart, sign in again), published files from the stack's store, links pointing
 * at it. A port already taken leaves the rest of the dev stack running and says so.
 */
export async function startDevPortal(args: {
  stack: Stack;
  port: number;
  log: Logger;
}): Promise<{ note: string; close?: () => Promise<void> }> {
  const env = {
    ...process.env,
    KCZG_PORTAL_SECRET: process.env.KCZG_PORTAL_SECRET ?? randomBytes(32).toString('hex'),
    KCZG_PORTAL_URL: process.env.KCZG_PORTAL_URL ?? `http://127.0.0.1:${args.port}`,
  };
  const { KczgClient } = await import('../api');
  try {
    const portal = await startPortal({
      api: new KczgClient(args.stack.env.client),
      config: await configFrom(
        env,
        args.stack.storage.files,
        await attachmentStoreOf(env, args.stack.storage),
      ),
      host: '127.0.0.1',
      port: args.port,
      log: args.log,
      records: args.stack.storage.records.db,
    });
    return { note: `门户 / portal ${portal.url}`, close: portal.close };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return {
      note: `门户未启动：端口 ${args.port} 已被占用 / portal not started: port ${args.port} is taken (--portal-port)`,
    };
  }
}

async function runServe(cli: Cli, opts: { port: string; host: string; dataDir: string }): Promise<void> {
  const log = await cli.log();
  const [{ connectClient }, { KczgClient }, { openStorage, fileStoreFromEnv }] = await Promise.all([
    import('../connection'),
    import('../api'),
    import('../../storage'),
  ]);
  const dataDir = path.resolve(opts.dataDir);
  // Records are opened for uploads, drafts and tokens when they can be shared (a PostgreSQL server)
  // or the payload keys say this portal stores files: an embedded database belongs to one process.
  const storage =
    process.env.KCZG_DATABASE_URL || process.env.KCZG_CODEC_KEYS ? await openStorage({ dataDir }) : undefined;
  const config = await configFrom(
    process.env,
    storage?.files ?? fileStoreFromEnv(process.env, dataDir),
    storage && (await attachmentStoreOf(process.env, storage)),
  );
  const { client, connection } = await connectClient(cli.options);
  const portal = await startPortal({
    api: new KczgClient(client),
    config,
    host: opts.host,
    port: Number(opts.port),
    log,
    ...(storage ? { records: storage.records.db } : {}),
  });
  cli.note(`kczg 门户运行中 / portal running at ${portal.url}; Ctrl-C 停止 / to stop`);
  await untilStopped();
  await portal.close();
  await connection.close();
  await storage?.close();
}

export function registerServeCommand(program: Command, cli: Cli): void {
  program
    .command('serve')
    .description('运行门户（HTTP 接口与网页）/ run the portal: HTTP API and pages')
    .option('--port <port>', '端口 / port', '8080')
    .option('--host <host>', '监听地址 / address to listen on', '127.0.0.1')
    .option(
      '--data-dir <dir>',
      '记录与文件所在（未设 KCZG_DATABASE_URL / KCZG_S3_URL 时）/ records and files, unless KCZG_DATABASE_URL / KCZG_S3_URL',
      '.kczg',
    )
    .addHelpText(
      'after',
      '\n需要 / needs KCZG_PORTAL_SECRET (≥32 chars); KCZG_PORTAL_URL for links; KCZG_AUTH_PRIVATE_KEY to mint per-write credentials; KCZG_CODEC_KEYS for uploads' +
        examples('KCZG_PORTAL_SECRET=$(openssl rand -hex 32) kczg serve --port 8080'),
    )
    .action((opts: { port: string; host: string; dataDir: string }) => runServe(cli, opts));
}

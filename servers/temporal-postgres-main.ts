/**
 * `node dist/servers/temporal-postgres-main.js --database-url postgres://… [--ip …] [--port 7233]
 * [--dir …]`: sets up the Temporal databases on a PostgreSQL server, starts a Temporal server on
 * them (see servers/temporal-postgres.ts) and keeps it running until SIGINT or SIGTERM, then stops
 * it. The machine that runs it is the cluster other machines' workers point TEMPORAL_ADDRESS at.
 */
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { cacheRoot } from './provision';
import { ensureTemporalServer } from './provision-temporal-server';
import { startTemporalOnPostgres } from './temporal-postgres';

interface Options {
  databaseUrl: string;
  ip: string;
  port: string;
  dir: string;
  namespace: string;
}

async function main(): Promise<void> {
  const options = new Command('temporal-postgres')
    .description(
      'Temporal 服务器（PostgreSQL）/ a Temporal server on PostgreSQL for kczg workers on several machines',
    )
    .requiredOption('--database-url <url>', 'PostgreSQL 地址 / postgres://user:password@host:port/postgres')
    .option('--ip <ip>', '监听并对外公布的地址 / the address to listen on and announce', '127.0.0.1')
    .option('--port <port>', '前端 gRPC 端口 / the frontend gRPC port', '7233')
    .option(
      '--dir <dir>',
      '配置与日志目录 / config and log folder',
      path.join(cacheRoot(), 'temporal-postgres'),
    )
    .option('--namespace <name>', '命名空间 / namespace to register', 'default')
    .parse()
    .opts<Options>();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const server = await startTemporalOnPostgres({
    binaries: await ensureTemporalServer(log),
    databaseUrl: options.databaseUrl,
    ip: options.ip,
    port: Number(options.port),
    dir: path.resolve(options.dir),
    namespace: options.namespace,
    log,
  });
  log(
    `TEMPORAL_ADDRESS=${server.address} TEMPORAL_NAMESPACE=${server.namespace}  (日志 / log: ${server.logFile})`,
  );
  let stopping: Promise<void> | undefined;
  const stop = () => {
    log('停止中 / stopping …');
    stopping ??= server.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await server.exited;
  if (stopping) {
    await stopping;
    return;
  }
  log(`Temporal 服务器意外退出 / the Temporal server exited; see ${server.logFile}`);
  process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}${os.EOL}`);
  process.exit(1);
});

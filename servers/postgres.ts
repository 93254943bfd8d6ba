/**
 * A throwaway PostgreSQL server for tests and rehearsals of the several-worker setup: Debian's
 * `postgresql` binaries (installed with apt-get when missing), a cluster in a temp folder owned
 * by an unprivileged user (PostgreSQL refuses to run as root), loopback only, on a free port,
 * with trust authentication. `stop()` stops the server and removes the folder.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Log } from './provision';

const run = promisify(execFile);
const POSTGRES_ROOT = '/usr/lib/postgresql';
/** The unprivileged owner of clusters started by root. */
const CLUSTER_USER = 'nobody';

export interface PostgresServer {
  /** postgres://kczg@127.0.0.1:<port>/kczg */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

/** The folder of initdb/pg_ctl: the newest /usr/lib/postgresql/<n>/bin, else where PATH has them. */
function findPostgresBin(): string | undefined {
  const versions = fs.existsSync(POSTGRES_ROOT)
    ? fs
        .readdirSync(POSTGRES_ROOT)
        .filter((v) => fs.existsSync(path.join(POSTGRES_ROOT, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) return path.join(POSTGRES_ROOT, versions[0], 'bin');
  const found = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).stdout.trim();
  return found ? path.dirname(found) : undefined;
}

/** The PostgreSQL binaries, installing Debian's `postgresql` with apt-get when missing. */
export async function ensurePostgresBinaries(log: Log = () => undefined): Promise<string> {
  const existing = findPostgresBin();
  if (existing) return existing;
  if (process.getuid?.() !== 0) {
    throw new Error(
      '未找到 PostgreSQL / PostgreSQL server binaries not found: run `sudo apt-get install -y postgresql` (or put pg_ctl on PATH)',
    );
  }
  log('安装 PostgreSQL / installing postgresql with apt-get (first time only) …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'postgresql']]) {
    const result = spawnSync('apt-get', args, { env, encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(
        `apt-get ${args.join(' ')} 失败 / failed (exit ${result.status ?? result.error?.message}):\n${(result.stderr ?? '').slice(-2000)}`,
      );
    }
  }
  const installed = findPostgresBin();
  if (!installed) throw new Error('apt-get installed postgresql, but pg_ctl is still not found');
  log(`PostgreSQL 就绪 / ready: ${installed}`);
  return installed;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL tool as the cluster's owner (root → `nobody`). */
async function runAsOwner(binary: string, args: string[]): Promise<string> {
  const [command, commandArgs] =
    process.getuid?.() === 0 ? ['runuser', ['-u', CLUSTER_USER, '--', binary, ...args]] : [binary, args];
  try {
    const { stdout } = await run(command, commandArgs, { cwd: os.tmpdir(), maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stderr = '', stdout = '' } = error as { stderr?: string; stdout?: string };
    throw new Error(`${path.basename(binary)} 失败 / failed: ${`${stdout}\n${stderr}`.trim().slice(-2000)}`, {
      cause: error,
    });
  }
}

/** Starts a fresh cluster with database and superuser `kczg`; stop it with `stop()`. */
export async function startPostgres(log: Log = () => undefined): Promise<PostgresServer> {
  const bin = await ensurePostgresBinaries(log);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-pg-'));
  const dataDir = path.join(root, 'data');
  if (process.getuid?.() === 0) {
    const { uid, gid } = userIds(CLUSTER_USER);
    fs.chownSync(root, uid, gid);
  }
  const pgCtl = path.join(bin, 'pg_ctl');
  let started = false;
  try {
    await runAsOwner(path.join(bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'kczg',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    const port = await freePort();
    const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
    await runAsOwner(pgCtl, [
      'start',
      '-w',
      '-t',
      '60',
      '-D',
      dataDir,
      '-l',
      path.join(root, 'server.log'),
      '-o',
      options,
    ]);
    started = true;
    await runAsOwner(path.join(bin, 'createdb'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'kczg',
      'kczg',
    ]);
    log(`PostgreSQL 已启动 / started on 127.0.0.1:${port} (${dataDir})`);
    return {
      url: `postgres://kczg@127.0.0.1:${port}/kczg`,
      port,
      dataDir,
      async stop() {
        await runAsOwner(pgCtl, ['stop', '-m', 'fast', '-w', '-D', dataDir]);
        fs.rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (started) await runAsOwner(pgCtl, ['stop', '-m', 'immediate', '-D', dataDir]).catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

function userIds(name: string): { uid: number; gid: number } {
  const line = spawnSync('getent', ['passwd', name], { encoding: 'utf8' }).stdout.trim();
  const [, , uid, gid] = line.split(':');
  if (!uid)
    throw new Error(`用户 ${name} 不存在 / user ${name} not found: PostgreSQL needs an unprivileged user`);
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * A real S3-compatible server for tests and rehearsals of the several-machine setup: versitygw
 * (Apache-2.0) with its POSIX backend on a temp folder, loopback only, one bucket. The binary is
 * built once with `go install` from the Go module proxy and cached like the Temporal CLI
 * (KCZG_VERSITYGW names another binary).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../storage/s3-files';
import { freeLoopbackPort } from './ports';
import { cacheRoot, type Log } from './provision';

export const VERSITYGW_VERSION = 'v1.8.0';

export interface S3Server {
  config: S3Config;
  stop(): Promise<void>;
}

/** The versitygw binary: KCZG_VERSITYGW, the cache, or a fresh `go install` into the cache. */
export function ensureVersitygw(log: Log = () => undefined): string {
  if (process.env.KCZG_VERSITYGW) return process.env.KCZG_VERSITYGW;
  const dir = path.join(cacheRoot(), 'versitygw', VERSITYGW_VERSION);
  const binary = path.join(dir, 'versitygw');
  if (fs.existsSync(binary)) return binary;
  log(
    `构建 versitygw（首次约需数分钟）/ building versitygw ${VERSITYGW_VERSION} with \`go install\` (first time only)`,
  );
  fs.mkdirSync(dir, { recursive: true });
  // Built into a folder of its own, then renamed: concurrent builders never see half a binary.
  const staging = fs.mkdtempSync(path.join(dir, '.build-'));
  try {
    const result = spawnSync(
      'go',
      ['install', `github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}`],
      {
        env: { ...process.env, CGO_ENABLED: '0', GOBIN: staging },
        encoding: 'utf8',
      },
    );
    if (result.status !== 0) {
      throw new Error(
        `go install versitygw 失败 / failed (${result.error?.message ?? `exit ${result.status}`}); Go 1.24+ is needed:\n${(result.stderr ?? '').slice(-2000)}`,
      );
    }
    fs.renameSync(path.join(staging, 'versitygw'), binary);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  log(`versitygw 就绪 / ready: ${binary}`);
  return binary;
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`versitygw exited (${child.exitCode}) before listening`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(true));
      socket.once('error', () => resolve(false));
      socket.setTimeout(1_000, () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`versitygw did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts versitygw on a free loopback port with a fresh bucket; `stop()` ends it and its folder. */
export async function startVersitygw(log: Log = () => undefined, bucket = 'kczg'): Promise<S3Server> {
  const binary = ensureVersitygw(log);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-s3-'));
  const port = await freeLoopbackPort();
  const config: S3Config = {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    accessKeyId: 'kczg',
    secretAccessKey: randomBytes(18).toString('base64url'),
  };
  const child = spawn(binary, ['--port', `127.0.0.1:${port}`, '--quiet', 'posix', root], {
    env: {
      ...process.env,
      ROOT_ACCESS_KEY_ID: config.accessKeyId,
      ROOT_SECRET_ACCESS_KEY: config.secretAccessKey,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    // A graceful stop waits for clients' idle keep-alive connections (about 10 s): the data is a
    // throwaway folder, so after a short grace the server is killed.
    const grace = setTimeout(() => child.kill('SIGKILL'), 1_000);
    await exited;
    clearTimeout(grace);
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child);
    const client = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      forcePathStyle: true,
    });
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } finally {
      client.destroy();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  log(`versitygw 已启动 / started on ${config.endpoint} (bucket ${bucket}, ${root})`);
  return { config, stop };
}

/**
 * Obtains real Temporal servers without the internet, from package registries only:
 * - the time-skipping test server: Maven Central's `io.temporal:temporal-test-server`, run by a
 *   wrapper script that `exec`s java (so stopping the wrapper stops the JVM);
 * - the Temporal CLI dev server: `go install` of the CLI, built once.
 * Both are cached outside git (KCZG_CACHE_DIR, else $XDG_CACHE_HOME/kczg, else ~/.cache/kczg),
 * reused on every later run, and guarded by a lock so concurrent callers build once.
 * Where Java/Maven or Go are missing, the SDK's own download is the fallback (needs internet).
 * The Temporal server for PostgreSQL is built the same way (provision-temporal-server.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing/lib/ephemeral-server';

export const TEST_SERVER_VERSION = '1.38.0';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export type Log = (line: string) => void;

/**
 * The go.mod of both the CLI v1.5.1 and go.temporal.io/server v1.29.1 says `go 1.25.0`; a Go 1.21+
 * fetches that toolchain from the module proxy itself, older ones (Debian bookworm's 1.19) cannot.
 */
export const GO_REQUIRED = 'Go 1.25+ (https://go.dev/dl; Go 1.21+ fetches 1.25 from the module proxy itself)';

export interface ProvisionedServer {
  executable: EphemeralServerExecutable;
  /** Where it came from: an env var, PATH, the cache, a fresh build, or the SDK's download. */
  source: 'env' | 'path' | 'cache' | 'built' | 'sdk-download';
  description: string;
}

export class ProvisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvisionError';
  }
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KCZG_CACHE_DIR) return path.resolve(env.KCZG_CACHE_DIR);
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'kczg');
}

export function hasCommand(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.status === 0;
}

function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Runs a command, forwarding its output lines to the log and a heartbeat every 30 s. */
export function runLogged(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; log: Log; what: string },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        options.log(`  ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const heartbeat = setInterval(() => {
      options.log(`  … ${options.what}: ${Math.round((Date.now() - started) / 1000)} s`);
    }, 30_000);
    child.on('error', (err) => {
      clearInterval(heartbeat);
      reject(new ProvisionError(`${options.what} 无法启动 / could not start \`${command}\`: ${err.message}`));
    });
    child.on('close', (code) => {
      clearInterval(heartbeat);
      if (code === 0) resolve();
      else
        reject(
          new ProvisionError(
            `${options.what} 失败 / failed (\`${command} ${args.join(' ')}\` exited ${code}).\n${tail.join('\n')}`,
          ),
        );
    });
  });
}

/** A cross-process lock: mkdir is atomic. Stale locks (dead owner) are broken. */
export async function withLock<T>(dir: string, log: Log, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const lockDir = `${dir}.lock`;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      if (owner && !isAlive(owner)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!announced) {
        log(`等待另一进程完成准备 / waiting for another process preparing ${path.basename(dir)} …`);
        announced = true;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const testServerPom = (version: string) => `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kczg.local</groupId>
  <artifactId>temporal-test-server-fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${version}</version>
    </dependency>
  </dependencies>
</project>
`;

/**
 * The wrapper must be ONE executable that `exec`s java: the SDK starts `<path> <port>` and kills
 * that process on teardown. Lean JIT and serial GC start the JVM fast on two cores.
 */
const testServerWrapper = (libDir: string) => `#!/bin/sh
# Temporal time-skipping test server, provisioned by kczg (servers/provision.ts).
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xmx512m -Xshare:auto \\
  -cp "${libDir}/*" io.temporal.testserver.TestServer "$@"
`;

export async function ensureTestServer(log: Log = () => undefined): Promise<ProvisionedServer> {
  const fromEnv = process.env.KCZG_TEST_SERVER;
  if (fromEnv) {
    return {
      executable: { type: 'existing-path', path: fromEnv },
      source: 'env',
      description: `KCZG_TEST_SERVER=${fromEnv}`,
    };
  }
  const dir = path.join(cacheRoot(), 'test-server', TEST_SERVER_VERSION);
  const wrapper = path.join(dir, 'temporal-test-server');
  const marker = path.join(dir, '.complete');
  const cached = (): ProvisionedServer => ({
    executable: { type: 'existing-path', path: wrapper },
    source: 'cache',
    description: `temporal-test-server ${TEST_SERVER_VERSION} (${dir})`,
  });
  if (fs.existsSync(marker)) return cached();

  const haveJava = hasCommand('java', ['-version']);
  const haveMaven = hasCommand('mvn', ['-v']);
  if (!haveJava || !haveMaven) {
    const missing = [!haveJava && 'java (JDK/JRE 17+)', !haveMaven && 'mvn (Maven 3)']
      .filter(Boolean)
      .join(', ');
    log(
      `缺少 ${missing}，改用 SDK 自带下载（需要互联网）/ missing ${missing}: falling back to the SDK's download of the test server (needs internet).\n` +
        `  离线使用请安装 / to work offline: apt-get install openjdk-17-jre-headless maven`,
    );
    return {
      executable: { type: 'cached-download' },
      source: 'sdk-download',
      description: 'SDK download (internet)',
    };
  }

  return withLock(dir, log, async () => {
    if (fs.existsSync(marker)) return cached();
    log(
      `准备时间跳跃测试服务器 / fetching temporal-test-server ${TEST_SERVER_VERSION} from Maven Central into ${dir}`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'pom.xml'), testServerPom(TEST_SERVER_VERSION));
    await runLogged(
      'mvn',
      ['-B', '-q', '-ntp', 'dependency:copy-dependencies', '-DoutputDirectory=lib', '-DincludeScope=runtime'],
      { cwd: dir, log, what: 'Maven 下载 / Maven download' },
    );
    fs.writeFileSync(wrapper, testServerWrapper(path.join(dir, 'lib')), { mode: 0o755 });
    fs.writeFileSync(marker, new Date().toISOString());
    log(`测试服务器就绪 / test server ready: ${wrapper}`);
    return { ...cached(), source: 'built' as const };
  });
}

export async function ensureDevServer(log: Log = () => undefined): Promise<ProvisionedServer> {
  const fromEnv = process.env.KCZG_TEMPORAL_CLI;
  if (fromEnv) {
    return {
      executable: { type: 'existing-path', path: fromEnv },
      source: 'env',
      description: `KCZG_TEMPORAL_CLI=${fromEnv}`,
    };
  }
  const onPath = findOnPath('temporal');
  if (onPath) {
    return {
      executable: { type: 'existing-path', path: onPath },
      source: 'path',
      description: `temporal on PATH (${onPath})`,
    };
  }
  const dir = path.join(cacheRoot(), 'temporal-cli', TEMPORAL_CLI_VERSION);
  const binary = path.join(dir, 'temporal');
  const cached = (): ProvisionedServer => ({
    executable: { type: 'existing-path', path: binary },
    source: 'cache',
    description: `temporal CLI ${TEMPORAL_CLI_VERSION} (${binary})`,
  });
  if (fs.existsSync(binary)) return cached();

  if (!hasCommand('go', ['version'])) {
    log(
      `缺少 Go，改用 SDK 自带下载（需要互联网）/ Go not found: falling back to the SDK's download of the dev server (needs internet).\n` +
        `  离线使用请安装 ${GO_REQUIRED}，或把 temporal 放入 PATH / to work offline install ${GO_REQUIRED} or put \`temporal\` on PATH (or set KCZG_TEMPORAL_CLI).`,
    );
    return {
      executable: { type: 'cached-download' },
      source: 'sdk-download',
      description: 'SDK download (internet)',
    };
  }

  return withLock(dir, log, async () => {
    if (fs.existsSync(binary)) return cached();
    log(
      `构建 Temporal CLI 开发服务器（首次约需数分钟）/ building the Temporal CLI dev server ${TEMPORAL_CLI_VERSION} with \`go install\` (first time only, several minutes on 2 cores)`,
    );
    const staging = fs.mkdtempSync(path.join(path.dirname(dir), '.build-'));
    try {
      await runLogged('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
        env: { ...process.env, CGO_ENABLED: '0', GOBIN: staging },
        log,
        what: 'go install temporal',
      });
      fs.mkdirSync(dir, { recursive: true });
      fs.renameSync(path.join(staging, 'temporal'), binary);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    log(`开发服务器就绪 / dev server ready: ${binary}`);
    return { ...cached(), source: 'built' as const };
  });
}

/** Debian packages for printing the published lists: the browser engine and fonts with Chinese. */
export const BROWSER_PACKAGES = ['chromium', 'fonts-noto-cjk'] as const;
/** pdftoppm, which the tests use to look at a printed page. */
export const PDF_RASTER_PACKAGES = ['poppler-utils'] as const;

export interface ProvisionedBrowser {
  /** The Chromium executable. */
  path: string;
  source: 'env' | 'path' | 'installed';
  description: string;
}

/** Chromium as publication finds it, without installing anything: KCZG_CHROMIUM, else PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ProvisionedBrowser | undefined {
  if (env.KCZG_CHROMIUM) {
    return { path: env.KCZG_CHROMIUM, source: 'env', description: `KCZG_CHROMIUM=${env.KCZG_CHROMIUM}` };
  }
  for (const name of ['chromium', 'chromium-browser']) {
    const found = findOnPath(name, env);
    if (found) return { path: found, source: 'path', description: `${name} on PATH (${found})` };
  }
  return undefined;
}

/** True when fontconfig knows a font covering Chinese. */
export function hasChineseFont(): boolean {
  const result = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim().length > 0;
}

/**
 * Installs Debian packages with apt-get (once: `apt-get update`, then `install`), waiting for
 * another apt run's lock instead of failing. Needs root and apt-get; otherwise a ProvisionError
 * names the packages to install by hand.
 */
async function aptInstall(packages: string[], log: Log): Promise<void> {
  const byHand = `请手动安装 / install them yourself: apt-get install -y ${packages.join(' ')}`;
  if (!findOnPath('apt-get')) {
    throw new ProvisionError(
      `找不到 apt-get（非 Debian/Ubuntu 系统）/ apt-get not found (not Debian or Ubuntu). ${byHand}`,
    );
  }
  if (process.getuid?.() !== 0) {
    throw new ProvisionError(`安装软件包需要 root 权限 / installing packages needs root. ${byHand}`);
  }
  const lockWait = ['-o', 'DPkg::Lock::Timeout=600'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`从 Debian 安装 / installing from Debian with apt-get: ${packages.join(' ')}`);
  await runLogged('apt-get', [...lockWait, '-q', 'update'], { env, log, what: 'apt-get update' });
  await runLogged('apt-get', [...lockWait, '-q', '-y', '--no-install-recommends', 'install', ...packages], {
    env,
    log,
    what: `apt-get install ${packages.join(' ')}`,
  });
}

/** How to tell each package this project installs is there already. */
const PACKAGE_PRESENT = {
  chromium: () => findChromium() !== undefined,
  'fonts-noto-cjk': hasChineseFont,
  'poppler-utils': () => findOnPath('pdftoppm') !== undefined,
} satisfies Record<string, () => boolean>;
type ProvisionedPackage = keyof typeof PACKAGE_PRESENT;

/**
 * The browser that prints published lists to PDF, with fonts for Chinese: Debian's Chromium and
 * Noto CJK, installed with apt-get when missing (idempotent: nothing runs when all are there).
 * `extraPackages` adds what a caller needs besides (the tests: PDF_RASTER_PACKAGES).
 */
export async function ensureBrowser(
  log: Log = () => undefined,
  extraPackages: readonly ProvisionedPackage[] = [],
): Promise<ProvisionedBrowser> {
  const missing = () => [...BROWSER_PACKAGES, ...extraPackages].filter((pkg) => !PACKAGE_PRESENT[pkg]());
  let installed = false;
  if (missing().length > 0) {
    await withLock(path.join(cacheRoot(), 'browser'), log, async () => {
      const needed = missing();
      if (needed.length === 0) return;
      await aptInstall(needed, log);
      installed = true;
    });
  }
  const browser = findChromium();
  const still = missing();
  if (!browser || still.length > 0) {
    throw new ProvisionError(`apt-get ran, but ${still.join(', ')} is still missing`);
  }
  return installed ? { ...browser, source: 'installed' } : browser;
}

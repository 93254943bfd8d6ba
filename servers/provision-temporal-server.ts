/**
 * A real Temporal server (not the dev server) for PostgreSQL, built from the Go module proxy like
 * the CLI: `go install` of go.temporal.io/server's `cmd/server` and its SQL schema tool
 * (`cmd/tools/sql`, known as temporal-sql-tool) at the version the CLI dev server embeds, so the
 * Go module and build caches are shared with the CLI's build. The PostgreSQL schema folder ships
 * in the server module and is copied beside the binaries. Cached under
 * <cache>/temporal-server/<version>/, built once under a lock.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  cacheRoot,
  GO_REQUIRED,
  hasCommand,
  ProvisionError,
  runLogged,
  TEMPORAL_CLI_VERSION,
  withLock,
  type Log,
} from './provision';

/** The server inside the Temporal CLI v1.5.1 dev server (its go.mod requires go.temporal.io/server v1.29.1). */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const SERVER_MODULE = 'go.temporal.io/server';
/** The PostgreSQL schema folder inside the server module. */
const POSTGRES_SCHEMA = path.join('schema', 'postgresql', 'v12');

export interface TemporalServerBinaries {
  version: string;
  dir: string;
  /** The server: `server --root <dir> --config <sub> --env <name> start`. */
  server: string;
  /** temporal-sql-tool: creates and updates the `temporal` and `temporal_visibility` databases. */
  sqlTool: string;
  /** schema/postgresql/v12 with temporal/versioned and visibility/versioned. */
  postgresSchemaDir: string;
  source: 'cache' | 'built';
}

const GO_MISSING =
  '缺少 Go，无法构建 PostgreSQL 上的 Temporal 服务器 / Go not found: the Temporal server for PostgreSQL is built with `go install`.\n' +
  `  请安装 / install ${GO_REQUIRED}, then run \`npm run servers -- --postgres\` again.`;

function binariesIn(dir: string, source: TemporalServerBinaries['source']): TemporalServerBinaries {
  return {
    version: TEMPORAL_SERVER_VERSION,
    dir,
    server: path.join(dir, 'temporal-server'),
    sqlTool: path.join(dir, 'temporal-sql-tool'),
    postgresSchemaDir: path.join(dir, POSTGRES_SCHEMA),
    source,
  };
}

/** A module in the Go module cache (downloaded if absent): its folder and its go.mod file. */
function downloadModule(moduleAtVersion: string): { dir: string; goMod: string } {
  const json = execFileSync('go', ['mod', 'download', '-json', moduleAtVersion], {
    encoding: 'utf8',
    cwd: path.sep, // outside any Go module
  });
  const { Dir, GoMod, Error: failure } = JSON.parse(json) as { Dir?: string; GoMod?: string; Error?: string };
  if (!Dir || !GoMod) throw new ProvisionError(`go mod download ${moduleAtVersion}: ${failure}`);
  return { dir: Dir, goMod: GoMod };
}

/** The server version the CLI dev server embeds: when it differs, the two builds share little. */
function warnUnlessCliEmbedsThisServer(log: Log): void {
  let embedded: string | undefined;
  try {
    const goMod = fs.readFileSync(
      downloadModule(`github.com/temporalio/cli@${TEMPORAL_CLI_VERSION}`).goMod,
      'utf8',
    );
    embedded = new RegExp(`^\\s*${SERVER_MODULE.replace(/\./g, '\\.')} (v\\S+)`, 'm').exec(goMod)?.[1];
  } catch (error) {
    log(`注意 / note: could not read the Temporal CLI's go.mod (${(error as Error).message})`);
    return;
  }
  if (embedded !== TEMPORAL_SERVER_VERSION) {
    log(
      `注意 / note: the Temporal CLI ${TEMPORAL_CLI_VERSION} embeds ${SERVER_MODULE} ${embedded ?? '(unknown)'}, this builds ${TEMPORAL_SERVER_VERSION}: the Go build cache is not shared, the build takes longer`,
    );
  }
}

/**
 * The Temporal server and schema tool for PostgreSQL, from the cache or built now (minutes the
 * first time; progress lines every 30 s). Throws a ProvisionError naming what to install when Go
 * is missing: unlike the dev server there is no download to fall back on.
 */
export async function ensureTemporalServer(log: Log = () => undefined): Promise<TemporalServerBinaries> {
  const dir = path.join(cacheRoot(), 'temporal-server', TEMPORAL_SERVER_VERSION);
  const marker = path.join(dir, '.complete');
  if (fs.existsSync(marker)) return binariesIn(dir, 'cache');
  if (!hasCommand('go', ['version'])) throw new ProvisionError(GO_MISSING);

  return withLock(dir, log, async () => {
    if (fs.existsSync(marker)) return binariesIn(dir, 'cache');
    log(
      `构建 PostgreSQL 版 Temporal 服务器（首次需数分钟）/ building the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL schema tool with \`go install\` (first time only, minutes on 2 cores)`,
    );
    warnUnlessCliEmbedsThisServer(log);
    // Built whole beside the cache folder and renamed in, so a killed build leaves no half folder.
    const staging = fs.mkdtempSync(path.join(path.dirname(dir), '.build-'));
    try {
      await runLogged(
        'go',
        [
          'install',
          `${SERVER_MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
          `${SERVER_MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
        ],
        {
          cwd: path.sep,
          env: { ...process.env, CGO_ENABLED: '0', GOBIN: staging },
          log,
          what: 'go install temporal server',
        },
      );
      const built = binariesIn(staging, 'built');
      fs.renameSync(path.join(staging, 'server'), built.server);
      fs.renameSync(path.join(staging, 'sql'), built.sqlTool);
      fs.cpSync(
        path.join(downloadModule(`${SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`).dir, POSTGRES_SCHEMA),
        built.postgresSchemaDir,
        { recursive: true },
      );
      // The module cache is read-only; the copy need not be.
      for (const entry of ['', ...fs.readdirSync(built.postgresSchemaDir, { recursive: true })]) {
        const file = path.join(built.postgresSchemaDir, String(entry));
        fs.chmodSync(file, fs.statSync(file).isDirectory() ? 0o755 : 0o644);
      }
      fs.chmodSync(staging, 0o755); // mkdtemp made it private
      fs.writeFileSync(path.join(staging, '.complete'), new Date().toISOString());
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(staging, dir);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    log(`PostgreSQL 版 Temporal 服务器就绪 / Temporal server for PostgreSQL ready: ${dir}`);
    return binariesIn(dir, 'built');
  });
}

/**
 * The Temporal server's YAML for one process on PostgreSQL (servers/temporal-postgres.ts): the
 * connection taken from a postgres:// URL, `postgres12` for the default and visibility stores,
 * all four services on free ports of one address.
 */
import net from 'node:net';

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The database named in the URL: the one the schema tool connects to while creating the others. */
  database?: string;
}

/** Few shards suit one small cluster; the number is fixed once the database is set up. */
const HISTORY_SHARDS = 4;

export function postgresTarget(databaseUrl: string): PostgresTarget {
  const url = new URL(databaseUrl);
  if (!/^postgres(ql)?:$/.test(url.protocol)) {
    throw new Error(
      `不是 PostgreSQL 地址 / not a PostgreSQL URL: ${url.protocol}//… (want postgres://user@host:port/db)`,
    );
  }
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username) || 'postgres',
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)) || undefined,
  };
}

/**
 * A free port on `ip` in [low, high]: random tries, each bound briefly to prove it free (another
 * process could take it before the server does, rarely).
 */
async function freePort(ip: string, [low, high]: readonly [number, number]): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, ip, () => probe.close(() => resolve(true)));
    });
    if (free) return port;
    if (attempt > 200) throw new Error(`no free port on ${ip} in ${low}-${high}`);
  }
}

/** The cluster_membership table keeps ports as smallint: membership ports must stay below 32768. */
const MEMBERSHIP_PORTS = [20000, 32767] as const;
const GRPC_PORTS = [20000, 60000] as const;

type ServiceName = 'frontend' | 'history' | 'matching' | 'worker';
type ServicePorts = Record<ServiceName, { grpcPort: number; membershipPort: number; httpPort?: number }>;

/** The server's YAML (JSON strings are YAML scalars, so every value is quoted safely). */
export function serverConfig(pg: PostgresTarget, ip: string, ports: ServicePorts): string {
  const q = JSON.stringify;
  const store = (database: string) => `      sql:
        pluginName: "postgres12"
        databaseName: ${q(database)}
        connectAddr: ${q(`${pg.host}:${pg.port}`)}
        connectProtocol: "tcp"
        user: ${q(pg.user)}
        password: ${q(pg.password)}
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: "1h"`;
  const service = (name: ServiceName) => {
    const { grpcPort, membershipPort, httpPort } = ports[name];
    return `  ${name}:
    rpc:
      grpcPort: ${grpcPort}
      membershipPort: ${membershipPort}
      bindOnIP: ${q(ip)}${httpPort ? `\n      httpPort: ${httpPort}` : ''}`;
  };
  return `# Written by kczg (servers/temporal-postgres.ts); rewritten on every start.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${HISTORY_SHARDS}
  datastores:
    postgres-default:
${store('temporal')}
    postgres-visibility:
${store('temporal_visibility')}
global:
  membership:
    # A restart finds the stopped server's services as seeds for 20 s (their last heartbeat) and
    # tries each join this long before retrying 10 s later: 5 s instead of 30 s halves the wait.
    maxJoinDuration: 5s
    broadcastAddress: ${q(ip)}
services:
${(['frontend', 'history', 'matching', 'worker'] as const).map(service).join('\n')}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: ${q(`${ip}:${ports.frontend.grpcPort}`)}
dcRedirectionPolicy:
  policy: "noop"
`;
}

export async function servicePorts(ip: string, frontendPort?: number): Promise<ServicePorts> {
  const ports = async () => ({
    grpcPort: await freePort(ip, GRPC_PORTS),
    membershipPort: await freePort(ip, MEMBERSHIP_PORTS),
  });
  return {
    frontend: {
      ...(await ports()),
      ...(frontendPort ? { grpcPort: frontendPort } : {}),
      httpPort: await freePort(ip, GRPC_PORTS),
    },
    history: await ports(),
    matching: await ports(),
    worker: await ports(),
  };
}

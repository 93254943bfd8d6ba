/** What the numbers were measured on: machine, runtimes, servers, tree, and what else was running. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDevServer, TEMPORAL_CLI_VERSION, TEST_SERVER_VERSION } from '../servers/provision';
import { childrenOf } from './procs';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  temporalCli: string;
  testServer: string;
  sdk: string;
  git: { commit: string; dirtyFiles: string[] };
  loadAverageAtStart: number[];
  /** Busiest other processes at the start (not this benchmark's): the machine is shared. */
  otherBusyProcesses: string[];
}

function run(command: string, args: string[], cwd?: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 15_000 });
  return result.status === 0 ? result.stdout.trim() : '';
}

function sdkVersion(): string {
  try {
    const pkg = path.join(path.dirname(require.resolve('@temporalio/worker')), '..', 'package.json');
    return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function machineFacts(repoRoot: string): Promise<MachineFacts> {
  const cpus = os.cpus();
  const dev = await ensureDevServer();
  const cliPath = dev.executable.type === 'existing-path' ? dev.executable.path : undefined;
  const reported = cliPath ? run(cliPath, ['--version']) : '';
  const temporalCli =
    dev.source === 'cache' || dev.source === 'built'
      ? `${TEMPORAL_CLI_VERSION} (go install; reports "${reported}")`
      : `${reported || 'unknown'} (${dev.description})`;
  const status = run('git', ['status', '--porcelain'], repoRoot);
  const ours = new Set(childrenOf().map((p) => String(p.pid)));
  const busy = run('ps', ['-eo', 'pid,pcpu,rss,args', '--sort=-pcpu', '--no-headers'])
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith(`${process.pid} `) && !ours.has(line.split(/\s+/)[0]))
    .filter((line) => Number(line.split(/\s+/)[1]) >= 5)
    .slice(0, 5)
    .map((line) => {
      const [pid, pcpu, rss, ...args] = line.split(/\s+/);
      return `${pid} ${pcpu}% CPU ${Math.round(Number(rss) / 1024)} MiB: ${args.join(' ').slice(0, 100)}`;
    });
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    temporalCli,
    testServer: `temporal-test-server ${TEST_SERVER_VERSION} (Maven Central)`,
    sdk: `@temporalio/* ${sdkVersion()}`,
    git: {
      commit: run('git', ['rev-parse', '--short', 'HEAD'], repoRoot) || 'unknown',
      dirtyFiles: status
        .split('\n')
        .filter(Boolean)
        .map((line) => line.slice(3)),
    },
    loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
    otherBusyProcesses: busy,
  };
}

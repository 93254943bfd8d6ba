/**
 * The `kczg` command as a user runs it, for end-to-end tests: `node dist/client/cli.js …` spawned
 * in its own process group, its stdout and stderr collected, `--json` parsed. Every process a
 * runner starts is tracked, and `stopAll()` (afterAll) kills whatever is still running, group and
 * all, so nothing outlives a failed test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const CLI = path.resolve(__dirname, '..', '..', 'dist', 'client', 'cli.js');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface CliResult {
  /** The exit code; 1 when the process was killed by a signal. */
  code: number;
  signal: NodeJS.Signals | null;
  /** stdout parsed as one JSON document; undefined for text output or unparsable stdout. */
  json: Json;
  stdout: string;
  stderr: string;
  args: string[];
}

export interface RunOptions {
  /** Text output: no `--json`, and stdout is not parsed. */
  text?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL to its group) after this long; default two minutes. */
  timeoutMs?: number;
}

export interface CliRunnerOptions {
  /** `--address` for every command; a function, when the server starts after the runner is made. */
  address?: string | (() => string);
  env?: NodeJS.ProcessEnv;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

export class CliRunner {
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly options: CliRunnerOptions = {}) {}

  private argv(args: string[], text: boolean): string[] {
    const address =
      typeof this.options.address === 'function' ? this.options.address() : this.options.address;
    return [CLI, ...(text ? [] : ['--json']), ...(address ? ['--address', address] : []), ...args];
  }

  /** A long-running `kczg` (worker, dev): detached in its own group; stdio as given. */
  spawn(
    args: string[],
    options: { env?: NodeJS.ProcessEnv; stdio?: 'ignore' | 'pipe'; text?: boolean } = {},
  ): ChildProcess {
    const child = spawn(process.execPath, this.argv(args, options.text ?? true), {
      env: options.env ?? this.options.env ?? process.env,
      detached: true,
      stdio: options.stdio ?? 'ignore',
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Runs `kczg --json [--address …] <args>` to its end; never rejects: the exit code is in the result. */
  run(args: string[], options: RunOptions = {}): Promise<CliResult> {
    const child = this.spawn(args, { env: options.env, stdio: 'pipe', text: options.text ?? false });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), options.timeoutMs ?? 120_000);
    return new Promise((resolve) => {
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        const out = Buffer.concat(stdout).toString('utf8');
        let json: Json;
        try {
          json = options.text ? undefined : JSON.parse(out);
        } catch {
          json = undefined;
        }
        resolve({
          code: code ?? 1,
          signal,
          json,
          stdout: out,
          stderr: Buffer.concat(stderr).toString('utf8'),
          args,
        });
      });
    });
  }

  /** Runs a command that must succeed: its JSON, or a failure showing what the command said. */
  async ok(args: string[], options: RunOptions = {}): Promise<Json> {
    const result = await this.run(args, options);
    if (result.code !== 0) {
      throw new Error(`kczg ${args.join(' ')} → exit ${result.code}\n${result.stdout}${result.stderr}`);
    }
    return result.json;
  }

  /** Kills every process this runner started that still runs (SIGKILL to its group) and waits. */
  async stopAll(): Promise<void> {
    const alive = [...this.children];
    await Promise.all(
      alive.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            killGroup(child, 'SIGKILL');
          }),
      ),
    );
  }
}

/** An instant from `--json` (RFC 3339 with +08:00) as epoch milliseconds. */
export function ms(instant: string): number {
  const value = Date.parse(instant);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+08:00$/.test(instant) || Number.isNaN(value)) {
    throw new Error(`not an RFC 3339 instant in Beijing time: ${JSON.stringify(instant)}`);
  }
  return value;
}

/** `nominate <programme> --unit … --list … [--field …] --candidate <file> --key <key>`; `part` is "list" or "list/field". */
export function nominateArgs(
  programme: string,
  unit: string,
  part: string,
  candidateFile: string,
  key: string,
): string[] {
  const [listId, fieldId] = part.split('/');
  return [
    'nominate',
    programme,
    '--unit',
    unit,
    '--list',
    listId,
    ...(fieldId ? ['--field', fieldId] : []),
    '--candidate',
    candidateFile,
    '--key',
    key,
  ];
}

/** `cycle start <programme> --programme-file <file> --start-at <programme time, Beijing>`. */
export function startCycleArgs(programme: string, programmeFile: string, startAt: string): string[] {
  return ['cycle', 'start', programme, '--programme-file', programmeFile, '--start-at', startAt];
}

/**
 * What every command shares: the global options, printing (text, or `--json`: one document), the
 * typed client over a connection, the logger, input errors. Heavy modules (the Temporal client,
 * pino, luxon) are imported when a command first needs them, so `kczg --help` and `kczg plan`
 * start fast.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import type { Rejection } from '../../domain/rejections';
import type { Logger } from '../../logging/logger';
import { cycleWorkflowId } from '../../workflows/ids';
import type { KczgClient } from '../api';
import type { ConnectionChoice } from '../connection';
import { renderJson, writeStderr, writeStdout } from './output';

export interface GlobalOptions extends ConnectionChoice {
  json?: boolean;
  verbose?: boolean;
  credential?: string;
}

/** Input the CLI refuses before sending anything: printed like a server's rejection, exit 2. */
export class InputError extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
    this.name = 'InputError';
  }
}

/** Steering waits for a worker; after this long the command says so on stderr. */
const WAIT_NOTICE_MS = 3_000;

export class Cli {
  private logger?: Logger;

  constructor(private readonly program: Command) {}

  get options(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  /** The command's answer on stdout: `human` text, or `data` as one JSON document with `--json`. */
  print(human: string, data: unknown): void {
    writeStdout(this.options.json ? renderJson(data) : `${human}\n`);
  }

  /** A line for the person at the terminal (progress, hints): stderr, never mixed into output. */
  note(line: string): void {
    writeStderr(`${line}\n`);
  }

  /** The process's structured logger on stderr (logging/logger.ts), created on first use. */
  async log(): Promise<Logger> {
    if (!this.logger) {
      const { createLogger, logLevelFrom } = await import('../../logging/logger');
      this.logger = createLogger(logLevelFrom(process.env, this.options.verbose));
    }
    return this.logger;
  }

  /** Runs `fn` with a typed client acting with `--credential` (or KCZG_CREDENTIAL). */
  async withApi<T>(fn: (api: KczgClient) => Promise<T>): Promise<T> {
    const [{ connectClient }, { KczgClient }] = await Promise.all([
      import('../connection'),
      import('../api'),
    ]);
    const { client, connection } = await connectClient(this.options);
    try {
      return await fn(
        new KczgClient(client, { credential: this.options.credential ?? process.env.KCZG_CREDENTIAL }),
      );
    } finally {
      await connection.close();
    }
  }

  /**
   * A steering update, which a worker must process: when it takes longer than a few seconds,
   * say on stderr what the command is waiting for (no worker running, or a worker restarting).
   */
  async waitingForWorker<T>(what: string, call: Promise<T>): Promise<T> {
    const timer = setTimeout(
      () =>
        this.note(
          `正在等待 worker 处理 ${what} 请求…（请确认 kczg worker 正在运行）/ waiting for a worker to process the ${what} update (is kczg worker running?)`,
        ),
      WAIT_NOTICE_MS,
    );
    try {
      return await call;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** `kczg:<programme>` from a programme id, or a cycle id as given. */
export function cycleIdOf(programme: string): string {
  return programme.startsWith('kczg:') ? programme : cycleWorkflowId(programme);
}

/** A required option of a command whose other forms (e.g. `--template`) need none. */
export function required<T>(value: T | undefined, field: string, example: string): T {
  if (value === undefined || value === '') {
    throw new InputError({
      code: 'INVALID',
      field,
      rule: 'required',
      message: `缺少 ${field} / ${field} is required`,
      fix: `例如 / e.g. ${example}`,
    });
  }
  return value;
}

/**
 * An instant given on the command line: Beijing wall time ("2023-12-05 24:00") or RFC 3339 with an
 * offset ("2023-12-06T00:00:00+08:00", as `--json` prints them).
 */
export async function parseInstant(value: string, field: string): Promise<number> {
  const fix = '例如 / e.g. "2023-12-05 24:00"（北京时间 Beijing time）or 2023-12-06T00:00:00+08:00';
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const at = Date.parse(value);
    if (Number.isFinite(at)) return at;
    throw new InputError({
      code: 'INVALID',
      field,
      rule: 'date',
      message: `无效的时间 / invalid instant "${value}"`,
      fix,
    });
  }
  const { beijingToEpochMs } = await import('../../domain/calendar');
  try {
    return beijingToEpochMs(value);
  } catch (error) {
    throw new InputError({ code: 'INVALID', field, rule: 'date', message: (error as Error).message, fix });
  }
}

/** A JSON file the user names (candidate, results): unreadable or not JSON is INVALID. */
export function readJsonFile(file: string, field: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError({
      code: 'INVALID',
      field,
      rule: 'json',
      message: `无法读取 ${file} / cannot read ${file}: ${(error as Error).message}`,
      fix: '提供 JSON 文件 / pass a JSON file',
    });
  }
}

/** Resolves when the process is asked to stop (Ctrl-C, SIGTERM). */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** The help text's example block. */
export function examples(...lines: string[]): string {
  return `\n示例 / example${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

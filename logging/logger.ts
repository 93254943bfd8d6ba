/**
 * One structured logger for every kczg process: pino, JSON lines on stderr (fd 2), so stdout
 * carries only a command's output (`kczg … --json | jq` sees one document). Quiet by default
 * (warn); `--verbose` or KCZG_LOG_LEVEL=info|debug|trace shows more. Timestamps are RFC 3339 in
 * Beijing time, as everywhere else.
 */
import pino, { type Logger } from 'pino';
import { rfc3339Beijing } from '../client/instants';

export type { Logger };

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_LOG_LEVEL: LogLevel = 'warn';

/** KCZG_LOG_LEVEL wins; else `--verbose` means info; else warn. A bad value is an error. */
export function logLevelFrom(env: NodeJS.ProcessEnv, verbose = false): LogLevel {
  const text = env.KCZG_LOG_LEVEL?.trim().toLowerCase();
  if (!text) return verbose ? 'info' : DEFAULT_LOG_LEVEL;
  if (!(LOG_LEVELS as readonly string[]).includes(text)) {
    throw new Error(
      `KCZG_LOG_LEVEL 应为 ${LOG_LEVELS.join('|')} 之一 / must be one of ${LOG_LEVELS.join(', ')}, got "${env.KCZG_LOG_LEVEL}"`,
    );
  }
  return text as LogLevel;
}

/**
 * A logger writing synchronously to `fd` (default 2, stderr): a line logged just before the
 * process exits is not lost, and nothing ever reaches stdout.
 */
export function createLogger(level: LogLevel, fd = 2): Logger {
  return pino(
    {
      name: 'kczg',
      level,
      base: { pid: process.pid },
      timestamp: () => `,"time":"${rfc3339Beijing(Date.now())}"`,
    },
    pino.destination({ dest: fd, sync: true }),
  );
}

/** A line-oriented log function (servers/, codec/ take one) writing into `logger` at `level`. */
export function lineLogger(logger: Logger, level: 'info' | 'warn' = 'info'): (line: string) => void {
  return (line) => logger[level](line);
}

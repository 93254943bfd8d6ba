/**
 * Routes the Temporal SDK's logs into kczg's logger: the TypeScript side (worker, workflow and
 * activity `log` calls) through the Runtime's logger, and the Rust core's lines forwarded to it,
 * filtered at the same level. Without this the core and the worker print to the terminal on
 * their own. Loads @temporalio/worker: only commands that run a worker import this module.
 */
import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger, LogLevel } from './logger';

/** The SDK's logger interface over pino; the SDK's metadata becomes the line's fields. */
class PinoSdkLogger implements SdkLogger {
  constructor(private readonly logger: Logger) {}

  log(level: SdkLogLevel, message: string, meta?: LogMetadata): void {
    const method = level.toLowerCase() as Lowercase<SdkLogLevel>;
    this.logger[method]({ ...meta, component: 'temporal' }, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

const CORE_LEVELS: Record<LogLevel, 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

/**
 * Installs the SDK runtime with `logger` (once per process, before any worker or native
 * connection exists). Returns false when a runtime was already there (a test harness's): it is
 * left as it is.
 */
export function installTemporalLogging(logger: Logger): boolean {
  if (Runtime._instance) return false;
  const core = CORE_LEVELS[logger.level as LogLevel] ?? 'WARN';
  Runtime.install({
    logger: new PinoSdkLogger(logger),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core, other: 'ERROR' }), forward: {} },
    },
  });
  return true;
}

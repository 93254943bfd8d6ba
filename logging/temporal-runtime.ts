/**
 * The SDK runtime of a process that runs workers: its logs routed into kczg's logger (the
 * TypeScript side — worker, workflow and activity `log` calls — through the Runtime's logger, the
 * Rust core's lines forwarded to it, filtered at the same level; without this both print to the
 * terminal on their own), and, when asked, its metrics served for Prometheus (the SDK's runtime
 * metrics and kczg's own, workflows/metrics.ts and activities/metrics.ts). Loads
 * @temporalio/worker: only commands that run a worker import this module.
 */
import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger, LogLevel } from './logger';

/** The cycle a workflow id belongs to: `kczg:<programme>`, the cycle's id and its entities' prefix. */
function cycleIdOf(workflowId: unknown): string | undefined {
  return typeof workflowId === 'string' ? /^kczg:[a-z0-9-]+/.exec(workflowId)?.[0] : undefined;
}

/**
 * The SDK's logger interface over pino; the SDK's metadata (workflowId, workflowType,
 * activityType…) becomes the line's fields, with the cycle id beside, so one query finds a year's
 * lines. The activity's task token, long and of no use to a reader, is left out.
 */
class PinoSdkLogger implements SdkLogger {
  constructor(private readonly logger: Logger) {}

  log(level: SdkLogLevel, message: string, meta?: LogMetadata): void {
    const method = level.toLowerCase() as Lowercase<SdkLogLevel>;
    const fields = { ...meta };
    delete fields.taskToken;
    const cycleId = cycleIdOf(fields.workflowId);
    this.logger[method]({ ...fields, ...(cycleId ? { cycleId } : {}), component: 'temporal' }, message);
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
 * Where the worker serves its metrics: `--metrics` when given, else KCZG_METRICS_ADDRESS, else
 * nowhere. An IP address and a port (the SDK binds exactly that), e.g. 127.0.0.1:9464 or
 * 0.0.0.0:9464; anything else is an error, not a silent default.
 */
export function metricsAddressFrom(env: NodeJS.ProcessEnv, option?: string): string | undefined {
  const text = (option ?? env.KCZG_METRICS_ADDRESS)?.trim();
  if (!text) return undefined;
  const match = /^(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\]):(\d{1,5})$/i.exec(text);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65_535) {
    throw new Error(
      `指标地址应为 IP:端口，例如 127.0.0.1:9464 / the metrics address (--metrics, KCZG_METRICS_ADDRESS) must be IP:port, e.g. 127.0.0.1:9464, got "${text}"`,
    );
  }
  return text;
}

export interface TemporalRuntimeOptions {
  /** Serve Prometheus metrics at http://<address>/metrics (metricsAddressFrom). */
  metricsAddress?: string;
}

/**
 * Installs the SDK runtime with `logger` and, given an address, the Prometheus exporter (once per
 * process, before any worker or native connection exists). Returns false when a runtime was
 * already there (a test harness's): it is left as it is, without kczg's logger or metrics.
 */
export function installTemporalLogging(
  logger: Logger,
  options: TemporalRuntimeOptions = { metricsAddress: metricsAddressFrom(process.env) },
): boolean {
  const { metricsAddress } = options;
  if (Runtime._instance) {
    if (metricsAddress) logger.warn({ metricsAddress }, 'SDK runtime already installed: metrics not served');
    return false;
  }
  const core = CORE_LEVELS[logger.level as LogLevel] ?? 'WARN';
  try {
    Runtime.install({
      logger: new PinoSdkLogger(logger),
      telemetryOptions: {
        logging: { filter: makeTelemetryFilterString({ core, other: 'ERROR' }), forward: {} },
        ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
      },
    });
  } catch (error) {
    if (!metricsAddress) throw error;
    // e.g. the port is taken: say which setting to change.
    throw new Error(
      `无法在 ${metricsAddress} 提供指标（--metrics / KCZG_METRICS_ADDRESS）/ cannot serve metrics at ${metricsAddress}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (metricsAddress) logger.info({ metricsAddress }, `metrics at http://${metricsAddress}/metrics`);
  return true;
}

/** Small statistics and the load generator shared by the benchmark phases. */
import os from 'node:os';

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export function summarise(latenciesMs: number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length);
  return {
    count: sorted.length,
    meanMs: round(mean),
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
  };
}

export interface DriveResult {
  requested: number;
  /** Items sent: fewer than requested when `stopAfterMs` cut the run short. */
  attempted: number;
  stoppedEarly: boolean;
  succeeded: number;
  /** Calls that failed for good (after retries); their first message. */
  failed: number;
  firstError?: string;
  /** Calls retried after a transport or server error (same idempotency key). */
  retries: number;
  wallSeconds: number;
  perSecond: number;
  latency: LatencySummary;
}

export interface DriveOptions<T> {
  items: readonly T[];
  concurrency: number;
  call: (item: T, index: number) => Promise<void>;
  /** An error that is an answer, not a failure to retry (e.g. a RejectionError). */
  isFinal?: (error: unknown) => boolean;
  /** Called about every `progressEveryMs` with the numbers so far. */
  onProgress?: (done: number, elapsedMs: number) => void;
  progressEveryMs?: number;
  retries?: number;
  /** Send no new item after this long (calls in flight finish): a cap on the run's wall time. */
  stopAfterMs?: number;
}

/**
 * Runs `call` over the items at a fixed concurrency (a closed loop: each of `concurrency` callers
 * sends its next request when the previous one answered), timing every call from send to answer.
 * A failed call is retried (same item, so the same idempotency key) up to `retries` times; its
 * latency then spans every attempt, as its caller would see it.
 */
export async function drive<T>(options: DriveOptions<T>): Promise<DriveResult> {
  const { items, concurrency, call } = options;
  const maxRetries = options.retries ?? 3;
  const latencies: number[] = [];
  let next = 0;
  let done = 0;
  let failed = 0;
  let retries = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const progress = options.onProgress
    ? setInterval(
        () => options.onProgress?.(done, performance.now() - started),
        options.progressEveryMs ?? 5_000,
      )
    : undefined;
  const stopAt = options.stopAfterMs === undefined ? Infinity : started + options.stopAfterMs;
  let stoppedEarly = false;
  const caller = async () => {
    while (next < items.length) {
      if (performance.now() >= stopAt) {
        stoppedEarly = true;
        break;
      }
      const index = next++;
      const sent = performance.now();
      for (let attempt = 0; ; attempt++) {
        try {
          await call(items[index], index);
          latencies.push(performance.now() - sent);
          break;
        } catch (error) {
          if (options.isFinal?.(error)) {
            latencies.push(performance.now() - sent);
            break;
          }
          if (attempt >= maxRetries) {
            failed++;
            firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
            break;
          }
          retries++;
          await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
        }
      }
      done++;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, caller));
  } finally {
    if (progress) clearInterval(progress);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  return {
    requested: items.length,
    attempted: Math.min(next, items.length),
    stoppedEarly,
    succeeded: latencies.length,
    failed,
    firstError,
    retries,
    wallSeconds: round(wallSeconds, 2),
    perSecond: round(latencies.length / Math.max(wallSeconds, 1e-9)),
    latency: summarise(latencies),
  };
}

/** Samples the 1-minute load average while a phase runs: other people's work shows here. */
export class LoadSampler {
  private readonly samples: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(everyMs = 5_000) {
    this.samples.push(os.loadavg()[0]);
    this.timer = setInterval(() => this.samples.push(os.loadavg()[0]), everyMs);
    this.timer.unref();
  }

  stop(): { mean: number; max: number } {
    clearInterval(this.timer);
    this.samples.push(os.loadavg()[0]);
    const mean = this.samples.reduce((s, v) => s + v, 0) / this.samples.length;
    return { mean: round(mean, 2), max: round(Math.max(...this.samples), 2) };
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sequential queries, one every ~100 ms, until stopped: read latency while something else loads. */
export function queryLoop(query: () => Promise<unknown>) {
  const latencies: number[] = [];
  let errors = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const sent = performance.now();
      try {
        await query();
        latencies.push(performance.now() - sent);
      } catch {
        errors++;
      }
      await sleep(100);
    }
  })();
  return {
    async stop(): Promise<LatencySummary & { errors: number }> {
      stopped = true;
      await done;
      return { ...summarise(latencies), errors };
    },
  };
}

export function mib(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : round(bytes / 1024 / 1024, 1);
}

export { round };

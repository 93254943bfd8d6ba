/**
 * Long activities (broadcasts to every unit, the hand-over, publication) heartbeat on a clock,
 * not only per batch of progress: the heartbeat timeout the workflows give them
 * (workflows/activity-options.ts) can then be short, so an activity whose worker died is retried
 * on another worker within seconds instead of after a minute.
 */
import { Context } from '@temporalio/activity';

/** Well inside the workflows' 10-second heartbeat timeout (the SDK throttles what it sends). */
export const HEARTBEAT_EVERY_MS = 2_000;

type ActivityFunction = (...args: never[]) => Promise<unknown>;

/** `fn`, heartbeating every HEARTBEAT_EVERY_MS while it runs. */
export function heartbeating<F extends ActivityFunction>(fn: F): F {
  return (async (...args: Parameters<F>) => {
    const context = Context.current();
    const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      return await fn(...args);
    } finally {
      clearInterval(timer);
    }
  }) as F;
}

/** Every activity of `activities`, heartbeating while it runs. */
export function allHeartbeating<T extends Record<string, ActivityFunction>>(activities: T): T {
  return Object.fromEntries(Object.entries(activities).map(([name, fn]) => [name, heartbeating(fn)])) as T;
}

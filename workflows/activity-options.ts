/**
 * The activity options every workflow uses, by kind of work. Changing options does not change a
 * workflow's commands, so running workflows pick new values up on their next activity.
 */
import type { ActivityOptions } from '@temporalio/workflow';

/**
 * The cycle's work on its entities (start, broadcasts, hand-over, publication, finish): long,
 * idempotent, heartbeating every 2 s (activities/heartbeat.ts). A worker killed mid-way is noticed
 * after 10 s and the activity retried at once on another worker.
 */
export const ENTITY_WORK: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** The secretariat's mail from the cycle: retried until the SMTP server takes it. */
export const CYCLE_MAIL: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
};

/** A unit's or review body's own mail: retried until the SMTP server takes it. */
export const ENTITY_MAIL: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
};

/** Confirming a signal is a few queries: short timeout, retried until the other side answers. */
export const CONFIRMATION: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

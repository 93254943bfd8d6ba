/**
 * kczg's counters emitted from workflow code, through the SDK's workflow metric meter: the worker
 * exports them with its runtime metrics (logging/temporal-runtime.ts), tagged with namespace, task
 * queue and workflow type. Nothing is emitted while a workflow replays, and emitting adds no
 * command to the history, so call sites need no patch. Each site is one call.
 */
import { ApplicationFailure, metricMeter } from '@temporalio/workflow';

/** A nomination a unit's workflow accepted (a retry with the same key is not counted again). */
export function countNominationAccepted(programme: string): void {
  metricMeter
    .createCounter('kczg_nominations_accepted', 'nominations', 'Nominations accepted, per programme')
    .add(1, { programme });
}

/**
 * Runs a nomination's check and counts its refusal by the refusal's stable code (QUOTA_EXCEEDED,
 * NOT_ELIGIBLE, DUPLICATE…); the refusal is thrown on unchanged.
 */
export function countingRefusals(programme: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    const code = error instanceof ApplicationFailure ? (error.type ?? 'UNKNOWN') : 'UNKNOWN';
    metricMeter
      .createCounter('kczg_nominations_refused', 'nominations', 'Nominations refused, per programme and code')
      .add(1, { programme, code });
    throw error;
  }
}

/** The cycle entered a stage: a year's progress on a dashboard. */
export function countStageEntered(programme: string, stage: string): void {
  metricMeter
    .createCounter('kczg_cycle_stage_entered', 'stages', 'Stages entered by cycles, per programme and stage')
    .add(1, { programme, stage });
}

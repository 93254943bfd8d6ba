/**
 * Every patch id the workflows branch on with `patched()`, in the order they were introduced.
 * Each keeps the old path for workflows started before it (committed histories replay it); once
 * no such workflow is open, the id moves to `deprecatePatch()` and then goes.
 */
export const PATCHES = {
  /** Units skip reminders that were due before the unit workflow began. */
  unitSkipsStaleReminders: 'unit-skips-stale-reminders',
  /** Nominations no longer wake the unit's timeline (one timer fewer per nomination). */
  nominationsLeaveTimelineAsleep: 'nominations-leave-timeline-asleep',
  /** Keyed cycles confirm internal signals with their sender (confirm.ts). */
  confirmedSignals: 'internal-signals-confirmed-with-sender',
  /** A pause shifts deadlines by whole minutes. */
  pauseShiftWholeMinutes: 'pause-shift-whole-minutes',
  /** The secretariat's collection digests count down to the common deadline. */
  collectionDigestsOnCommonDeadline: 'collection-digests-on-common-deadline',
  /** Preliminary-review deadlines are kept per part; each body is told its latest. */
  reviewDeadlinesPerPart: 'review-deadlines-per-part',
  /** Review bodies skip reminders overtaken before their hand-over or by a later one. */
  reviewBodySkipsStaleReminders: 'review-body-skips-stale-reminders',
  /** The cycle's notices run beside the stage machine: a mail outage never holds a stage. */
  noticesBesideStages: 'notices-beside-stages',
  /**
   * Mail that fell due while no worker ran goes once on waking, except what is pointless by then
   * (domain/schedule.ts nextOnWaking); before, cycles skipped digests more than a minute late.
   */
  lateMailOnceOnWaking: 'late-mail-once-on-waking',
  /** The cycle hands each review body a summary of every nomination (unit, candidate) for conflicts. */
  reviewHandoverSummaries: 'review-handover-summaries',
  /** Review bodies run expert review (plan, assignment, scores, confirmation) and remind their experts. */
  expertReview: 'review-body-expert-review',
  /** Publication starts a tracking workflow for each winner of a list or field with deliverables. */
  trackingProjects: 'publication-starts-tracking-projects',
  /** A cycle with a parent forwards its final winners there and reports the parent's refusals. */
  chainForwarding: 'chain-forwards-winners-to-parent',
  /** Programmes with linked applications read the filed bundles at the hand-over (domain/bundles.ts). */
  bundlesBeforeParts: 'bundles-read-at-handover',
  /** The cycle checks that each unit workflow under its ids is its own, and replaces one that is not. */
  unitsStartedByCycle: 'cycle-refuses-foreign-unit-workflows',
  /** The hand-over and the mail-holds broadcast report their progress to the cycle's status. */
  fanOutProgress: 'fan-out-progress-in-status',
  /** Project timelines follow the secretariat's steering: moved dues, pauses and mail holds. */
  projectSteering: 'project-timeline-follows-steering',
} as const;

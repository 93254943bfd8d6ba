/**
 * Every update, signal and query, defined once and shared by the workflows and the client.
 * Payload types live here too, so both sides agree on the wire shape.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Candidate, Programme, Unit } from '../domain/programme';
import type { Dossier } from '../domain/dossier';
import type { PriorWinner, ReviewFlag } from '../domain/eligibility';
import type { CycleDeadlines } from '../domain/schedule-year';
import type { CycleStage } from '../domain/steering';
import type { IssuedSignals } from './confirm';
import type {
  Assignments,
  Conflict,
  DeclaredConflict,
  NominationSummary,
  Shortfall,
} from '../domain/assignment';
import type { ReviewPlan } from '../domain/review-plan';
import type { NominationScore, ScoreSheet } from '../domain/scoring';

// ---------------------------------------------------------------------------------------------
// Shared shapes

/** A cycle's stages, in order (closed or cancelled at the end). */
export type StageId = CycleStage;

/** A part is a list, or one field of a list: what quotas and review bodies are scoped to. */
export interface PartRef {
  listId: string;
  fieldId?: string;
}

export interface Nomination extends PartRef {
  id: string;
  unitId: string;
  candidate: Candidate;
  /** The application form's answers, declarations and attachment references, when the part has a form. */
  dossier?: Dossier;
  idempotencyKey: string;
  /** Programme time (epoch ms) of acceptance and of the last amendment. */
  submittedAt: number;
  amendedAt?: number;
}

/** Every write carries the acting party's credential (domain/credentials.ts) when the cycle has a key. */
export interface Credentialed {
  credential?: string;
}

export interface NominateRequest extends PartRef, Credentialed {
  /** The caller's key: retrying with the same key returns the same nomination. */
  idempotencyKey: string;
  candidate: Candidate;
  /** Required when the list (or field) has a form (domain/forms.ts checks it). */
  dossier?: Dossier;
}

export interface AmendRequest extends Credentialed {
  nominationId: string;
  candidate: Candidate;
  /** The whole corrected dossier; omitted, the nomination keeps the one it has. */
  dossier?: Dossier;
}

export interface WithdrawRequest extends Credentialed {
  nominationId: string;
}

export interface ReasonRequest extends Credentialed {
  reason: string;
}

export interface QuotaUsageRow extends PartRef {
  used: number;
  limit: number;
  remaining: number;
}

export interface UnitState {
  unitId: string;
  unitName: string;
  collectionClosesAt: number;
  paused: boolean;
  open: boolean;
  complete: boolean;
  nominations: Nomination[];
  usage: QuotaUsageRow[];
  /**
   * Nominations accepted with rules the reference data could not decide (e.g. a city missing from
   * a partial pilot-city list): reviewers check them against the notice's sentence.
   */
  needsReview: { nominationId: string; flags: ReviewFlag[] }[];
  /** Internal signals this unit received that the cycle did not confirm (keyed cycles). */
  unverifiedSignals: number;
}

export interface ReviewResultEntry {
  nominationId: string;
  rank?: number;
  score?: number;
  verdict: 'recommended' | 'not-recommended';
  comment?: string;
}

export interface ReviewReport extends PartRef, Credentialed {
  results: ReviewResultEntry[];
}

export interface ReviewPartState extends PartRef {
  nominationIds: string[];
  /** What the expert review needs of each nomination (conflicts); handed over since expert review. */
  nominations?: NominationSummary[];
  reportedAt?: number;
  late?: boolean;
  results?: ReviewResultEntry[];
}

// Expert review inside a review body (domain/review-plan.ts, assignment.ts, scoring.ts).

export interface FileReviewPlanRequest extends Credentialed {
  plan: ReviewPlan;
}

/** `auto`: fill every nomination up to N; else add `expertIds` to one nomination. */
export interface AssignExpertsRequest extends Credentialed {
  auto?: boolean;
  nominationId?: string;
  expertIds?: string[];
}

export interface DeclareConflictRequest extends Credentialed {
  expertId: string;
  nominationId: string;
  reason: string;
}

export interface SubmitScoresRequest extends Credentialed {
  expertId: string;
  sheets: ScoreSheet[];
}

/** The chair confirms a part's ranked shortlist: it becomes the part's reportReview. */
export interface ConfirmShortlistRequest extends PartRef, Credentialed {
  /** How many of the ranking are recommended; omitted: those most of their experts recommend. */
  top?: number;
  /** Required when score sheets are still outstanding. */
  reason?: string;
}

export interface SubmittedSheet extends ScoreSheet {
  expertId: string;
  total: number;
  submittedAt: number;
}

export interface ExpertProgress {
  expertId: string;
  name: string;
  assigned: number;
  scored: number;
}

/**
 * What an expert-review update answers: counts, not the sheets (update results are kept in the
 * body's history, so they stay small whatever the panel's size); `reviewState` has the details.
 */
export interface ExpertReviewReceipt {
  planFiledAt?: number;
  /** Expert–nomination pairs assigned, and of them scored. */
  assigned: number;
  scored: number;
  conflicts: number;
  shortfalls: Shortfall[];
}

export interface ExpertReviewState {
  /** Nominations whose summaries the body is still reading (see ReviewBodyInput.summariesToFetch). */
  summariesPending?: number;
  /** When the plan was filed (备案), programme time; absent: not filed yet. */
  planFiledAt?: number;
  plan?: ReviewPlan;
  assignments: Assignments;
  declared: DeclaredConflict[];
  /** Conflicts between the panel and the nominations (declared and detected). */
  conflicts: Conflict[];
  /** Nominations the last assignment could not give N conflict-free experts. */
  shortfalls: Shortfall[];
  sheets: SubmittedSheet[];
  progress: ExpertProgress[];
  /** The current ranking per part ("list" or "list/field"), by the rule of domain/scoring.ts. */
  ranking: Record<string, NominationScore[]>;
  audit: AuditEntry[];
}

export interface ReviewBodyState {
  bodyId: string;
  /** The cycle and credential key it was started with: the cycle checks them before trusting it. */
  cycleId: string;
  authPublicKey?: string;
  dueAt: number;
  parts: ReviewPartState[];
  /** Internal signals this body received that the cycle did not confirm (keyed cycles). */
  unverifiedSignals: number;
  /** Bodies started since expert review: their plan, panel, scores and audit. */
  expertReview?: ExpertReviewState;
}

export interface FinalWinnersEntry extends PartRef {
  nominationIds: string[];
}

export interface FinalResults extends Credentialed {
  winners: FinalWinnersEntry[];
}

export type ExtensionScope =
  | { kind: 'stage'; stage: 'collection' | 'preliminary-review' | 'final-review' }
  | { kind: 'unit'; unitId: string }
  | { kind: 'part'; listId: string; fieldId?: string };

export interface ExtendRequest extends Credentialed {
  scope: ExtensionScope;
  /** New deadline, epoch ms (programme time). */
  until: number;
  reason: string;
}

export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  outcome: 'accepted' | 'rejected' | 'info';
  detail: string;
  code?: string;
}

export interface PartProgress extends PartRef {
  nominations: number;
  reviewBodies: Array<{ bodyId: string; reportedAt?: number; late?: boolean; shortlisted?: number }>;
  dueAt: number;
}

export interface CycleStatus {
  cycleId: string;
  programmeId: string;
  year: number;
  stage: StageId;
  /** Programme time at the cycle's last step, and its offset from the server clock. */
  now: number;
  clockOffsetMs: number;
  paused: boolean;
  deadlines: CycleDeadlines;
  unitExtensions: Record<string, number>;
  parts: PartProgress[];
  escalated: string[];
  published?: { at: number; outDir: string; winners: number };
  mailFailures: number;
  heldMailings: string[];
  /**
   * Internal signals (partReported, mailFailed) that their sender did not confirm: sent by someone
   * calling Temporal directly. They changed nothing; the first ones are in the audit.
   */
  unverifiedSignals: number;
  /**
   * The hand-over to review or a broadcast while it runs, with its progress (absent otherwise,
   * and in cycles started before it was kept): the stage may already read preliminary-review
   * while its nomination counts are still being gathered.
   */
  fanOut?: FanOutProgress;
}

/** A fan-out the cycle is running: reading every unit and starting the review bodies, or telling every entity. */
export interface FanOutProgress {
  kind: 'hand-over' | 'mail-holds';
  /** Programme time it began. */
  startedAt: number;
  /** hand-over: units read, then nominations handed to their review bodies; broadcasts: entities told. */
  step: 'reading-units' | 'handing-over' | 'telling';
  done: number;
  total: number;
}

/** From the fan-out activity to its cycle: how far it has got (at most every few seconds, and at the end). */
export type FanOutProgressReport = Pick<FanOutProgress, 'kind' | 'step' | 'done' | 'total'>;
export const fanOutProgressSignal = defineSignal<[FanOutProgressReport]>('fanOutProgress');

export interface CycleSetup {
  programme: Programme;
  authPublicKey?: string;
  collectionOpensAt: number;
  collectionClosesAt: number;
  unitExtensions: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Workflow inputs

export interface CycleInput {
  programme: Programme;
  /**
   * Programme time at the workflow's start. Omitted: programme time is real time. Set it to
   * rehearse or replay a past year: every deadline keeps its real date, and the programme clock
   * runs from here (on a time-skipping server, years pass in seconds).
   */
  startAt?: number;
  /** Where publication writes its files (worker-side path). */
  outDir?: string;
  /**
   * Ed25519 public key (base64url) of the secretariat's credentials. Set: every write must carry
   * a valid credential of its party. Omitted: open mode, for local rehearsals only.
   */
  authPublicKey?: string;
}

export interface UnitInput {
  cycleId: string;
  /** The programme with an empty roster: a unit needs its own record only. */
  programme: Programme;
  unit: Unit;
  collectionOpensAt: number;
  collectionClosesAt: number;
  clockOffsetMs: number;
  priorWinners: PriorWinner[];
  authPublicKey?: string;
  /** Carried over by continue-as-new. */
  carried?: {
    nominations: Nomination[];
    sequence: number;
    complete: boolean;
    paused: boolean;
    remindersSent: string[];
    held: string[];
    plannedFrom: number;
    /** Confirmed-signal bookkeeping (keyed cycles): the cycle's revisions applied, unconfirmed count. */
    applied?: { collection: number; holds: number };
    unverifiedSignals?: number;
  };
}

export interface ReviewBodyInput {
  cycleId: string;
  bodyId: string;
  dueAt: number;
  clockOffsetMs: number;
  authPublicKey?: string;
  parts: ReviewPartState[];
  /**
   * The parts' nomination summaries were too large to hand over in the input (a payload is
   * limited to 2 MB): the body reads them itself, unit by unit, before its experts can be planned.
   */
  summariesToFetch?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Cycle

export const cycleStatusQuery = defineQuery<CycleStatus>('cycleStatus');
/** What the cycle's activities need to act on its entities (read by query: never copied into history). */
export const cycleSetupQuery = defineQuery<CycleSetup>('cycleSetup');
export const auditQuery = defineQuery<AuditEntry[]>('audit');
/** What the cycle told its entities: they confirm its internal signals against it (confirm.ts). */
export const issuedSignalsQuery = defineQuery<IssuedSignals>('issuedSignals');
/** Completes once every unit's workflow is started, so nominations can flow. */
export const readyUpdate = defineUpdate<CycleStatus>('ready');
export const extendUpdate = defineUpdate<CycleStatus, [ExtendRequest]>('extend');
export const pauseUpdate = defineUpdate<CycleStatus, [ReasonRequest]>('pause');
export const resumeUpdate = defineUpdate<CycleStatus, [ReasonRequest]>('resume');
export const cancelUpdate = defineUpdate<CycleStatus, [ReasonRequest]>('cancel');
export const finalCompleteUpdate = defineUpdate<CycleStatus, [FinalResults]>('finalComplete');
/** From a review body workflow: a part's preliminary review is done. */
export const partReportedSignal =
  defineSignal<
    [{ bodyId: string; listId: string; fieldId?: string; reportedAt: number; shortlist: string[] }]
  >('partReported');
/**
 * The secretariat holds or releases one planned mailing (a reminder id from `kczg mail plan`,
 * e.g. "collection:T-7"): held, it is not sent when due; released, it goes out (at once if due).
 */
export interface MailHoldRequest extends Credentialed {
  reminderId: string;
  held: boolean;
}
export const mailHoldUpdate = defineUpdate<CycleStatus, [MailHoldRequest]>('mailHold');
/** From the cycle to its units and review bodies: the held mailings now. */
export const mailHoldsSignal = defineSignal<[{ held: string[] }]>('mailHolds');
/** From the mail activities: a message could not be delivered and will not be retried. */
export const mailFailedSignal = defineSignal<[{ businessKey: string; error: string }]>('mailFailed');

// ---------------------------------------------------------------------------------------------
// Unit

export const unitStateQuery = defineQuery<UnitState>('unitState');
export const nominateUpdate = defineUpdate<Nomination, [NominateRequest]>('nominate');
export const amendUpdate = defineUpdate<Nomination, [AmendRequest]>('amend');
export const withdrawUpdate = defineUpdate<Nomination, [WithdrawRequest]>('withdraw');
export const markCompleteUpdate = defineUpdate<UnitState, [Credentialed]>('markComplete');
/** From the cycle: the unit's collection deadline moved (extension) or the clock paused. */
export const collectionDeadlineSignal =
  defineSignal<[{ closesAt: number; paused: boolean }]>('collectionDeadline');
/** From the cycle: the cycle is over; the entity may finish. */
export const cycleFinishedSignal = defineSignal('cycleFinished');

// ---------------------------------------------------------------------------------------------
// Review body

export const reviewStateQuery = defineQuery<ReviewBodyState>('reviewState');
export const reportReviewUpdate = defineUpdate<ReviewPartState, [ReviewReport]>('reportReview');
export const reviewDeadlineSignal = defineSignal<[{ dueAt: number }]>('reviewDeadline');
export const fileReviewPlanUpdate = defineUpdate<ExpertReviewReceipt, [FileReviewPlanRequest]>(
  'fileReviewPlan',
);
export const assignExpertsUpdate = defineUpdate<ExpertReviewReceipt, [AssignExpertsRequest]>('assignExperts');
export const declareConflictUpdate = defineUpdate<ExpertReviewReceipt, [DeclareConflictRequest]>(
  'declareConflict',
);
export const submitScoresUpdate = defineUpdate<ExpertReviewReceipt, [SubmitScoresRequest]>('submitScores');
export const confirmShortlistUpdate = defineUpdate<ReviewPartState, [ConfirmShortlistRequest]>(
  'confirmShortlist',
);

// Chains of cycles (domain/chain.ts): their messages are in chain-messages.ts.
export * from './chain-messages';
